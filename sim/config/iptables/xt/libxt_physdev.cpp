// physdev match (extensions/libxt_physdev.c): [!] --physdev-in/--physdev-out NAME[+],
// [!] --physdev-is-in, [!] --physdev-is-out, [!] --physdev-is-bridged. It reads br_netfilter's
// bridge port info, which only bridged frames carry: on kpath's routed path only rules whose
// every test is inverted match. Kernel (xt_physdev.c physdev_mt_check): --physdev-out and
// --physdev-is-out need --physdev-is-bridged when the rule is reachable from OUTPUT.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtPhysdev;

enum { O_PHYSDEV_IN = 0, O_PHYSDEV_OUT, O_PHYSDEV_IS_IN, O_PHYSDEV_IS_OUT, O_PHYSDEV_IS_BRIDGED };
constexpr OptEntry kPhysdevOpts[] = {
    {.name = "physdev-in", .id = O_PHYSDEV_IN, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = "a bridge port name ([+] wildcard)"},
    {.name = "physdev-out", .id = O_PHYSDEV_OUT, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = "a bridge port name ([+] wildcard)"},
    {.name = "physdev-is-in", .id = O_PHYSDEV_IS_IN, .type = OptType::NONE, .flags = XTOPT_INVERT},
    {.name = "physdev-is-out", .id = O_PHYSDEV_IS_OUT, .type = OptType::NONE, .flags = XTOPT_INVERT},
    {.name = "physdev-is-bridged", .id = O_PHYSDEV_IS_BRIDGED, .type = OptType::NONE, .flags = XTOPT_INVERT},
};

// xtables_parse_interface
void parse_interface(const OptCall& cb) {
  if (cb.arg.size() + 1 > 16)
    cb.error(fmt::format("interface name `{}' must be shorter than IFNAMSIZ (15)", cb.arg));
  if (cb.arg.find_first_of("/ ") != std::string::npos)
    cb.note(fmt::format("Warning: weird character in interface `{}' ('/' and ' ' are not allowed by the kernel).", cb.arg));
}

void physdev_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtPhysdev>(d);
  xtables_option_parse(cb);
  uint8_t op = 0;
  switch (cb.entry->id) {
    case O_PHYSDEV_IN: parse_interface(cb); info.physindev = cb.arg; op = XtPhysdev::IN; break;
    case O_PHYSDEV_OUT: parse_interface(cb); info.physoutdev = cb.arg; op = XtPhysdev::OUT; break;
    case O_PHYSDEV_IS_IN: op = XtPhysdev::ISIN; break;
    case O_PHYSDEV_IS_OUT: op = XtPhysdev::ISOUT; break;
    case O_PHYSDEV_IS_BRIDGED: op = XtPhysdev::BRIDGED; break;
  }
  info.bitmask |= op;
  if (cb.invert) info.invert |= op;
}

void physdev_check(const FcheckCall& cb, kernel::XtMatchData&) {
  if (cb.xflags == 0) cb.error("PHYSDEV: no physdev option specified");
}

void physdev_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& p = std::get<XtPhysdev>(d);
  auto inv = [&](uint8_t op) { return (p.invert & op) ? " !" : ""; };
  if (p.bitmask & XtPhysdev::ISIN) out += fmt::format("{} --physdev-is-in", inv(XtPhysdev::ISIN));
  if (p.bitmask & XtPhysdev::IN) out += fmt::format("{} --physdev-in {}", inv(XtPhysdev::IN), p.physindev);
  if (p.bitmask & XtPhysdev::ISOUT) out += fmt::format("{} --physdev-is-out", inv(XtPhysdev::ISOUT));
  if (p.bitmask & XtPhysdev::OUT) out += fmt::format("{} --physdev-out {}", inv(XtPhysdev::OUT), p.physoutdev);
  if (p.bitmask & XtPhysdev::BRIDGED) out += fmt::format("{} --physdev-is-bridged", inv(XtPhysdev::BRIDGED));
}

// physdev_mt_check (net/netfilter/xt_physdev.c)
std::string physdev_mt_check(const kernel::XtMatchData& d, const CheckParam& par) {
  const auto& p = std::get<XtPhysdev>(d);
  if ((p.bitmask & (XtPhysdev::OUT | XtPhysdev::ISOUT)) && (!(p.bitmask & XtPhysdev::BRIDGED) || (p.invert & XtPhysdev::BRIDGED)) &&
      (par.hook_mask & (1 << kernel::NF_INET_LOCAL_OUT)))
    return "xt_physdev: --physdev-out and --physdev-is-out only supported in the FORWARD and POSTROUTING chains with bridged traffic";
  return {};
}

}  // namespace

extern const MatchExt kPhysdevMatch = {
    .name = "physdev",
    .opts = kPhysdevOpts,
    .init = [] { return kernel::XtMatchData{XtPhysdev{}}; },
    .parse = physdev_parse,
    .fcheck = physdev_check,
    .save = physdev_save,
    .checkentry = physdev_mt_check,
    .summary = "physdev: [!] --physdev-in/--physdev-out NAME, [!] --physdev-is-in/-is-out/-is-bridged (bridged traffic only)",
};

}  // namespace kpath::xt

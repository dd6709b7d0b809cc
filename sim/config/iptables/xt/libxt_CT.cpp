// CT and NOTRACK targets (extensions/libxt_CT.c, CT revision 2; NOTRACK is registered in the
// same file). Kernel (xt_CT.c): table raw, hooks PREROUTING/OUTPUT; a --helper needs the rule's
// L4 protocol (xt_ct_set_helper). kpath models --notrack, --zone N and --helper NAME.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtCt;
using kernel::XtNotrack;

enum { O_NOTRACK = 0, O_HELPER, O_TIMEOUT, O_CTEVENTS, O_EXPEVENTS, O_ZONE_ORIG, O_ZONE_REPLY, O_ZONE };
constexpr OptEntry kCtOpts[] = {
    {.name = "notrack", .id = O_NOTRACK, .type = OptType::NONE},
    {.name = "helper", .id = O_HELPER, .type = OptType::STRING, .size = 16, .expect = "a conntrack helper name such as ftp"},
    {.name = "timeout", .id = O_TIMEOUT, .type = OptType::STRING, .size = 32, .unmodelled = true},
    {.name = "ctevents", .id = O_CTEVENTS, .type = OptType::STRING, .unmodelled = true},
    {.name = "expevents", .id = O_EXPEVENTS, .type = OptType::STRING, .unmodelled = true},
    {.name = "zone-orig", .id = O_ZONE_ORIG, .type = OptType::STRING, .unmodelled = true},
    {.name = "zone-reply", .id = O_ZONE_REPLY, .type = OptType::STRING, .unmodelled = true},
    {.name = "zone", .id = O_ZONE, .type = OptType::STRING, .expect = "a zone number 0-65535"},
};

void ct_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtCt>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_NOTRACK: info.notrack = true; break;
    case O_HELPER:
      info.helper = cb.arg;
      info.zone_or_helper = cb.arg;
      break;
    case O_ZONE: {
      if (cb.arg.size() == 4 && (cb.arg[0] == 'm' || cb.arg[0] == 'M'))
        unmodelled_error(cb.arg_loc, "kpath: CT --zone mark (zone taken from the packet mark) is not modelled; give a zone number");
      uint32_t z;
      if (!xtables_strtoui(cb.arg, nullptr, &z, 0, 0xffff)) cb.error(fmt::format("Cannot parse {} as a zone ID\n", cb.arg));
      info.zone = static_cast<uint16_t>(z);
      if (info.helper.empty()) info.zone_or_helper = std::to_string(z);
      break;
    }
  }
}

void ct_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& c = std::get<XtCt>(d);
  if (c.notrack) out += " --notrack";
  if (!c.helper.empty()) out += fmt::format(" --helper {}", c.helper);
  if (c.zone) out += fmt::format(" --zone {}", c.zone);
}

struct Helper { std::string_view name; uint8_t proto; };
// nf_conntrack_helper registrations in net/netfilter/nf_conntrack_*.c
constexpr Helper kHelpers[] = {{"ftp", 6}, {"irc", 6}, {"sip", 6}, {"sip", 17}, {"tftp", 17}, {"amanda", 17},
                               {"netbios-ns", 17}, {"snmp", 17}, {"pptp", 6}, {"sane", 6}, {"RAS", 17}, {"Q.931", 6}};

// xt_ct_set_helper (net/netfilter/xt_CT.c); both failures are -ENOENT
std::string ct_check(const kernel::XtTargetData& d, const CheckParam& par) {
  const auto& c = std::get<XtCt>(d);
  const kernel::IptIp& ip = par.entry.ip;
  if (c.helper.empty()) return {};
  par.errno_text = "No such file or directory";
  const uint8_t proto = ip.inv_proto ? 0 : ip.proto;
  if (!proto) return "xt_CT: You must specify a L4 protocol and not use inversions on it";
  for (const Helper& h : kHelpers)
    if (h.name == c.helper && h.proto == proto) return {};
  return fmt::format("xt_CT: No such helper \"{}\"", c.helper);
}

constexpr uint8_t kRawHooks = (1 << kernel::NF_INET_PRE_ROUTING) | (1 << kernel::NF_INET_LOCAL_OUT);

}  // namespace

extern const TargetExt kCtTarget = {
    .name = "CT",
    .opts = kCtOpts,
    .kreg = {.table = "raw", .hooks = kRawHooks},
    .init = [] { return kernel::XtTargetData{XtCt{}}; },
    .parse = ct_parse,
    .save = ct_save,
    .checkentry = ct_check,
    .summary = "CT: [--notrack] [--zone N] [--helper NAME] (raw PREROUTING/OUTPUT)",
};

extern const TargetExt kNotrackTarget = {
    .name = "NOTRACK",
    .opts = {},
    .kreg = {.table = "raw", .hooks = kRawHooks},
    .init = [] { return kernel::XtTargetData{XtNotrack{}}; },
    .summary = "NOTRACK (raw PREROUTING/OUTPUT)",
};

}  // namespace kpath::xt

// TPROXY target (extensions/libxt_TPROXY.c, revision 1). --on-port is XTTYPE_PORT, resolved by
// getaddrinfo: numbers are not range-checked, so 99999 silently becomes 99999 & 0xffff = 34463.
// Without --tproxy-mark the mark is 0x0/0x0 (unchanged). Kernel (xt_TPROXY.c tproxy_tg_reg):
// table mangle, hook PREROUTING, and tproxy_tg4_check wants -p tcp or -p udp, not inverted.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtTproxy;

enum { P_PORT = 0, P_ADDR, P_MARK };
constexpr OptEntry kTproxyOpts[] = {
    {.name = "on-port", .id = P_PORT, .type = OptType::PORT, .flags = XTOPT_MAND,
     .expect = "a port number or a service name (0 = keep the packet's destination port)"},
    {.name = "on-ip", .id = P_ADDR, .type = OptType::HOST, .expect = "an IPv4 address"},
    {.name = "tproxy-mark", .id = P_MARK, .type = OptType::MARKMASK32, .expect = "value[/mask]"},
};

void tproxy_tg1_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtTproxy>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case P_PORT: info.lport = cb.port; break;
    case P_ADDR: info.laddr = cb.haddr; break;
    case P_MARK: info.mark_value = cb.mark; info.mark_mask = cb.mask; break;
  }
}

void tproxy_tg_save4(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& t = std::get<XtTproxy>(d);
  out += fmt::format(" --on-port {} --on-ip {} --tproxy-mark 0x{:x}/0x{:x}", t.lport, t.laddr, t.mark_value, t.mark_mask);
}

// tproxy_tg4_check (net/netfilter/xt_TPROXY.c)
std::string tproxy_tg4_check(const kernel::XtTargetData&, const CheckParam& par) {
  const kernel::IptIp& ip = par.entry.ip;
  if ((ip.proto == 6 || ip.proto == 17) && !ip.inv_proto) return {};
  return "xt_TPROXY: Can be used only with -p tcp or -p udp";
}

}  // namespace

extern const TargetExt kTproxyTarget = {
    .name = "TPROXY",
    .opts = kTproxyOpts,
    .kreg = {.table = "mangle", .hooks = 1 << kernel::NF_INET_PRE_ROUTING},
    .init = [] { return kernel::XtTargetData{XtTproxy{}}; },
    .parse = tproxy_tg1_parse,
    .save = tproxy_tg_save4,
    .checkentry = tproxy_tg4_check,
    .summary = "TPROXY: --on-port PORT [--on-ip ADDR] [--tproxy-mark V[/M]] (mangle PREROUTING, -p tcp|udp)",
};

}  // namespace kpath::xt

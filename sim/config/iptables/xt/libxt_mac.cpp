// mac match (extensions/libxt_mac.c): [!] --mac-source XX:XX:XX:XX:XX:XX (XTTYPE_ETHERMAC;
// printed in lower case). Kernel (xt_mac.c): hooks PREROUTING, INPUT and FORWARD. kpath's
// packets carry no Ethernet header, so the address is never equal (ip_tables.cpp says so).
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtMac;

enum { O_MAC = 0 };
constexpr OptEntry kMacOpts[] = {
    {.name = "mac-source", .id = O_MAC, .type = OptType::ETHERMAC, .flags = XTOPT_MAND | XTOPT_INVERT,
     .expect = "six hex bytes XX:XX:XX:XX:XX:XX"},
};

void mac_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtMac>(d);
  xtables_option_parse(cb);
  info.srcaddr = cb.ethermac;
  if (cb.invert) info.invert = true;
}

void mac_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& m = std::get<XtMac>(d);
  if (m.invert) out += " !";
  out += fmt::format(" --mac-source {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m.srcaddr[0], m.srcaddr[1], m.srcaddr[2], m.srcaddr[3],
                     m.srcaddr[4], m.srcaddr[5]);
}

}  // namespace

extern const MatchExt kMacMatch = {
    .name = "mac",
    .opts = kMacOpts,
    .kreg = {.hooks = (1 << kernel::NF_INET_PRE_ROUTING) | (1 << kernel::NF_INET_LOCAL_IN) | (1 << kernel::NF_INET_FORWARD)},
    .init = [] { return kernel::XtMatchData{XtMac{}}; },
    .parse = mac_parse,
    .save = mac_save,
    .summary = "mac: [!] --mac-source XX:XX:XX:XX:XX:XX (PREROUTING/INPUT/FORWARD; kpath's packets have no MAC)",
};

}  // namespace kpath::xt

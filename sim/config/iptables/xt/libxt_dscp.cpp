// dscp match (extensions/libxt_dscp.c): [!] --dscp 0-63, or [!] --dscp-class CLASS
// (dscp_helper.c class_to_dscp: BE, EF, AFxy, CSx, any case, a prefix test). Kernel (xt_dscp.c
// dscp_mt): ipv4_get_dsfield(iph) >> 2 == dscp.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtDscp;

enum { O_DSCP = 0, O_DSCP_CLASS };
constexpr OptEntry kDscpOpts[] = {
    {.name = "dscp", .id = O_DSCP, .type = OptType::UINT8, .flags = XTOPT_INVERT, .excl = 1 << O_DSCP_CLASS, .max = 63,
     .expect = "a DSCP value 0-63 (0x3f)"},
    {.name = "dscp-class", .id = O_DSCP_CLASS, .type = OptType::STRING, .flags = XTOPT_INVERT, .excl = 1 << O_DSCP,
     .expect = "a DiffServ class: CS0-CS7, BE, AF11-AF43 or EF"},
};

void dscp_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtDscp>(d);
  xtables_option_parse(cb);
  if (cb.entry->id == O_DSCP) {
    info.dscp = static_cast<uint8_t>(cb.u32);
  } else {
    auto v = class_to_dscp(cb.arg);
    if (!v) cb.error(fmt::format("Invalid DSCP value `{}'\n", cb.arg));
    info.dscp = *v;
  }
  if (cb.invert) info.invert = true;
}

void dscp_check(const FcheckCall& cb, kernel::XtMatchData&) {
  if (cb.xflags == 0) cb.error("DSCP match: Parameter --dscp is required", "expected --dscp N or --dscp-class CLASS");
}

void dscp_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& x = std::get<XtDscp>(d);
  if (x.invert) out += " !";
  out += fmt::format(" --dscp 0x{:02x}", x.dscp);
}

}  // namespace

extern const MatchExt kDscpMatch = {
    .name = "dscp",
    .opts = kDscpOpts,
    .init = [] { return kernel::XtMatchData{XtDscp{}}; },
    .parse = dscp_parse,
    .fcheck = dscp_check,
    .save = dscp_save,
    .summary = "dscp: [!] --dscp 0-63 | [!] --dscp-class CLASS",
};

}  // namespace kpath::xt

// DSCP target (extensions/libxt_DSCP.c): --set-dscp 0-63 or --set-dscp-class CLASS. Kernel
// (xt_DSCP.c dscp_tg): the DS field's upper six bits, ECN kept; table mangle.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtDscpTarget;

enum { O_SET_DSCP = 0, O_SET_DSCP_CLASS };
constexpr OptEntry kDscpOpts[] = {
    {.name = "set-dscp", .id = O_SET_DSCP, .type = OptType::UINT8, .excl = 1 << O_SET_DSCP_CLASS, .max = 63,
     .expect = "a DSCP value 0-63 (0x3f)"},
    {.name = "set-dscp-class", .id = O_SET_DSCP_CLASS, .type = OptType::STRING, .excl = 1 << O_SET_DSCP,
     .expect = "a DiffServ class: CS0-CS7, BE, AF11-AF43 or EF"},
};

void dscp_tg_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtDscpTarget>(d);
  xtables_option_parse(cb);
  if (cb.entry->id == O_SET_DSCP) {
    info.dscp = static_cast<uint8_t>(cb.u32);
  } else {
    auto v = class_to_dscp(cb.arg);
    if (!v) cb.error(fmt::format("Invalid DSCP value `{}'\n", cb.arg));
    info.dscp = *v;
  }
}

void dscp_tg_check(const FcheckCall& cb, kernel::XtTargetData&) {
  if (cb.xflags == 0) cb.error("DSCP target: Parameter --set-dscp is required", "expected --set-dscp N or --set-dscp-class CLASS");
}

void dscp_tg_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  out += fmt::format(" --set-dscp 0x{:02x}", std::get<XtDscpTarget>(d).dscp);
}

}  // namespace

extern const TargetExt kDscpTarget = {
    .name = "DSCP",
    .opts = kDscpOpts,
    .kreg = {.table = "mangle"},
    .init = [] { return kernel::XtTargetData{XtDscpTarget{}}; },
    .parse = dscp_tg_parse,
    .fcheck = dscp_tg_check,
    .save = dscp_tg_save,
    .summary = "DSCP: --set-dscp 0-63 | --set-dscp-class CLASS (mangle)",
};

}  // namespace kpath::xt

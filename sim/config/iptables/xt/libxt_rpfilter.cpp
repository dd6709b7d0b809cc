// rpfilter match (extensions/libxt_rpfilter.c): --loose, --validmark, --accept-local, --invert.
// Kernel (net/ipv4/netfilter/ipt_rpfilter.c): hook PREROUTING, tables raw and mangle
// (rpfilter_check); the reverse-path lookup is models/netfilter/xt_rpfilter.cpp.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtRpfilter;

enum { O_LOOSE = 0, O_VMARK, O_ACCEPT_LOCAL, O_INVERT };
constexpr OptEntry kRpfilterOpts[] = {
    {.name = "loose", .id = O_LOOSE, .type = OptType::NONE},
    {.name = "validmark", .id = O_VMARK, .type = OptType::NONE},
    {.name = "accept-local", .id = O_ACCEPT_LOCAL, .type = OptType::NONE},
    {.name = "invert", .id = O_INVERT, .type = OptType::NONE},
};

void rpfilter_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtRpfilter>(d);
  xtables_option_parse(cb);
  static constexpr uint8_t kFlags[] = {XtRpfilter::LOOSE, XtRpfilter::VALID_MARK, XtRpfilter::ACCEPT_LOCAL, XtRpfilter::INVERT};
  info.flags |= kFlags[cb.entry->id];
}

void rpfilter_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& r = std::get<XtRpfilter>(d);
  if (r.flags & XtRpfilter::LOOSE) out += " --loose";
  if (r.flags & XtRpfilter::VALID_MARK) out += " --validmark";
  if (r.flags & XtRpfilter::ACCEPT_LOCAL) out += " --accept-local";
  if (r.flags & XtRpfilter::INVERT) out += " --invert";
}

// rpfilter_check
std::string rpfilter_check(const kernel::XtMatchData&, const CheckParam& par) {
  if (par.table != "mangle" && par.table != "raw") return fmt::format("xt_rpfilter: only valid in 'raw' or 'mangle' table, not '{}'", par.table);
  return {};
}

}  // namespace

extern const MatchExt kRpfilterMatch = {
    .name = "rpfilter",
    .opts = kRpfilterOpts,
    .kreg = {.hooks = 1 << kernel::NF_INET_PRE_ROUTING},
    .init = [] { return kernel::XtMatchData{XtRpfilter{}}; },
    .parse = rpfilter_parse,
    .save = rpfilter_save,
    .checkentry = rpfilter_check,
    .summary = "rpfilter: [--loose] [--validmark] [--accept-local] [--invert] (raw/mangle PREROUTING)",
};

}  // namespace kpath::xt

// iprange match (extensions/libxt_iprange.c, revision 1): [!] --src-range/--dst-range ip[-ip],
// addresses read by xtables_numeric_to_ipaddr (missing trailing octets are zero).
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtIprange;

enum { O_SRC_RANGE = 0, O_DST_RANGE };
constexpr OptEntry kIprangeOpts[] = {
    {.name = "src-range", .id = O_SRC_RANGE, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = "ip[-ip]"},
    {.name = "dst-range", .id = O_DST_RANGE, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = "ip[-ip]"},
};

void parse_range(const OptCall& cb, std::string_view optname, kernel::Ipv4Addr& lo, kernel::Ipv4Addr& hi) {
  const size_t dash = cb.arg.find('-');
  const std::string_view from = std::string_view(cb.arg).substr(0, dash);
  const std::string_view to = dash == std::string::npos ? from : std::string_view(cb.arg).substr(dash + 1);
  for (std::string_view spec : {from, to})
    if (!numeric_to_ipaddr(spec)) cb.error(fmt::format("iprange: Bad value for \"{}\" option: \"{}\"", optname, spec));
  lo = *numeric_to_ipaddr(from);
  hi = *numeric_to_ipaddr(to);
  if (dash != std::string::npos && lo.v > hi.v)
    cb.note(fmt::format("xt_iprange: range {}-{} is reversed and will never match", from, to));
}

void iprange_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtIprange>(d);
  xtables_option_parse(cb);
  if (cb.entry->id == O_SRC_RANGE) {
    parse_range(cb, "--src-range", info.src_min, info.src_max);
    info.has_src = true;
    if (cb.invert) info.inv_src = true;
  } else {
    parse_range(cb, "--dst-range", info.dst_min, info.dst_max);
    info.has_dst = true;
    if (cb.invert) info.inv_dst = true;
  }
}

void iprange_check(const FcheckCall& cb, kernel::XtMatchData&) {
  if (cb.xflags == 0) cb.error("iprange match: You must specify `--src-range' or `--dst-range'");
}

void iprange_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& r = std::get<XtIprange>(d);
  if (r.has_src) {
    if (r.inv_src) out += " !";
    out += fmt::format(" --src-range {}-{}", r.src_min, r.src_max);
  }
  if (r.has_dst) {
    if (r.inv_dst) out += " !";
    out += fmt::format(" --dst-range {}-{}", r.dst_min, r.dst_max);
  }
}

}  // namespace

extern const MatchExt kIprangeMatch = {
    .name = "iprange",
    .opts = kIprangeOpts,
    .init = [] { return kernel::XtMatchData{XtIprange{}}; },
    .parse = iprange_parse,
    .fcheck = iprange_check,
    .save = iprange_save,
    .summary = "iprange: [!] --src-range/--dst-range ip[-ip]",
};

}  // namespace kpath::xt

// connmark match (extensions/libxt_connmark.c, revision 1): [!] --mark value[/mask] against the
// conntrack mark (xt_connmark.c connmark_mt).
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {

void save_mark_value(std::string& out, uint32_t mark, uint32_t mask);  // libxt_mark.cpp

namespace {

using kernel::XtConnmarkMatch;

enum { O_MARK = 0 };
constexpr OptEntry kConnmarkOpts[] = {
    {.name = "mark", .id = O_MARK, .type = OptType::MARKMASK32, .flags = XTOPT_MAND | XTOPT_INVERT,
     .expect = "value[/mask], numbers in decimal, 0x hex or 0 octal"},
};

void connmark_mt_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtConnmarkMatch>(d);
  xtables_option_parse(cb);
  if (cb.invert) info.invert = true;
  info.mark = cb.mark;
  info.mask = cb.mask;
}

void connmark_mt_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& m = std::get<XtConnmarkMatch>(d);
  if (m.invert) out += " !";
  out += " --mark";
  save_mark_value(out, m.mark, m.mask);
}

}  // namespace

extern const MatchExt kConnmarkMatch = {
    .name = "connmark",
    .opts = kConnmarkOpts,
    .init = [] { return kernel::XtMatchData{XtConnmarkMatch{}}; },
    .parse = connmark_mt_parse,
    .save = connmark_mt_save,
    .summary = "connmark: [!] --mark value[/mask]",
};

}  // namespace kpath::xt

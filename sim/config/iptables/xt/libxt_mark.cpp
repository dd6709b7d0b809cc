// mark match (extensions/libxt_mark.c, revision 1): [!] --mark value[/mask].
// Kernel (xt_mark.c mark_mt): ((skb->mark & mask) == mark) ^ invert.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtMark;

enum { O_MARK = 0 };
constexpr OptEntry kMarkOpts[] = {
    {.name = "mark", .id = O_MARK, .type = OptType::MARKMASK32, .flags = XTOPT_MAND | XTOPT_INVERT,
     .expect = "value[/mask], numbers in decimal, 0x hex or 0 octal"},
};

void mark_mt_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtMark>(d);
  xtables_option_parse(cb);
  if (cb.invert) info.invert = true;
  info.mark = cb.mark;
  info.mask = cb.mask;
}

}  // namespace

// print_mark: "0x1" or "0x10/0xf0" (shared with libxt_connmark.cpp)
void save_mark_value(std::string& out, uint32_t mark, uint32_t mask) {
  out += ' ';
  out += hex(mark);
  if (mask != 0xffffffffu) out += fmt::format("/0x{:x}", mask);
}

namespace {
void mark_mt_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& m = std::get<XtMark>(d);
  if (m.invert) out += " !";
  out += " --mark";
  save_mark_value(out, m.mark, m.mask);
}
}  // namespace

extern const MatchExt kMarkMatch = {
    .name = "mark",
    .opts = kMarkOpts,
    .init = [] { return kernel::XtMatchData{XtMark{}}; },
    .parse = mark_mt_parse,
    .save = mark_mt_save,
    .summary = "mark: [!] --mark value[/mask]",
};

}  // namespace kpath::xt

// length match (extensions/libxt_length.c): [!] --length min[:max], XTTYPE_UINT16RC ("100:"
// is 100:65535, ":200" is 0:200; min > max is accepted and never matches). Kernel
// (xt_length.c length_mt): ntohs(iph->tot_len) within [min, max].
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtLength;

enum { O_LENGTH = 0 };
constexpr OptEntry kLengthOpts[] = {
    {.name = "length", .id = O_LENGTH, .type = OptType::UINT16RC, .flags = XTOPT_MAND | XTOPT_INVERT,
     .expect = "a length 0-65535 or a range min:max"},
};

void length_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtLength>(d);
  xtables_option_parse(cb);
  info.min = info.max = static_cast<uint16_t>(cb.u32_range[0]);
  if (cb.nvals >= 2) info.max = static_cast<uint16_t>(cb.u32_range[1]);
  if (cb.invert) info.invert = true;
}

void length_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& l = std::get<XtLength>(d);
  out += l.invert ? " ! --length " : " --length ";
  out += l.min == l.max ? std::to_string(l.min) : fmt::format("{}:{}", l.min, l.max);
}

}  // namespace

extern const MatchExt kLengthMatch = {
    .name = "length",
    .opts = kLengthOpts,
    .init = [] { return kernel::XtMatchData{XtLength{}}; },
    .parse = length_parse,
    .save = length_save,
    .summary = "length: [!] --length min[:max] (the IPv4 total length)",
};

}  // namespace kpath::xt

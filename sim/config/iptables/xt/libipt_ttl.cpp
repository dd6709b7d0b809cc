// ttl match (extensions/libipt_ttl.c): [!] --ttl-eq N (also --ttl N, not invertible),
// --ttl-lt N, --ttl-gt N, one of them. Kernel (ipt_ttl.c ttl_mt): compares iph->ttl.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtTtl;

enum { O_TTL_EQ = 0, O_TTL_LT, O_TTL_GT };
constexpr uint32_t F_ANY = 7;
constexpr std::string_view kTtlExpect = "a TTL 0-255";
constexpr OptEntry kTtlOpts[] = {
    {.name = "ttl-lt", .id = O_TTL_LT, .type = OptType::UINT8, .excl = F_ANY, .expect = kTtlExpect},
    {.name = "ttl-gt", .id = O_TTL_GT, .type = OptType::UINT8, .excl = F_ANY, .expect = kTtlExpect},
    {.name = "ttl-eq", .id = O_TTL_EQ, .type = OptType::UINT8, .flags = XTOPT_INVERT, .excl = F_ANY, .expect = kTtlExpect},
    {.name = "ttl", .id = O_TTL_EQ, .type = OptType::UINT8, .excl = F_ANY, .expect = kTtlExpect},
};

void ttl_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtTtl>(d);
  xtables_option_parse(cb);
  info.ttl = static_cast<uint8_t>(cb.u32);
  switch (cb.entry->id) {
    case O_TTL_EQ: info.mode = cb.invert ? XtTtl::NE : XtTtl::EQ; break;
    case O_TTL_LT: info.mode = XtTtl::LT; break;
    case O_TTL_GT: info.mode = XtTtl::GT; break;
  }
}

void ttl_check(const FcheckCall& cb, kernel::XtMatchData&) {
  if (!(cb.xflags & F_ANY)) cb.error("TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt", "e.g. -m ttl --ttl-lt 2");
}

void ttl_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& t = std::get<XtTtl>(d);
  static constexpr const char* kModes[] = {" --ttl-eq", " ! --ttl-eq", " --ttl-lt", " --ttl-gt"};
  out += fmt::format("{} {}", kModes[t.mode], t.ttl);
}

}  // namespace

extern const MatchExt kTtlMatch = {
    .name = "ttl",
    .opts = kTtlOpts,
    .init = [] { return kernel::XtMatchData{XtTtl{}}; },
    .parse = ttl_parse,
    .fcheck = ttl_check,
    .save = ttl_save,
    .summary = "ttl: [!] --ttl-eq N | --ttl-lt N | --ttl-gt N",
};

}  // namespace kpath::xt

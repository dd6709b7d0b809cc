// TTL target (extensions/libipt_TTL.c): --ttl-set 0-255, --ttl-dec 1-255, --ttl-inc 1-255, one
// of them. Kernel (xt_HL.c ttl_tg, registered as "TTL"): table mangle; inc/dec saturate.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtTtlTarget;

enum { O_TTL_SET = 0, O_TTL_INC, O_TTL_DEC };
constexpr uint32_t F_ANY = 7;
constexpr OptEntry kTtlOpts[] = {
    {.name = "ttl-set", .id = O_TTL_SET, .type = OptType::UINT8, .excl = F_ANY, .expect = "a TTL 0-255"},
    {.name = "ttl-dec", .id = O_TTL_DEC, .type = OptType::UINT8, .excl = F_ANY, .min = 1, .expect = "a step 1-255"},
    {.name = "ttl-inc", .id = O_TTL_INC, .type = OptType::UINT8, .excl = F_ANY, .min = 1, .expect = "a step 1-255"},
};

void ttl_tg_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtTtlTarget>(d);
  xtables_option_parse(cb);
  info.ttl = static_cast<uint8_t>(cb.u32);
  switch (cb.entry->id) {
    case O_TTL_SET: info.mode = XtTtlTarget::SET; break;
    case O_TTL_INC: info.mode = XtTtlTarget::INC; break;
    case O_TTL_DEC: info.mode = XtTtlTarget::DEC; break;
  }
}

void ttl_tg_check(const FcheckCall& cb, kernel::XtTargetData&) {
  if (!(cb.xflags & F_ANY)) cb.error("TTL: You must specify an action", "expected --ttl-set, --ttl-dec or --ttl-inc");
}

void ttl_tg_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& t = std::get<XtTtlTarget>(d);
  static constexpr const char* kModes[] = {" --ttl-set", " --ttl-inc", " --ttl-dec"};
  out += fmt::format("{} {}", kModes[t.mode], t.ttl);
}

}  // namespace

extern const TargetExt kTtlTarget = {
    .name = "TTL",
    .opts = kTtlOpts,
    .kreg = {.table = "mangle"},
    .init = [] { return kernel::XtTargetData{XtTtlTarget{}}; },
    .parse = ttl_tg_parse,
    .fcheck = ttl_tg_check,
    .save = ttl_tg_save,
    .summary = "TTL: --ttl-set N | --ttl-dec N | --ttl-inc N (mangle)",
};

}  // namespace kpath::xt

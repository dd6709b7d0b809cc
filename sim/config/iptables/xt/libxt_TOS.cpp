// TOS target (extensions/libxt_TOS.c revision 1): --set-tos value[/mask] or a TOS name (mask
// 0x3f), --and-tos B, --or-tos B, --xor-tos B, each becoming (value, mask) for the kernel's
// tos = (tos & ~mask) ^ value (xt_DSCP.c tos_tg4); -S prints --set-tos 0xVV/0xMM. Table mangle.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtTosTarget;

enum { O_SET_TOS = 0, O_AND_TOS, O_OR_TOS, O_XOR_TOS };
constexpr uint32_t F_ANY = 0xf;
constexpr OptEntry kTosOpts[] = {
    {.name = "set-tos", .id = O_SET_TOS, .type = OptType::TOSMASK, .excl = F_ANY, .max = 0x3f,
     .expect = "value[/mask] (0-255) or Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service"},
    {.name = "and-tos", .id = O_AND_TOS, .type = OptType::UINT8, .excl = F_ANY, .expect = "bits 0-255"},
    {.name = "or-tos", .id = O_OR_TOS, .type = OptType::UINT8, .excl = F_ANY, .expect = "bits 0-255"},
    {.name = "xor-tos", .id = O_XOR_TOS, .type = OptType::UINT8, .excl = F_ANY, .expect = "bits 0-255"},
};

void tos_tg_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtTosTarget>(d);
  xtables_option_parse(cb);
  const uint8_t b = static_cast<uint8_t>(cb.u32);
  switch (cb.entry->id) {
    case O_SET_TOS: info.value = cb.tos_value; info.mask = cb.tos_mask; break;
    case O_AND_TOS: info.value = 0; info.mask = static_cast<uint8_t>(~b); break;
    case O_OR_TOS: info.value = b; info.mask = b; break;
    case O_XOR_TOS: info.value = b; info.mask = 0; break;
  }
}

void tos_tg_check(const FcheckCall& cb, kernel::XtTargetData&) {
  if (!(cb.xflags & F_ANY)) cb.error("TOS: An action is required", "expected --set-tos, --and-tos, --or-tos or --xor-tos");
}

void tos_tg_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& t = std::get<XtTosTarget>(d);
  out += fmt::format(" --set-tos 0x{:02x}/0x{:02x}", t.value, t.mask);
}

}  // namespace

extern const TargetExt kTosTarget = {
    .name = "TOS",
    .opts = kTosOpts,
    .kreg = {.table = "mangle"},
    .init = [] { return kernel::XtTargetData{XtTosTarget{}}; },
    .parse = tos_tg_parse,
    .fcheck = tos_tg_check,
    .save = tos_tg_save,
    .summary = "TOS: --set-tos V[/M] | --and-tos B | --or-tos B | --xor-tos B (mangle)",
};

}  // namespace kpath::xt

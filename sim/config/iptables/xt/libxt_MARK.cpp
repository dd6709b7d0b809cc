// MARK target (extensions/libxt_MARK.c, revision 2). Every option becomes (value, mask) for the
// kernel's mark = (mark & ~mask) ^ value (xt_mark.c mark_tg); iptables -S prints --set-xmark:
//   --set-xmark V/M -> (V, M)        --set-mark V/M -> (V, M|V)     (M defaults to 0xffffffff)
//   --and-mark B    -> (0, ~B)       --or-mark B    -> (B, B)       --xor-mark B -> (B, 0)
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtMarkTarget;

enum { O_SET_MARK = 0, O_AND_MARK, O_OR_MARK, O_XOR_MARK, O_SET_XMARK };
constexpr uint32_t F_ANY = 0x1f;
constexpr std::string_view kMarkExpect = "value[/mask], numbers in decimal, 0x hex or 0 octal";
constexpr std::string_view kBitsExpect = "a 32-bit number";
constexpr OptEntry kMarkOpts[] = {
    {.name = "set-xmark", .id = O_SET_XMARK, .type = OptType::MARKMASK32, .excl = F_ANY, .expect = kMarkExpect},
    {.name = "set-mark", .id = O_SET_MARK, .type = OptType::MARKMASK32, .excl = F_ANY, .expect = kMarkExpect},
    {.name = "and-mark", .id = O_AND_MARK, .type = OptType::UINT32, .excl = F_ANY, .expect = kBitsExpect},
    {.name = "or-mark", .id = O_OR_MARK, .type = OptType::UINT32, .excl = F_ANY, .expect = kBitsExpect},
    {.name = "xor-mark", .id = O_XOR_MARK, .type = OptType::UINT32, .excl = F_ANY, .expect = kBitsExpect},
};

void mark_tg_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtMarkTarget>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_SET_XMARK: info.value = cb.mark; info.mask = cb.mask; break;
    case O_SET_MARK: info.value = cb.mark; info.mask = cb.mark | cb.mask; break;
    case O_AND_MARK: info.value = 0; info.mask = ~cb.u32; break;
    case O_OR_MARK: info.value = info.mask = cb.u32; break;
    case O_XOR_MARK: info.value = cb.u32; info.mask = 0; break;
  }
}

void mark_tg_check(const FcheckCall& cb, kernel::XtTargetData&) {
  if (cb.xflags == 0)
    cb.error("MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required", "e.g. -j MARK --set-mark 1");
}

void mark_tg_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& m = std::get<XtMarkTarget>(d);
  out += fmt::format(" --set-xmark 0x{:x}/0x{:x}", m.value, m.mask);
}

}  // namespace

extern const TargetExt kMarkTarget = {
    .name = "MARK",
    .opts = kMarkOpts,
    .init = [] { return kernel::XtTargetData{XtMarkTarget{.value = 0, .mask = 0}}; },
    .parse = mark_tg_parse,
    .fcheck = mark_tg_check,
    .save = mark_tg_save,
    .summary = "MARK: --set-mark V[/M], --set-xmark V[/M], --and-mark B, --or-mark B, --xor-mark B",
};

}  // namespace kpath::xt

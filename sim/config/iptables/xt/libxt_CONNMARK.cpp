// CONNMARK target (extensions/libxt_CONNMARK.c, revision 2): set the conntrack mark like MARK,
// or copy between packet and conntrack mark (--save-mark / --restore-mark with --nfmask, --ctmask
// or --mask for both). Bit shifts (--left-shift-mark, --right-shift-mark) are not modelled.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtConnmarkTarget;

enum {
  O_SET_MARK = 0, O_SAVE_MARK, O_RESTORE_MARK, O_AND_MARK, O_OR_MARK, O_XOR_MARK, O_LEFT_SHIFT_MARK,
  O_RIGHT_SHIFT_MARK, O_SET_XMARK, O_CTMASK, O_NFMASK, O_MASK,
};
constexpr uint32_t F_SET_MARK = 1 << O_SET_MARK, F_SAVE_MARK = 1 << O_SAVE_MARK, F_RESTORE_MARK = 1 << O_RESTORE_MARK,
                   F_AND_MARK = 1 << O_AND_MARK, F_OR_MARK = 1 << O_OR_MARK, F_XOR_MARK = 1 << O_XOR_MARK,
                   F_SET_XMARK = 1 << O_SET_XMARK, F_CTMASK = 1 << O_CTMASK, F_NFMASK = 1 << O_NFMASK,
                   F_MASK = 1 << O_MASK;
constexpr uint32_t F_OP_ANY = F_SET_MARK | F_SAVE_MARK | F_RESTORE_MARK | F_AND_MARK | F_OR_MARK | F_XOR_MARK | F_SET_XMARK;
constexpr std::string_view kMarkExpect = "value[/mask], numbers in decimal, 0x hex or 0 octal";
constexpr OptEntry kConnmarkOpts[] = {
    {.name = "set-xmark", .id = O_SET_XMARK, .type = OptType::MARKMASK32, .excl = F_OP_ANY, .expect = kMarkExpect},
    {.name = "set-mark", .id = O_SET_MARK, .type = OptType::MARKMASK32, .excl = F_OP_ANY, .expect = kMarkExpect},
    {.name = "and-mark", .id = O_AND_MARK, .type = OptType::UINT32, .excl = F_OP_ANY, .expect = "a 32-bit number"},
    {.name = "or-mark", .id = O_OR_MARK, .type = OptType::UINT32, .excl = F_OP_ANY, .expect = "a 32-bit number"},
    {.name = "xor-mark", .id = O_XOR_MARK, .type = OptType::UINT32, .excl = F_OP_ANY, .expect = "a 32-bit number"},
    {.name = "save-mark", .id = O_SAVE_MARK, .type = OptType::NONE, .excl = F_OP_ANY},
    {.name = "restore-mark", .id = O_RESTORE_MARK, .type = OptType::NONE, .excl = F_OP_ANY},
    {.name = "left-shift-mark", .id = O_LEFT_SHIFT_MARK, .type = OptType::UINT8, .max = 32, .unmodelled = true},
    {.name = "right-shift-mark", .id = O_RIGHT_SHIFT_MARK, .type = OptType::UINT8, .max = 32, .unmodelled = true},
    {.name = "ctmask", .id = O_CTMASK, .type = OptType::UINT32, .excl = F_MASK, .expect = "a 32-bit mask"},
    {.name = "nfmask", .id = O_NFMASK, .type = OptType::UINT32, .excl = F_MASK, .expect = "a 32-bit mask"},
    {.name = "mask", .id = O_MASK, .type = OptType::UINT32, .excl = F_CTMASK | F_NFMASK, .expect = "a 32-bit mask"},
};

void connmark_tg_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtConnmarkTarget>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_SET_XMARK: info.mode = XtConnmarkTarget::SET; info.ctmark = cb.mark; info.ctmask = cb.mask; break;
    case O_SET_MARK: info.mode = XtConnmarkTarget::SET; info.ctmark = cb.mark; info.ctmask = cb.mark | cb.mask; break;
    case O_AND_MARK: info.mode = XtConnmarkTarget::SET; info.ctmark = 0; info.ctmask = ~cb.u32; break;
    case O_OR_MARK: info.mode = XtConnmarkTarget::SET; info.ctmark = info.ctmask = cb.u32; break;
    case O_XOR_MARK: info.mode = XtConnmarkTarget::SET; info.ctmark = cb.u32; info.ctmask = 0; break;
    case O_SAVE_MARK: info.mode = XtConnmarkTarget::SAVE; break;
    case O_RESTORE_MARK: info.mode = XtConnmarkTarget::RESTORE; break;
    case O_CTMASK: info.ctmask = cb.u32; break;
    case O_NFMASK: info.nfmask = cb.u32; break;
    case O_MASK: info.nfmask = info.ctmask = cb.u32; break;
  }
}

void connmark_tg_check(const FcheckCall& cb, kernel::XtTargetData&) {
  if (!(cb.xflags & F_OP_ANY))
    cb.error("CONNMARK target: No operation specified", "expected --set-mark, --set-xmark, --and/or/xor-mark, --save-mark or --restore-mark");
}

void connmark_tg_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& c = std::get<XtConnmarkTarget>(d);
  switch (c.mode) {
    case XtConnmarkTarget::SET: out += fmt::format(" --set-xmark 0x{:x}/0x{:x}", c.ctmark, c.ctmask); break;
    case XtConnmarkTarget::SAVE: out += fmt::format(" --save-mark --nfmask 0x{:x} --ctmask 0x{:x}", c.nfmask, c.ctmask); break;
    case XtConnmarkTarget::RESTORE: out += fmt::format(" --restore-mark --nfmask 0x{:x} --ctmask 0x{:x}", c.nfmask, c.ctmask); break;
  }
}

}  // namespace

extern const TargetExt kConnmarkTarget = {
    .name = "CONNMARK",
    .opts = kConnmarkOpts,
    .init = [] { return kernel::XtTargetData{XtConnmarkTarget{}}; },
    .parse = connmark_tg_parse,
    .fcheck = connmark_tg_check,
    .save = connmark_tg_save,
    .summary = "CONNMARK: --set-mark V[/M], --set-xmark V[/M], --save-mark, --restore-mark [--nfmask M --ctmask M | --mask M]",
};

}  // namespace kpath::xt

// tos match (extensions/libxt_tos.c revision 1): [!] --tos value[/mask] or a symbolic name
// (Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service),
// XTTYPE_TOSMASK: a number takes mask 0xff, a name mask 0x3f. Kernel (xt_dscp.c tos_mt):
// (iph->tos & mask) == value.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtTos;

enum { O_TOS = 0 };
constexpr OptEntry kTosOpts[] = {
    {.name = "tos", .id = O_TOS, .type = OptType::TOSMASK, .flags = XTOPT_MAND | XTOPT_INVERT, .max = 0x3f,
     .expect = "value[/mask] (0-255) or Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service"},
};

void tos_mt_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtTos>(d);
  xtables_option_parse(cb);
  info.value = cb.tos_value;
  info.mask = cb.tos_mask;
  if (cb.invert) info.invert = true;
}

void tos_mt_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& t = std::get<XtTos>(d);
  if (t.invert) out += " !";
  out += fmt::format(" --tos 0x{:02x}/0x{:02x}", t.value, t.mask);
}

}  // namespace

extern const MatchExt kTosMatch = {
    .name = "tos",
    .opts = kTosOpts,
    .init = [] { return kernel::XtMatchData{XtTos{}}; },
    .parse = tos_mt_parse,
    .save = tos_mt_save,
    .summary = "tos: [!] --tos value[/mask] or a TOS name",
};

}  // namespace kpath::xt

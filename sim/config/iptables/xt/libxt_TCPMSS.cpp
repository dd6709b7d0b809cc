// TCPMSS target (extensions/libxt_TCPMSS.c): --set-mss 0-65515 or --clamp-mss-to-pmtu (the
// later option wins: both write the same field). Kernel (xt_TCPMSS.c): proto TCP
// (xt_check_target), clamping only from FORWARD/OUTPUT/POSTROUTING, and with ip_tables (not
// nft compat) the rule needs a tcp match for SYN (tcpmss_tg4_check). kpath's packets carry no
// TCP options: the target only notes what it would write.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtTcpmss;

constexpr uint16_t XT_TCPMSS_CLAMP_PMTU = 0xffff;
enum { O_SET_MSS = 0, O_CLAMP_MSS };
constexpr OptEntry kTcpmssOpts[] = {
    {.name = "set-mss", .id = O_SET_MSS, .type = OptType::UINT16, .max = 65535 - 20, .expect = "an MSS 0-65515"},
    {.name = "clamp-mss-to-pmtu", .id = O_CLAMP_MSS, .type = OptType::NONE},
};

void tcpmss_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtTcpmss>(d);
  xtables_option_parse(cb);
  info.mss = cb.entry->id == O_CLAMP_MSS ? XT_TCPMSS_CLAMP_PMTU : static_cast<uint16_t>(cb.u32);
}

void tcpmss_check(const FcheckCall& cb, kernel::XtTargetData&) {
  if (cb.xflags == 0) cb.error("TCPMSS target: At least one parameter is required", "expected --set-mss N or --clamp-mss-to-pmtu");
}

void tcpmss_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& t = std::get<XtTcpmss>(d);
  out += t.mss == XT_TCPMSS_CLAMP_PMTU ? std::string(" --clamp-mss-to-pmtu") : fmt::format(" --set-mss {}", t.mss);
}

// tcpmss_tg4_check
std::string tcpmss_tg4_check(const kernel::XtTargetData& d, const CheckParam& par) {
  using namespace kernel;
  const auto& t = std::get<XtTcpmss>(d);
  constexpr uint8_t clamp_ok = (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT) | (1 << NF_INET_POST_ROUTING);
  if (t.mss == XT_TCPMSS_CLAMP_PMTU && (par.hook_mask & ~clamp_ok))
    return "xt_TCPMSS: path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks";
  if (par.nft_compat) return {};
  for (const XtMatch& m : par.entry.matches)  // find_syn_match
    if (auto* tcp = std::get_if<XtTcpUdp>(&m.data); tcp && tcp->proto == 6 && (tcp->flg_cmp & 0x02) && !tcp->inv_flags) return {};
  return "xt_TCPMSS: Only works on TCP SYN packets";
}

}  // namespace

extern const TargetExt kTcpmssTarget = {
    .name = "TCPMSS",
    .opts = kTcpmssOpts,
    .kreg = {.proto = 6},
    .init = [] { return kernel::XtTargetData{XtTcpmss{}}; },
    .parse = tcpmss_parse,
    .fcheck = tcpmss_check,
    .save = tcpmss_save,
    .checkentry = tcpmss_tg4_check,
    .summary = "TCPMSS: --set-mss N | --clamp-mss-to-pmtu (-p tcp; clamping from FORWARD/OUTPUT/POSTROUTING)",
};

}  // namespace kpath::xt

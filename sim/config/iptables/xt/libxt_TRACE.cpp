// TRACE target (extensions/libxt_TRACE.c): no options. ip_tables registers it for table raw
// only (xt_TRACE.c); iptables-nft turns it into `meta nftrace set 1`, valid in any table.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

namespace kpath::xt {
namespace {

using kernel::XtTrace;

std::string trace_check(const kernel::XtTargetData&, const CheckParam& par) {
  if (par.nft_compat || par.table == "raw") return {};
  return fmt::format("x_tables: ip_tables: TRACE target: only valid in raw table, not {}", par.table);
}

}  // namespace

extern const TargetExt kTraceTarget = {
    .name = "TRACE",
    .opts = {},
    .init = [] { return kernel::XtTargetData{XtTrace{}}; },
    .checkentry = trace_check,
    .summary = "TRACE (raw with iptables-legacy)",
};

}  // namespace kpath::xt

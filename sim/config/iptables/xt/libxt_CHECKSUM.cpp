// CHECKSUM target (extensions/libxt_CHECKSUM.c): --checksum-fill, table mangle
// (xt_CHECKSUM.c). It fills in a partial L4 checksum; no effect on the receive path.
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtChecksum;

enum { O_CHECKSUM_FILL = 0 };
constexpr OptEntry kChecksumOpts[] = {
    {.name = "checksum-fill", .id = O_CHECKSUM_FILL, .type = OptType::NONE, .flags = XTOPT_MAND},
};

void checksum_parse(OptCall& cb, kernel::XtTargetData&) { xtables_option_parse(cb); }

void checksum_save(const kernel::XtTargetData&, const kernel::IptIp&, std::string& out) { out += " --checksum-fill"; }

}  // namespace

extern const TargetExt kChecksumTarget = {
    .name = "CHECKSUM",
    .opts = kChecksumOpts,
    .kreg = {.table = "mangle"},
    .init = [] { return kernel::XtTargetData{XtChecksum{}}; },
    .parse = checksum_parse,
    .save = checksum_save,
    .summary = "CHECKSUM: --checksum-fill (mangle)",
};

}  // namespace kpath::xt

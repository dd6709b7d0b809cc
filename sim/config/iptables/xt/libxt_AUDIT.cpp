// AUDIT target (extensions/libxt_AUDIT.c): --type accept|drop|reject (any case); it writes an
// audit record and the packet continues (xt_AUDIT.c).
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtAudit;

enum { O_AUDIT_TYPE = 0 };
constexpr OptEntry kAuditOpts[] = {
    {.name = "type", .id = O_AUDIT_TYPE, .type = OptType::STRING, .flags = XTOPT_MAND, .expect = "accept, drop or reject"},
};
constexpr std::string_view kTypes[] = {"accept", "drop", "reject"};

void audit_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtAudit>(d);
  xtables_option_parse(cb);
  std::string lower = cb.arg;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < std::size(kTypes); ++i)
    if (kTypes[i] == lower) {
      info.type = static_cast<XtAudit::Type>(i);
      return;
    }
  cb.error(fmt::format("Bad action type value \"{}\"", cb.arg));
}

void audit_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  out += fmt::format(" --type {}", kTypes[std::get<XtAudit>(d).type]);
}

}  // namespace

extern const TargetExt kAuditTarget = {
    .name = "AUDIT",
    .opts = kAuditOpts,
    .init = [] { return kernel::XtTargetData{XtAudit{}}; },
    .parse = audit_parse,
    .save = audit_save,
    .summary = "AUDIT: --type accept|drop|reject",
};

}  // namespace kpath::xt

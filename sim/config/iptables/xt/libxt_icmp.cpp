// icmp match (extensions/libipt_icmp.c, libxt_icmp.h names): --icmp-type NAME|TYPE[/CODE].
// iptables-nft loads it through xt compat, so the kernel's xt_match.proto check (icmp only) is
// what refuses it without -p icmp.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtIcmp;

enum { O_ICMP_TYPE = 0 };
constexpr OptEntry kIcmpOpts[] = {
    {.name = "icmp-type", .id = O_ICMP_TYPE, .type = OptType::STRING, .flags = XTOPT_MAND | XTOPT_INVERT,
     .expect = "a type name (echo-request, port-unreachable, any, ...) or TYPE[/CODE]"},
};

struct IcmpName { std::string_view name; uint8_t type, code_min, code_max; };
constexpr IcmpName kIcmpCodes[] = {
    {"any", 0xFF, 0, 0xFF},
    {"echo-reply", 0, 0, 0xFF},
    {"pong", 0, 0, 0xFF},
    {"destination-unreachable", 3, 0, 0xFF},
    {"network-unreachable", 3, 0, 0},
    {"host-unreachable", 3, 1, 1},
    {"protocol-unreachable", 3, 2, 2},
    {"port-unreachable", 3, 3, 3},
    {"fragmentation-needed", 3, 4, 4},
    {"source-route-failed", 3, 5, 5},
    {"network-unknown", 3, 6, 6},
    {"host-unknown", 3, 7, 7},
    {"network-prohibited", 3, 9, 9},
    {"host-prohibited", 3, 10, 10},
    {"TOS-network-unreachable", 3, 11, 11},
    {"TOS-host-unreachable", 3, 12, 12},
    {"communication-prohibited", 3, 13, 13},
    {"host-precedence-violation", 3, 14, 14},
    {"precedence-cutoff", 3, 15, 15},
    {"source-quench", 4, 0, 0xFF},
    {"redirect", 5, 0, 0xFF},
    {"network-redirect", 5, 0, 0},
    {"host-redirect", 5, 1, 1},
    {"TOS-network-redirect", 5, 2, 2},
    {"TOS-host-redirect", 5, 3, 3},
    {"echo-request", 8, 0, 0xFF},
    {"ping", 8, 0, 0xFF},
    {"router-advertisement", 9, 0, 0xFF},
    {"router-solicitation", 10, 0, 0xFF},
    {"time-exceeded", 11, 0, 0xFF},
    {"ttl-exceeded", 11, 0, 0xFF},
    {"ttl-zero-during-transit", 11, 0, 0},
    {"ttl-zero-during-reassembly", 11, 1, 1},
    {"parameter-problem", 12, 0, 0xFF},
    {"ip-header-bad", 12, 0, 0},
    {"required-option-missing", 12, 1, 1},
    {"timestamp-request", 13, 0, 0xFF},
    {"timestamp-reply", 14, 0, 0xFF},
    {"address-mask-request", 17, 0, 0xFF},
    {"address-mask-reply", 18, 0, 0xFF},
};

// strncasecmp(name, arg, strlen(arg)) == 0: arg is a case-insensitive prefix of name.
bool iprefix(std::string_view name, std::string_view arg) {
  if (arg.size() > name.size()) return false;
  for (size_t i = 0; i < arg.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(name[i])) != std::tolower(static_cast<unsigned char>(arg[i]))) return false;
  return true;
}

void icmp_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtIcmp>(d);
  xtables_option_parse(cb);
  const IcmpName* match = nullptr;
  for (const IcmpName& n : kIcmpCodes) {
    if (!iprefix(n.name, cb.arg)) continue;
    if (match) cb.error(fmt::format("Ambiguous ICMP type `{}': `{}' or `{}'?", cb.arg, match->name, n.name));
    match = &n;
  }
  if (match) {
    info.type = match->type;
    info.code_min = match->code_min;
    info.code_max = match->code_max;
  } else {
    size_t end = 0;
    uint32_t type;
    if (!xtables_strtoui(cb.arg, &end, &type, 0, 255) || (end < cb.arg.size() && cb.arg[end] != '/'))
      cb.error(fmt::format("Unknown ICMP type `{}'", cb.arg));
    info.type = static_cast<uint8_t>(type);
    info.code_min = 0;
    info.code_max = 0xFF;
    if (end < cb.arg.size()) {
      uint32_t code;
      if (!xtables_strtoui(std::string_view(cb.arg).substr(end + 1), nullptr, &code, 0, 255))
        cb.error(fmt::format("Unknown ICMP code `{}'", cb.arg));
      info.code_min = info.code_max = static_cast<uint8_t>(code);
    }
  }
  if (cb.invert) info.invert = true;
}

void icmp_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& i = std::get<XtIcmp>(d);
  if (i.invert) out += " !";
  if (i.type == 0xFF) {
    out += " --icmp-type any";
    return;
  }
  out += fmt::format(" --icmp-type {}", i.type);
  if (i.code_min != 0 || i.code_max != 0xFF) out += fmt::format("/{}", i.code_min);
}

}  // namespace

extern const MatchExt kIcmpMatch = {
    .name = "icmp",
    .opts = kIcmpOpts,
    .kreg = {.proto = 1},
    .init = [] { return kernel::XtMatchData{XtIcmp{}}; },
    .parse = icmp_parse,
    .save = icmp_save,
    .summary = "icmp: [!] --icmp-type NAME|TYPE[/CODE]",
};

}  // namespace kpath::xt

// REJECT target (extensions/libipt_REJECT.c). --reject-with takes any case-insensitive prefix of
// a name or alias, first table entry wins ("icmp" = icmp-net-unreachable). Kernel (ipt_REJECT.c):
// table filter, hooks INPUT/FORWARD/OUTPUT; reject_tg_check wants -p tcp for tcp-reset.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtReject;

enum { O_REJECT_WITH = 0 };
constexpr OptEntry kRejectOpts[] = {
    {.name = "reject-with", .id = O_REJECT_WITH, .type = OptType::STRING,
     .expect = "icmp-net-unreachable, icmp-host-unreachable, icmp-port-unreachable, icmp-proto-unreachable, "
               "icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited or tcp-reset"},
};

struct RejectName { std::string_view name, alias; XtReject::With with; };
constexpr RejectName kRejectTable[] = {
    {"icmp-net-unreachable", "net-unreach", XtReject::NET_UNREACH},
    {"icmp-host-unreachable", "host-unreach", XtReject::HOST_UNREACH},
    {"icmp-proto-unreachable", "proto-unreach", XtReject::PROT_UNREACH},
    {"icmp-port-unreachable", "port-unreach", XtReject::PORT_UNREACH},
    {"icmp-net-prohibited", "net-prohib", XtReject::NET_PROHIBITED},
    {"icmp-host-prohibited", "host-prohib", XtReject::HOST_PROHIBITED},
    {"tcp-reset", "tcp-rst", XtReject::TCP_RESET},
    {"icmp-admin-prohibited", "admin-prohib", XtReject::ADMIN_PROHIBITED},
};

bool iprefix(std::string_view name, std::string_view arg) {
  if (arg.size() > name.size()) return false;
  for (size_t i = 0; i < arg.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(name[i])) != std::tolower(static_cast<unsigned char>(arg[i]))) return false;
  return true;
}

void reject_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtReject>(d);
  xtables_option_parse(cb);
  for (const RejectName& r : kRejectTable)
    if (iprefix(r.name, cb.arg) || iprefix(r.alias, cb.arg)) {
      info.with = r.with;
      return;
    }
  cb.error(fmt::format("unknown reject type \"{}\"", cb.arg));
}

void reject_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& r = std::get<XtReject>(d);
  for (const RejectName& n : kRejectTable)
    if (n.with == r.with) {
      out += " --reject-with ";
      out += n.name;
      return;
    }
}

// reject_tg_check (net/ipv4/netfilter/ipt_REJECT.c)
std::string reject_tg_check(const kernel::XtTargetData& d, const CheckParam& par) {
  const auto& r = std::get<XtReject>(d);
  const kernel::IptIp& ip = par.entry.ip;
  if (r.with == XtReject::ECHOREPLY) return "ipt_REJECT: ECHOREPLY no longer supported.";
  if (r.with == XtReject::TCP_RESET && (ip.proto != 6 || ip.inv_proto)) return "ipt_REJECT: TCP_RESET invalid for non-tcp";
  return {};
}

}  // namespace

extern const TargetExt kRejectTarget = {
    .name = "REJECT",
    .opts = kRejectOpts,
    .kreg = {.table = "filter",
             .hooks = (1 << kernel::NF_INET_LOCAL_IN) | (1 << kernel::NF_INET_FORWARD) | (1 << kernel::NF_INET_LOCAL_OUT)},
    .init = [] { return kernel::XtTargetData{XtReject{}}; },
    .parse = reject_parse,
    .save = reject_save,
    .checkentry = reject_tg_check,
    .summary = "REJECT: [--reject-with TYPE] (filter INPUT/FORWARD/OUTPUT; tcp-reset needs -p tcp)",
};

}  // namespace kpath::xt

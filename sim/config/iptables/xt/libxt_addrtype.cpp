// addrtype match (extensions/libxt_addrtype.c, revision 1): route type of the source/destination
// address, bit per RTN_* value. The kernel (addrtype_mt_checkentry_v1) refuses interface limits
// on hooks where that interface does not exist.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtAddrtype;

enum { O_SRC_TYPE = 0, O_DST_TYPE, O_LIMIT_IFACE_IN, O_LIMIT_IFACE_OUT };
constexpr uint32_t F_LIMIT_IFACE_IN = 1 << O_LIMIT_IFACE_IN, F_LIMIT_IFACE_OUT = 1 << O_LIMIT_IFACE_OUT;
constexpr std::string_view kTypes = "a comma list of UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, "
                                    "UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE";
constexpr OptEntry kAddrtypeOpts[] = {
    {.name = "src-type", .id = O_SRC_TYPE, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = kTypes},
    {.name = "dst-type", .id = O_DST_TYPE, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = kTypes},
    {.name = "limit-iface-in", .id = O_LIMIT_IFACE_IN, .type = OptType::NONE, .excl = F_LIMIT_IFACE_OUT},
    {.name = "limit-iface-out", .id = O_LIMIT_IFACE_OUT, .type = OptType::NONE, .excl = F_LIMIT_IFACE_IN},
};

// linux/rtnetlink.h order
constexpr std::string_view kRtnNames[] = {"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
                                          "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"};

// parse_type: strncasecmp(name, rtn_names[i], len) == 0, first hit wins
bool parse_type(std::string_view name, uint16_t& mask) {
  for (size_t i = 0; i < std::size(kRtnNames); ++i) {
    const std::string_view n = kRtnNames[i];
    if (name.size() > n.size()) continue;
    bool eq = true;
    for (size_t k = 0; k < name.size(); ++k)
      if (std::toupper(static_cast<unsigned char>(name[k])) != n[k]) { eq = false; break; }
    if (eq) {
      mask |= static_cast<uint16_t>(1u << i);
      return true;
    }
  }
  return false;
}

void parse_types(const OptCall& cb, uint16_t& mask) {
  std::string_view arg = cb.arg;
  size_t comma;
  while ((comma = arg.find(',')) != std::string_view::npos) {
    if (comma == 0 || !parse_type(arg.substr(0, comma), mask)) cb.error(fmt::format("addrtype: bad type `{}'", arg));
    arg = arg.substr(comma + 1);
  }
  if (arg.empty() || !parse_type(arg, mask)) cb.error(fmt::format("addrtype: bad type \"{}\"", arg));
}

void addrtype_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtAddrtype>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_SRC_TYPE:
      parse_types(cb, info.source);
      if (cb.invert) info.inv_src = true;
      break;
    case O_DST_TYPE:
      parse_types(cb, info.dest);
      if (cb.invert) info.inv_dst = true;
      break;
    case O_LIMIT_IFACE_IN: info.limit_iface_in = true; break;
    case O_LIMIT_IFACE_OUT: info.limit_iface_out = true; break;
  }
}

void addrtype_check(const FcheckCall& cb, kernel::XtMatchData&) {
  if (!(cb.xflags & ((1 << O_SRC_TYPE) | (1 << O_DST_TYPE))))
    cb.error("addrtype: you must specify --src-type or --dst-type");
}

void print_types(std::string& out, uint16_t mask) {
  const char* sep = "";
  for (size_t i = 0; i < std::size(kRtnNames); ++i)
    if (mask & (1u << i)) {
      out += sep;
      out += kRtnNames[i];
      sep = ",";
    }
}

void addrtype_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& a = std::get<XtAddrtype>(d);
  if (a.source) {
    if (a.inv_src) out += " !";
    out += " --src-type ";
    print_types(out, a.source);
  }
  if (a.dest) {
    if (a.inv_dst) out += " !";
    out += " --dst-type ";
    print_types(out, a.dest);
  }
  if (a.limit_iface_in) out += " --limit-iface-in";
  if (a.limit_iface_out) out += " --limit-iface-out";
}

// addrtype_mt_checkentry_v1 (net/netfilter/xt_addrtype.c)
std::string addrtype_checkentry(const kernel::XtMatchData& d, const CheckParam& par) {
  using namespace kernel;
  const uint8_t hook_mask = par.hook_mask;
  const auto& a = std::get<XtAddrtype>(d);
  if (a.limit_iface_in && a.limit_iface_out) return "xt_addrtype: both incoming and outgoing interface limitation cannot be selected";
  if ((hook_mask & ((1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_IN))) && a.limit_iface_out)
    return "xt_addrtype: output interface limitation not valid in PREROUTING and INPUT";
  if ((hook_mask & ((1 << NF_INET_POST_ROUTING) | (1 << NF_INET_LOCAL_OUT))) && a.limit_iface_in)
    return "xt_addrtype: input interface limitation not valid in POSTROUTING and OUTPUT";
  return {};
}

}  // namespace

extern const MatchExt kAddrtypeMatch = {
    .name = "addrtype",
    .opts = kAddrtypeOpts,
    .init = [] { return kernel::XtMatchData{XtAddrtype{}}; },
    .parse = addrtype_parse,
    .fcheck = addrtype_check,
    .save = addrtype_save,
    .checkentry = addrtype_checkentry,
    .summary = "addrtype: [!] --src-type/--dst-type TYPE[,...], --limit-iface-in|--limit-iface-out",
};

}  // namespace kpath::xt

// pkttype match (extensions/libxt_pkttype.c): [!] --pkt-type unicast|broadcast|multicast|
// otherhost (aliases host, bcast, mcast; any case). Kernel (xt_pkttype.c): skb->pkt_type, which
// eth_type_trans sets from the frame's destination MAC (kpath: the packet spec's `broadcast`,
// `multicast` or `otherhost`).
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtPkttype;

enum { O_PKTTYPE = 0 };
constexpr OptEntry kPkttypeOpts[] = {
    {.name = "pkt-type", .id = O_PKTTYPE, .type = OptType::STRING, .flags = XTOPT_MAND | XTOPT_INVERT,
     .expect = "unicast, broadcast, multicast or otherhost"},
};

struct PktType { std::string_view name; uint8_t type; };
// supported_types: PACKET_HOST 0, PACKET_BROADCAST 1, PACKET_MULTICAST 2, PACKET_OTHERHOST 3
constexpr PktType kTypes[] = {
    {"unicast", 0}, {"broadcast", 1}, {"multicast", 2}, {"otherhost", 3}, {"bcast", 1}, {"mcast", 2}, {"host", 0},
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

void pkttype_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtPkttype>(d);
  xtables_option_parse(cb);
  const PktType* t = nullptr;
  for (const PktType& p : kTypes)
    if (iequals(p.name, cb.arg)) { t = &p; break; }
  if (!t) cb.error(fmt::format("Bad packet type '{}'", cb.arg));
  info.pkttype = t->type;
  if (cb.invert) info.invert = true;
}

void pkttype_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& p = std::get<XtPkttype>(d);
  out += p.invert ? " ! --pkt-type " : " --pkt-type ";
  for (const PktType& t : kTypes)
    if (t.type == p.pkttype) {
      out += t.name;
      return;
    }
  out += std::to_string(p.pkttype);
}

}  // namespace

extern const MatchExt kPkttypeMatch = {
    .name = "pkttype",
    .opts = kPkttypeOpts,
    .init = [] { return kernel::XtMatchData{XtPkttype{}}; },
    .parse = pkttype_parse,
    .save = pkttype_save,
    .summary = "pkttype: [!] --pkt-type unicast|broadcast|multicast|otherhost",
};

}  // namespace kpath::xt

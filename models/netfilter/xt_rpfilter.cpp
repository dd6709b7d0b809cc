// The rpfilter match (net/ipv4/netfilter/ipt_rpfilter.c rpfilter_mt, registered from
// xt_rpfilter.h): a FIB lookup of the packet's source from the loopback device, as
// fib_validate_source does, but with its own verdict: the route back must be unicast (or local
// with --accept-local) and leave by the in-device, unless --loose.
#include <fmt/format.h>
#include "models/fib/fib_frontend.hpp"
#include "models/instantiate.hpp"
#include "models/netfilter/xt_ext.hpp"

namespace kpath::kernel {

namespace {

// rpfilter_get_saddr: multicast, limited broadcast and zeronet destinations give no source.
Ipv4Addr rpfilter_get_saddr(Ipv4Addr a) { return a.is_multicast() || a.is_lbcast() || a.is_zeronet() ? Ipv4Addr{} : a; }

std::string flags_text(uint8_t f) {
  std::string s;
  if (f & XtRpfilter::LOOSE) s += " --loose";
  if (f & XtRpfilter::VALID_MARK) s += " --validmark";
  if (f & XtRpfilter::ACCEPT_LOCAL) s += " --accept-local";
  if (f & XtRpfilter::INVERT) s += " --invert";
  return s.empty() ? std::string(" (strict)") : s;
}

}  // namespace

template <typename T>
bool rpfilter_mt(const Net& net, const SkBuff& skb, int in, const XtRpfilter& info, Origin origin, std::string& why, T& t) {
  const Packet& p = skb.pkt;
  const bool invert = info.flags & XtRpfilter::INVERT;
  // The test passed (true) or failed; --invert matches the packets that fail it.
  auto result = [&](bool passed, auto&& text) {
    const bool ok = passed != invert;
    if (!ok) why = fmt::format("rpfilter{}: {}", flags_text(info.flags), text());
    else t.step("rpfilter_mt", origin, [&] { return fmt::format("rpfilter{}: {}: matched", flags_text(info.flags), text()); });
    return ok;
  };
  const NetDevice* dev = net.dev(in);
  // rpfilter_is_loopback
  if (!dev || dev->is_loopback())
    return result(true, [] { return std::string("the packet came in on the loopback device: no reverse-path test"); });
  if (p.saddr.is_zeronet() && (p.daddr.is_lbcast() || p.daddr.is_local_multicast()))
    return result(true, [&] { return fmt::format("source 0.0.0.0 to {}: allowed without a lookup (DHCP and IGMP)", p.daddr); });

  Flowi4 fl;
  fl.iif = LOOPBACK_IFINDEX;
  fl.daddr = p.saddr;
  fl.saddr = rpfilter_get_saddr(p.daddr);
  fl.mark = (info.flags & XtRpfilter::VALID_MARK) ? skb.mark : 0;
  fl.tos = p.tos & 0xfc;
  fl.ignore_linkstate = true;  // FIB_LOOKUP_IGNORE_LINKSTATE
  t.step("rpfilter_mt", origin, [&] {
    return fmt::format("reverse lookup of source {} (from {}, mark 0x{:x}) for in-device {}", fl.daddr, fl.saddr, fl.mark, dev->name);
  });
  t.push();
  const FibResult res = fib_lookup(net, fl, t, LookupKind::reverse);
  t.pop();
  // rpfilter_lookup_reverse
  if (res.err)
    return result(false, [&] { return fmt::format("no route back to {} ({})", p.saddr, errno_name(-res.err)); });
  if (res.type != RTN_UNICAST && (res.type != RTN_LOCAL || !(info.flags & XtRpfilter::ACCEPT_LOCAL)))
    return result(false, [&] {
      return fmt::format("the route back to {} is {}{}", p.saddr, kRtnKernelNames[res.type],
                         res.type == RTN_LOCAL ? " (a local source; --accept-local allows it)" : "");
    });
  bool uses_dev = false;  // fib_info_nh_uses_dev: any nexthop on the in-device
  std::string via;
  if (res.fa)
    for (const FibNh& nh : res.fa->nhs) {
      via += fmt::format("{}{}", via.empty() ? "" : ",", net.dev_name(nh.dev));
      if (nh.dev == in) uses_dev = true;
    }
  if (uses_dev)
    return result(true, [&] { return fmt::format("the route back to {} leaves by the in-device {}", p.saddr, dev->name); });
  if (info.flags & XtRpfilter::LOOSE)
    return result(true, [&] { return fmt::format("the route back to {} leaves by {} (--loose: any device will do)", p.saddr, via); });
  return result(false, [&] {
    return fmt::format("the route back to {} leaves by {}, not by the in-device {}", p.saddr, via.empty() ? "?" : via, dev->name);
  });
}

#define X(T) template bool rpfilter_mt<T>(const Net&, const SkBuff&, int, const XtRpfilter&, Origin, std::string&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

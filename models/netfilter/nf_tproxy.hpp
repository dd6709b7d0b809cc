// The socket lookups xt_TPROXY and nft_tproxy share (include/net/netfilter/nf_tproxy.h,
// net/ipv4/netfilter/nf_tproxy_ipv4.c), and the addresses nf_nat's REDIRECT/MASQUERADE pick.
#pragma once
#include <optional>
#include "models/net.hpp"
#include "models/route.hpp"
#include "models/skbuff.hpp"

namespace kpath::kernel {

// nf_tproxy_laddr4: the user's address, else the in-device's first primary address, else daddr.
inline Ipv4Addr nf_tproxy_laddr4(const Net& net, int in, Ipv4Addr user_laddr, Ipv4Addr daddr) {
  if (!user_laddr.is_zero()) return user_laddr;
  const NetDevice* d = net.dev(in);
  const InIfaddr* a = d ? d->primary_addr() : nullptr;
  return a ? a->local : daddr;
}

struct TproxyLookup {
  int sk = -1;             // socket found, -1 = none
  bool established = false;  // found by the packet's own tuple (NF_TPROXY_LOOKUP_ESTABLISHED)
  Ipv4Addr laddr;
  uint16_t lport = 0;
};

// tproxy_tg4 / nft_tproxy_eval_v4: an established socket for the packet's own tuple, else a
// listener on (laddr, lport).
inline TproxyLookup nf_tproxy_get_sock_v4(const Net& net, const Packet& p, int in, Ipv4Addr user_laddr, uint16_t user_lport) {
  TproxyLookup r;
  r.laddr = nf_tproxy_laddr4(net, in, user_laddr, p.daddr);
  r.lport = user_lport ? user_lport : p.dport;
  r.sk = net.socks.lookup_established(p.protocol, p.saddr, p.sport, p.daddr, p.dport, in);
  r.established = r.sk >= 0;
  if (r.sk < 0) r.sk = net.socks.lookup_listener(p.protocol, r.laddr, r.lport, in);
  return r;
}

// nf_nat_redirect_ipv4: 127.0.0.1 from OUTPUT, else the in-device's first primary address
// (none: the packet is dropped).
inline std::optional<Ipv4Addr> nf_nat_redirect_addr(const Net& net, NfHook hook, int in) {
  if (hook == NF_INET_LOCAL_OUT) return Ipv4Addr{0x7f000001};
  const NetDevice* d = net.dev(in);
  const InIfaddr* a = d ? d->primary_addr() : nullptr;
  if (!a) return std::nullopt;
  return a->local;
}

// nf_nat_masquerade_ipv4: the address output routing picks on the out-device.
inline Ipv4Addr nf_nat_masquerade_addr(const Net& net, int out, Ipv4Addr daddr) {
  const NetDevice* od = net.dev(out);
  return od ? inet_select_addr(net, *od, daddr) : Ipv4Addr{};
}

}  // namespace kpath::kernel

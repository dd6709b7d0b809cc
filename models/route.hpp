// Input and output route lookups and ip_error (net/ipv4/route.c).
#pragma once
#include "models/fib/fib_frontend.hpp"
#include "models/net.hpp"
#include "models/skbuff.hpp"
#include "models/stage.hpp"

namespace kpath::kernel {

// Drop helper: records reason, tracepoint location and the config object to blame.
inline Stage kfree_skb_reason(SkBuff& skb, DropReason r, const char* location, Origin o = {}) {
  skb.reason = r;
  skb.drop_function = location;
  skb.drop_origin = o;
  return Stage::kfree_skb;
}

// What ip_route_input_noref needs from a packet (also what `ip route get ... iif` builds).
struct RouteInputKey {
  Ipv4Addr daddr, saddr;
  uint8_t tos = 0;
  int iif = 0;
  uint32_t mark = 0;
  uint8_t proto = 0;
  uint16_t sport = 0, dport = 0;
};

// ip_route_input_noref → ip_route_input_rcu → ip_route_input_mc | ip_route_input_slow.
// Returns NOT_DROPPED and fills `dst` on success (an ip_error route is a success), else the
// drop reason (6.13+ semantics; the profile maps it for older kernels).
template <typename T>
DropReason ip_route_input_noref(const Net& net, const RouteInputKey& key, Dst& dst, Origin& blame, T& t);

// ip_route_output_key for packets the host sends (replies, ICMP errors). `anysrc` is
// FLOWI_FLAG_ANYSRC (transparent sockets). Returns 0 or -errno; dst.dev is the out device.
template <typename T>
int ip_route_output_key(const Net& net, Flowi4& fl, Dst& dst, bool anysrc, T& t);


// Source address the kernel picks on `dev` for a destination (inet_select_addr).
Ipv4Addr inet_select_addr(const Net& net, const NetDevice& dev, Ipv4Addr dst);

}  // namespace kpath::kernel

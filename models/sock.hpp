// The socket table and the lookups the receive path makes (net/ipv4/inet_hashtables.c,
// net/ipv4/udp.c): established 4-tuple first, then the best-scoring listener/bound socket.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "models/inet.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

inline constexpr uint8_t IPPROTO_ICMP_ = 1, IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17;

enum class SockState : uint8_t { Listen, Established, Bound /* UDP, unconnected */, Connected /* UDP */ };

struct Sock {
  uint8_t proto = IPPROTO_TCP_;
  SockState state = SockState::Listen;
  Ipv4Addr laddr;  uint16_t lport = 0;
  Ipv4Addr raddr;  uint16_t rport = 0;
  bool transparent = false;   // IP_TRANSPARENT
  uint32_t mark = 0;          // SO_MARK (sk_mark)
  int bound_dev = 0;          // SO_BINDTODEVICE ifindex, 0 = any
  Origin origin;
};

struct SockTable {
  std::vector<Sock> socks;
  // __inet_lookup_established / UDP connected: exact 4-tuple, -1 if none.
  int lookup_established(uint8_t proto, Ipv4Addr saddr, uint16_t sport, Ipv4Addr daddr, uint16_t dport, int dif) const;
  // __inet_lookup_listener / udp4_lib_lookup unconnected part: best score (exact laddr beats
  // wildcard, bound device beats unbound), -1 if none.
  int lookup_listener(uint8_t proto, Ipv4Addr daddr, uint16_t dport, int dif) const;
  // inet_lookup: established, then listener.
  int lookup(uint8_t proto, Ipv4Addr saddr, uint16_t sport, Ipv4Addr daddr, uint16_t dport, int dif) const {
    int i = lookup_established(proto, saddr, sport, daddr, dport, dif);
    return i >= 0 ? i : lookup_listener(proto, daddr, dport, dif);
  }
};

}  // namespace kpath::kernel

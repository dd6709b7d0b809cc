#include "models/sock.hpp"

namespace kpath::kernel {

int SockTable::lookup_established(uint8_t proto, Ipv4Addr saddr, uint16_t sport, Ipv4Addr daddr, uint16_t dport, int dif) const {
  const SockState want = proto == IPPROTO_TCP_ ? SockState::Established : SockState::Connected;
  for (size_t i = 0; i < socks.size(); ++i) {
    const Sock& s = socks[i];
    if (s.proto != proto || s.state != want) continue;
    if (s.laddr == daddr && s.lport == dport && s.raddr == saddr && s.rport == sport &&
        (s.bound_dev == 0 || s.bound_dev == dif))
      return static_cast<int>(i);
  }
  return -1;
}

int SockTable::lookup_listener(uint8_t proto, Ipv4Addr daddr, uint16_t dport, int dif) const {
  const SockState want = proto == IPPROTO_TCP_ ? SockState::Listen : SockState::Bound;
  int best = -1, best_score = -1;
  for (size_t i = 0; i < socks.size(); ++i) {
    const Sock& s = socks[i];
    if (s.proto != proto || s.state != want || s.lport != dport) continue;
    // compute_score(): a specific local address must match; it scores higher than wildcard
    int score = 1;
    if (!s.laddr.is_zero()) {
      if (s.laddr != daddr) continue;
      score += 4;
    }
    if (s.bound_dev) {
      if (s.bound_dev != dif) continue;
      score += 4;
    }
    if (score > best_score) { best = static_cast<int>(i); best_score = score; }
  }
  return best;
}

}  // namespace kpath::kernel

// __icmp_send (net/ipv4/icmp.c): whether an ICMP error is emitted for an skb, from which
// address, and the counters of a sent error. Rate limits: a single explained packet always
// meets a fresh inet_peer bucket (kernel-path.md §16.3), so they never suppress here.
#pragma once
#include "models/net.hpp"
#include "models/skbuff.hpp"

namespace kpath::kernel {
inline constexpr uint8_t ICMP_ECHOREPLY = 0, ICMP_DEST_UNREACH = 3, ICMP_REDIRECT = 5, ICMP_ECHO = 8, ICMP_TIME_EXCEEDED = 11, ICMP_PARAMETERPROB = 12;
inline constexpr uint8_t ICMP_NET_UNREACH = 0, ICMP_HOST_UNREACH = 1, ICMP_PROT_UNREACH = 2, ICMP_PORT_UNREACH = 3, ICMP_FRAG_NEEDED = 4,
                         ICMP_NET_ANO = 9, ICMP_HOST_ANO = 10, ICMP_PKT_FILTERED = 13;

// Returns true when the error is sent (counters added to skb.counters).
template <typename T>
bool icmp_send(const Net& net, SkBuff& skb, uint8_t type, uint8_t code, uint32_t info, T& t, const char* caller);

// Counts one locally generated IP packet leaving (IpOutRequests, IpOutTransmits; profile aware).
void ip_local_out_count(const Net& net, SkBuff& skb);
}  // namespace kpath::kernel

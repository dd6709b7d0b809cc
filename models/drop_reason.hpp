// Drop reasons, one X-macro list like DEFINE_DROP_REASON in include/net/dropreason-core.h.
// Names are the enum skb_drop_reason names without the SKB_DROP_REASON_ prefix.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace kpath::kernel {

#define KPATH_DROP_REASONS(X)                                                                      \
  X(NOT_DROPPED, "none: the packet was consumed (consume_skb)")                                    \
  X(NOT_SPECIFIED, "kfree_skb() without a specific reason")                                       \
  X(OTHERHOST, "L2 destination is not this host (PACKET_OTHERHOST)")                             \
  X(IP_INHDR, "bad IPv4 header (version, ihl, length) or TTL expired while forwarding")            \
  X(IP_CSUM, "bad IPv4 header checksum")                                                         \
  X(PKT_TOO_SMALL, "tot_len beyond the received data, or a short L4 header")                     \
  X(NETFILTER_DROP, "dropped by a netfilter rule or policy")                                     \
  X(IP_RPFILTER, "reverse path filter (rp_filter) failed")                                       \
  X(IP_INVALID_SOURCE, "martian source: multicast, limited broadcast or 0.0.0.0")                \
  X(IP_LOCAL_SOURCE, "martian source: one of our own addresses and accept_local is off")         \
  X(IP_LOCALNET, "127.0.0.0/8 source or destination without route_localnet")                     \
  X(IP_INVALID_DEST, "martian destination: 0.0.0.0, or an anycast/multicast route")              \
  X(INVALID_PROTO, "protocol not valid on this route (ICMP on broadcast, ...)")                  \
  X(UNICAST_IN_L2_MULTICAST, "unicast IP in an L2 broadcast/multicast frame")                    \
  X(IP_INADDRERRORS, "ip_error: no usable route and forwarding is off (IpInAddrErrors)")         \
  X(IP_INNOROUTES, "ip_error: network unreachable (IpExtInNoRoutes)")                             \
  X(PKT_TOO_BIG, "DF set and larger than the path MTU")                                          \
  X(IP_NOPROTO, "no handler for this IP protocol")                                               \
  X(NO_SOCKET, "no socket for this TCP/UDP packet")                                              \
  X(TCP_CSUM, "bad TCP checksum")                                                                \
  X(UDP_CSUM, "bad UDP checksum")                                                                \
  X(SOCKET_FILTER, "socket filter")                                                              \
  X(TCP_FLAGS, "TCP flags invalid for the socket's state (e.g. a bare ACK to a listener)")       \
  X(TCP_RESET, "a RST was received (here: to a listener, which ignores it)")                                                              \
  X(IP_OUTNOROUTES, "no output route")

enum class DropReason : uint8_t {
#define X(e, doc) e,
  KPATH_DROP_REASONS(X)
#undef X
      Count
};

inline constexpr std::array<std::string_view, static_cast<size_t>(DropReason::Count)> kDropReasonNames = {
#define X(e, doc) #e,
    KPATH_DROP_REASONS(X)
#undef X
};
inline constexpr std::array<std::string_view, static_cast<size_t>(DropReason::Count)> kDropReasonDocs = {
#define X(e, doc) doc,
    KPATH_DROP_REASONS(X)
#undef X
};
constexpr std::string_view drop_reason_name(DropReason r) { return kDropReasonNames[static_cast<size_t>(r)]; }
constexpr std::string_view drop_reason_doc(DropReason r) { return kDropReasonDocs[static_cast<size_t>(r)]; }

}  // namespace kpath::kernel

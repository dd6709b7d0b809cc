// The vertices of the packet-path graph: kernel functions and netfilter hooks of the IPv4
// receive, forward and local-delivery path (kernel-path.md §4). The engine in sim/engine
// walks them; each model stage returns the next one.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace kpath::kernel {

#define KPATH_STAGES(X)                                                              \
  X(ip_rcv, "ip_rcv", "ip_rcv_core: L2 type and IPv4 header sanity")                \
  X(nf_pre_routing, "NF_INET_PRE_ROUTING", "netfilter PREROUTING: raw, conntrack, mangle, nat") \
  X(ip_rcv_finish, "ip_rcv_finish", "ip_rcv_finish_core: early demux, input route")  \
  X(ip_route_input_slow, "ip_route_input_slow", "martians, fib_lookup, route type") \
  X(dst_input, "dst_input", "inline: calls skb_dst(skb)->input")                    \
  X(ip_local_deliver, "ip_local_deliver", "local delivery")                         \
  X(nf_local_in, "NF_INET_LOCAL_IN", "netfilter INPUT")                             \
  X(ip_local_deliver_finish, "ip_local_deliver_finish", "protocol demux")           \
  X(tcp_v4_rcv, "tcp_v4_rcv", "TCP receive: socket lookup")                         \
  X(udp_rcv, "udp_rcv", "UDP receive: socket lookup")                               \
  X(icmp_rcv, "icmp_rcv", "ICMP receive")                                           \
  X(ip_forward, "ip_forward", "forwarding checks, TTL")                             \
  X(nf_forward, "NF_INET_FORWARD", "netfilter FORWARD")                             \
  X(ip_forward_finish, "ip_forward_finish", "dst_output")                           \
  X(ip_output, "ip_output", "output")                                               \
  X(nf_post_routing, "NF_INET_POST_ROUTING", "netfilter POSTROUTING")               \
  X(ip_finish_output2, "ip_finish_output2", "handed to the neighbour layer")         \
  X(ip_error, "ip_error", "error route: counters, ICMP, drop")                      \
  X(consume_skb, "consume_skb", "packet consumed (delivered or transmitted)")       \
  X(kfree_skb, "kfree_skb_reason", "packet dropped")

enum class Stage : uint8_t {
#define X(e, name, doc) e,
  KPATH_STAGES(X)
#undef X
      Count
};
inline constexpr size_t kStageCount = static_cast<size_t>(Stage::Count);
inline constexpr std::array<std::string_view, kStageCount> kStageNames = {
#define X(e, name, doc) name,
    KPATH_STAGES(X)
#undef X
};
inline constexpr std::array<std::string_view, kStageCount> kStageDocs = {
#define X(e, name, doc) doc,
    KPATH_STAGES(X)
#undef X
};
constexpr std::string_view stage_name(Stage s) { return kStageNames[static_cast<size_t>(s)]; }
constexpr bool stage_is_terminal(Stage s) { return s == Stage::consume_skb || s == Stage::kfree_skb; }

}  // namespace kpath::kernel

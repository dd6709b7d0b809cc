// Stage functions after the route decision: L4 receive (net/ipv4/tcp_ipv4.c, udp.c, icmp.c)
// and forwarding/output (net/ipv4/ip_forward.c, ip_output.c).
#pragma once
#include "models/net.hpp"
#include "models/skbuff.hpp"
#include "models/stage.hpp"

namespace kpath::kernel {
template <typename T> Stage tcp_v4_rcv(const Net& net, SkBuff& skb, T& t);
template <typename T> Stage udp_rcv(const Net& net, SkBuff& skb, T& t);
template <typename T> Stage icmp_rcv(const Net& net, SkBuff& skb, T& t);
template <typename T> Stage ip_forward(const Net& net, SkBuff& skb, T& t);
template <typename T> Stage nf_forward(const Net& net, SkBuff& skb, T& t);
template <typename T> Stage ip_forward_finish(const Net& net, SkBuff& skb, T& t);
template <typename T> Stage ip_output(const Net& net, SkBuff& skb, T& t);
template <typename T> Stage nf_post_routing(const Net& net, SkBuff& skb, T& t);
template <typename T> Stage ip_finish_output2(const Net& net, SkBuff& skb, T& t);
}  // namespace kpath::kernel

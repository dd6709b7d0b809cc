#include "sim/engine/path_graph.hpp"
#include <boost/range/iterator_range.hpp>

namespace kpath {

using kernel::Stage;

const std::vector<PathEdge>& PathGraph::edges() {
  static const std::vector<PathEdge> e = {
      {Stage::ip_rcv, Stage::nf_pre_routing, "header ok"},
      {Stage::ip_rcv, Stage::kfree_skb, "bad header / otherhost"},
      {Stage::nf_pre_routing, Stage::ip_rcv_finish, "NF_ACCEPT"},
      {Stage::nf_pre_routing, Stage::kfree_skb, "NF_DROP"},
      {Stage::ip_rcv_finish, Stage::dst_input, "route attached"},
      {Stage::ip_rcv_finish, Stage::kfree_skb, "martian / rp_filter"},
      {Stage::ip_route_input_slow, Stage::dst_input, "rtable"},
      {Stage::dst_input, Stage::ip_local_deliver, "RTN_LOCAL / RTN_BROADCAST"},
      {Stage::dst_input, Stage::ip_forward, "RTN_UNICAST, forwarding on"},
      {Stage::dst_input, Stage::ip_error, "error route"},
      {Stage::ip_local_deliver, Stage::nf_local_in, ""},
      {Stage::nf_local_in, Stage::ip_local_deliver_finish, "NF_ACCEPT"},
      {Stage::nf_local_in, Stage::kfree_skb, "NF_DROP"},
      {Stage::ip_local_deliver_finish, Stage::tcp_v4_rcv, "TCP"},
      {Stage::ip_local_deliver_finish, Stage::udp_rcv, "UDP"},
      {Stage::ip_local_deliver_finish, Stage::icmp_rcv, "ICMP"},
      {Stage::ip_local_deliver_finish, Stage::kfree_skb, "unknown protocol"},
      {Stage::tcp_v4_rcv, Stage::consume_skb, "queued to a socket"},
      {Stage::tcp_v4_rcv, Stage::kfree_skb, "no socket"},
      {Stage::udp_rcv, Stage::consume_skb, "queued to a socket"},
      {Stage::udp_rcv, Stage::kfree_skb, "no socket"},
      {Stage::icmp_rcv, Stage::consume_skb, "consumed"},
      {Stage::icmp_rcv, Stage::kfree_skb, "ignored"},
      {Stage::ip_forward, Stage::nf_forward, "checks passed"},
      {Stage::ip_forward, Stage::kfree_skb, "socket attached / TTL / too big"},
      {Stage::nf_forward, Stage::ip_forward_finish, "NF_ACCEPT"},
      {Stage::nf_forward, Stage::kfree_skb, "NF_DROP"},
      {Stage::ip_forward_finish, Stage::ip_output, "dst_output"},
      {Stage::ip_output, Stage::nf_post_routing, ""},
      {Stage::nf_post_routing, Stage::ip_finish_output2, "NF_ACCEPT"},
      {Stage::nf_post_routing, Stage::kfree_skb, "NF_DROP"},
      {Stage::ip_finish_output2, Stage::consume_skb, "transmitted"},
      {Stage::ip_error, Stage::kfree_skb, "dropped"},
  };
  return e;
}

PathGraph::PathGraph() : g_(kernel::kStageCount) {
  for (size_t i = 0; i < kernel::kStageCount; ++i) g_[i] = static_cast<Stage>(i);
  for (const auto& e : edges()) {
    boost::add_edge(static_cast<size_t>(e.from), static_cast<size_t>(e.to), e.label, g_);
    adj_[static_cast<size_t>(e.from)].set(static_cast<size_t>(e.to));
  }
}

std::vector<Stage> PathGraph::predecessors_of(Stage target) const {
  // Reverse BFS over the graph's edges.
  std::vector<Stage> out{target};
  std::bitset<kernel::kStageCount> seen;
  seen.set(static_cast<size_t>(target));
  for (size_t qi = 0; qi < out.size(); ++qi) {
    for (auto e : boost::make_iterator_range(boost::edges(g_))) {
      const size_t a = boost::source(e, g_), b = boost::target(e, g_);
      if (b == static_cast<size_t>(out[qi]) && !seen.test(a)) { seen.set(a); out.push_back(static_cast<Stage>(a)); }
    }
  }
  return out;
}

}  // namespace kpath

#include "sim/engine/explain.hpp"
#include <fmt/format.h>
#include "sim/engine/hints.hpp"
#include "sim/engine/packet_spec.hpp"
#include "sim/engine/run.hpp"

namespace kpath {

using namespace kernel;

std::string_view disposition_name(Disposition d) {
  switch (d) {
    case Disposition::deliver: return "deliver";
    case Disposition::forward: return "forward";
    case Disposition::drop: return "drop";
  }
  return "drop";
}

// The call chain a skb:kfree_skb probe shows at each drop location, innermost first: the frames
// above ip_rcv, then the softirq receive of a veth (process_backlog) below it.
std::vector<std::string> kfree_skb_stack(std::string_view loc) {
  static const std::vector<std::string> rx = {"ip_rcv", "__netif_receive_skb_one_core", "__netif_receive_skb", "process_backlog", "__napi_poll",
                                              "net_rx_action", "handle_softirqs", "do_softirq", "__local_bh_enable_ip", "__dev_queue_xmit"};
  static const std::vector<std::string> deliver = {"ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver", "ip_rcv_finish"};
  std::vector<std::string> s{"kfree_skb_reason"};
  auto add = [&](std::initializer_list<std::string_view> l) { for (auto x : l) s.emplace_back(x); };
  auto l4 = [&](std::initializer_list<std::string_view> l) {  // an L4 handler under local delivery
    add(l);
    s.insert(s.end(), deliver.begin(), deliver.end());
  };
  if (loc == "ip_error" || loc == "ip_forward" || loc == "ip_rcv_finish_core") add({loc, "ip_rcv_finish"});
  else if (loc == "nft_do_chain") add({"nft_do_chain", "nft_do_chain_ipv4", "nf_hook_slow"});
  else if (loc == "ip_local_deliver_finish") add({loc, "ip_local_deliver", "ip_rcv_finish"});
  else if (loc == "tcp_rcv_state_process") l4({loc, "tcp_v4_do_rcv", "tcp_v4_rcv"});
  else if (loc == "tcp_v4_do_rcv") l4({loc, "tcp_v4_rcv"});
  else if (loc == "tcp_v4_rcv" || loc == "__udp4_lib_rcv" || loc == "icmp_rcv") l4({loc});
  else if (loc != "ip_rcv") add({loc});  // ip_rcv_core, nf_hook_slow, ...
  s.insert(s.end(), rx.begin(), rx.end());
  return s;
}

Verdict make_verdict(const Net& net, const SkBuff& skb) {
  Verdict v;
  v.counters = skb.counters;
  v.mark = skb.mark;
  v.reply = skb.reply;
  if (skb.reply_suppressed) v.reply_suppressed = skb.reply_suppressed;
  if (skb.icmp_type >= 0) v.icmp = std::make_pair(skb.icmp_type, skb.icmp_code);
  if (skb.delivered) v.disposition = Disposition::deliver;
  else if (skb.forwarded) v.disposition = Disposition::forward;
  else v.disposition = Disposition::drop;
  if (!skb.delivered && !skb.forwarded) {
    v.drop_reason = skb.reason;
    v.drop_function = skb.drop_function ? skb.drop_function : "";
    v.drop_origin = skb.drop_origin;
    v.kernel_stack = kfree_skb_stack(v.drop_function);
  } else if (skb.reason != DropReason::NOT_DROPPED) {
    v.drop_reason = skb.reason;
  }
  const int sk = skb.delivered_sk >= 0 ? skb.delivered_sk : -1;
  if (sk >= 0) {
    const Sock& s = net.socks.socks[static_cast<size_t>(sk)];
    v.socket = Verdict::Socket{s.proto == IPPROTO_TCP_ ? "tcp" : "udp", s.laddr, s.lport, s.transparent, s.origin};
  }
  if (skb.forwarded) {
    Verdict::Egress e{std::string(net.dev_name(skb.out_dev)), std::nullopt};
    if (!skb.out_gw.is_zero()) e.via = skb.out_gw;
    v.egress = e;
  }
  if (skb.has_dst) {
    if (skb.dst.table) v.table = skb.dst.table;
    if (skb.dst.rule_index >= 0) v.rule = net.rules[static_cast<size_t>(skb.dst.rule_index)].pref;
    if (skb.dst.route) v.route_origin = skb.dst.route->origin;
  }
  return v;
}

Explanation explain_packet(const Net& net, const PathGraph& g, const Packet& pkt) {
  RecordingTracer t;
  RunResult r = run_packet(net, g, pkt, t);
  Explanation e;
  e.packet = pkt;
  e.packet_text = packet_to_string(pkt, net);
  e.host = net.name;
  e.verdict = make_verdict(net, r.skb);
  e.steps = std::move(t.steps);
  e.path = std::move(r.path);
  e.hints = make_hints(net, r.skb, e.verdict);
  return e;
}

}  // namespace kpath

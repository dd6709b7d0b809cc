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

// The call chain of a receive on a veth (softirq, process_backlog), below the drop location.
std::vector<std::string> kfree_skb_stack(std::string_view loc) {
  static const std::vector<std::string> rx = {"__netif_receive_skb_one_core", "__netif_receive_skb", "process_backlog", "__napi_poll",
                                              "net_rx_action", "handle_softirqs", "do_softirq", "__local_bh_enable_ip", "__dev_queue_xmit"};
  std::vector<std::string> s{"kfree_skb_reason"};
  auto add = [&](std::initializer_list<const char*> l) { for (auto* x : l) s.emplace_back(x); };
  if (loc == "ip_error") add({"ip_error", "ip_rcv_finish", "ip_rcv"});
  else if (loc == "ip_forward") add({"ip_forward", "ip_rcv_finish", "ip_rcv"});
  else if (loc == "ip_rcv_finish_core") add({"ip_rcv_finish_core", "ip_rcv_finish", "ip_rcv"});
  else if (loc == "ip_rcv_core") add({"ip_rcv_core", "ip_rcv"});
  else if (loc == "nft_do_chain" || loc == "nf_hook_slow") add({loc == "nft_do_chain" ? "nft_do_chain" : "nf_hook_slow", "nf_hook_slow", "ip_rcv"});
  else if (loc == "tcp_v4_do_rcv") add({"tcp_v4_do_rcv", "tcp_v4_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver", "ip_rcv_finish", "ip_rcv"});
  else if (loc == "tcp_rcv_state_process") add({"tcp_rcv_state_process", "tcp_v4_do_rcv", "tcp_v4_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver", "ip_rcv_finish", "ip_rcv"});
  else if (loc == "tcp_v4_rcv") add({"tcp_v4_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver", "ip_rcv_finish", "ip_rcv"});
  else if (loc == "__udp4_lib_rcv") add({"__udp4_lib_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver", "ip_rcv_finish", "ip_rcv"});
  else if (loc == "icmp_rcv") add({"icmp_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver", "ip_rcv_finish", "ip_rcv"});
  else if (loc == "ip_local_deliver_finish") add({"ip_local_deliver_finish", "ip_local_deliver", "ip_rcv_finish", "ip_rcv"});
  else add({std::string(loc).c_str()});
  if (s.size() > 1 && s[1] == "nft_do_chain") s[2] = "nft_do_chain_ipv4";
  for (auto& x : rx) s.push_back(x);
  // de-duplicate a repeated nf_hook_slow for the legacy location
  for (size_t i = 1; i + 1 < s.size(); ++i) if (s[i] == s[i + 1]) s.erase(s.begin() + static_cast<long>(i));
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

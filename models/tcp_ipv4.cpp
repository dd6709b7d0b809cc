// tcp_v4_rcv (net/ipv4/tcp_ipv4.c): the socket TPROXY attached first (skb_steal_sock), then
// established, then listener; no socket → RST (tcp_v4_send_reset) and NO_SOCKET.
#include <fmt/format.h>
#include "models/icmp.hpp"
#include "models/instantiate.hpp"
#include "models/l4.hpp"
#include "models/route.hpp"

namespace kpath::kernel {

static std::string sk_desc(const Sock& s) {
  return fmt::format("tcp {} {}:{}{}", s.state == SockState::Listen ? "listener" : "established", s.laddr, s.lport, s.transparent ? " (transparent)" : "");
}

// Route and count a segment the host sends in reply (RST via ip_send_unicast_reply, SYN-ACK via
// ip_build_and_send_pkt). Returns true when it leaves.
template <typename T>
static bool tcp_send_reply(const Net& net, SkBuff& skb, bool anysrc, uint32_t mark, const char* what, bool count_outnoroutes, T& t) {
  const Packet& p = skb.pkt;
  t.step("ip_route_output_key", {}, [&] {
    return fmt::format("output route for the {} {} -> {} (mark 0x{:x}{})", what, p.daddr, p.saddr, mark, anysrc ? ", transparent socket: any source allowed" : "");
  });
  Flowi4 fl;
  fl.daddr = p.saddr;
  fl.saddr = p.daddr;
  fl.mark = mark;
  fl.proto = IPPROTO_TCP_;
  fl.sport = p.dport;
  fl.dport = p.sport;
  Dst out;
  t.push();
  int err = ip_route_output_key(net, fl, out, anysrc, t);
  t.pop();
  if (err) {
    if (count_outnoroutes) skb.counters.inc(Snmp::IpOutNoRoutes);
    t.step("ip_route_output_key", {}, [&] {
      return fmt::format("the {} from {} to {} cannot be routed ({}): it is never sent", what, p.daddr, p.saddr, errno_name(-err));
    }, StepKind::Info);
    skb.reply_suppressed = !anysrc && !net.addr_is_configured(p.daddr)
                               ? "the reply's source (the packet's destination) is not a local address, so output routing refuses it"
                               : "no usable output route back to the client";
    return false;
  }
  ip_local_out_count(net, skb);
  t.step("ip_local_out", {}, [&] {
    return fmt::format("{} {}:{} -> {}:{} leaves via {}", what, p.daddr, p.dport, p.saddr, p.sport, net.dev_name(out.dev));
  });
  return true;
}

template <typename T>
Stage tcp_v4_rcv(const Net& net, SkBuff& skb, T& t) {
  const Packet& p = skb.pkt;
  skb.counters.inc(Snmp::IpInDelivers);  // ip_protocol_deliver_rcu counts after the handler returns
  if (p.pkt_type != PktType::HOST) {
    t.step("tcp_v4_rcv", {}, [&] { return std::string("pkt_type is not PACKET_HOST (L2 broadcast/multicast frame): discarded"); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::NOT_SPECIFIED, "tcp_v4_rcv");
  }
  skb.counters.inc(Snmp::TcpInSegs);
  int sk = -1;
  if (skb.sk >= 0) {
    sk = skb.sk;
    t.step("tcp_v4_rcv", skb.sk_origin, [&] { return fmt::format("skb_steal_sock: uses the socket TPROXY assigned: {}", sk_desc(net.socks.socks[static_cast<size_t>(sk)])); });
  } else {
    sk = net.socks.lookup(IPPROTO_TCP_, p.saddr, p.sport, p.daddr, p.dport, skb.dev);
    if (sk >= 0)
      t.step("__inet_lookup_skb", net.socks.socks[static_cast<size_t>(sk)].origin, [&] { return fmt::format("found {}", sk_desc(net.socks.socks[static_cast<size_t>(sk)])); });
  }
  if (sk < 0) {
    t.step("__inet_lookup_skb", {}, [&] { return fmt::format("no socket for {}:{}", p.daddr, p.dport); }, StepKind::Drop);
    if (!(p.tcp_flags & TCPHDR_RST)) {
      skb.counters.inc(Snmp::TcpOutSegs);
      skb.counters.inc(Snmp::TcpOutRsts);
      if (tcp_send_reply(net, skb, false, net.sysctl.get(NetSysctlKey::fwmark_reflect) ? skb.mark : 0, "RST", false, t)) skb.reply = ReplyKind::rst;
    }
    return kfree_skb_reason(skb, DropReason::NO_SOCKET, "tcp_v4_rcv");
  }
  const Sock& s = net.socks.socks[static_cast<size_t>(sk)];
  skb.delivered_sk = sk;
  if (s.state == SockState::Listen) {
    const bool syn = (p.tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) == TCPHDR_SYN;
    if (p.tcp_flags & TCPHDR_RST) {
      t.step("tcp_rcv_state_process", s.origin, [&] { return std::string("RST to a listener: discarded"); }, StepKind::Drop);
      return kfree_skb_reason(skb, DropReason::TCP_RESET, "tcp_rcv_state_process");
    }
    if (syn) {
      t.step("tcp_conn_request", s.origin, [&] { return fmt::format("SYN to the listener on port {}: a request socket answers with SYN-ACK", s.lport); });
      const uint32_t mark = net.sysctl.get(NetSysctlKey::tcp_fwmark_accept) ? skb.mark : s.mark;
      // inet_csk_route_req: without a route the request is dropped (IpOutNoRoutes, ListenDrops), nothing is sent
      if (tcp_send_reply(net, skb, s.transparent, mark, "SYN-ACK", true, t)) {
        skb.counters.inc(Snmp::TcpOutSegs);
        skb.reply = ReplyKind::syn_ack;
      } else {
        skb.counters.inc(Snmp::TcpExtListenDrops);
      }
      skb.delivered = true;
      return Stage::consume_skb;
    }
    t.step("tcp_v4_do_rcv", s.origin, [&] { return std::string("segment without SYN for a listener and no request socket: answered with RST"); }, StepKind::Drop);
    skb.counters.inc(Snmp::TcpOutSegs);
    skb.counters.inc(Snmp::TcpOutRsts);
    if (tcp_send_reply(net, skb, s.transparent, 0, "RST", false, t)) skb.reply = ReplyKind::rst;
    return kfree_skb_reason(skb, DropReason::TCP_FLAGS, "tcp_v4_do_rcv");
  }
  t.step("tcp_v4_do_rcv", s.origin, [&] { return std::string("segment queued to the established socket"); });
  skb.delivered = true;
  return Stage::consume_skb;
}

#define X(T) template Stage tcp_v4_rcv<T>(const Net&, SkBuff&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

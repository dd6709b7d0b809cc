// __udp4_lib_rcv (net/ipv4/udp.c) and icmp_rcv (net/ipv4/icmp.c).
#include <fmt/format.h>
#include "models/icmp.hpp"
#include "models/instantiate.hpp"
#include "models/l4.hpp"
#include "models/route.hpp"

namespace kpath::kernel {

template <typename T>
Stage udp_rcv(const Net& net, SkBuff& skb, T& t) {
  const Packet& p = skb.pkt;
  skb.counters.inc(Snmp::IpInDelivers);
  if (skb.sk >= 0) {
    skb.delivered_sk = skb.sk;
    skb.delivered = true;
    t.step("__udp4_lib_rcv", skb.sk_origin, [&] { return fmt::format("skb_steal_sock: queued to the socket TPROXY assigned (UdpInDatagrams counts when the application reads)"); });
    return Stage::consume_skb;
  }
  if (skb.dst.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) {
    int sk = net.socks.lookup_listener(IPPROTO_UDP_, p.daddr, p.dport, skb.dev);
    if (sk < 0) {
      skb.counters.inc(Snmp::UdpIgnoredMulti);
      t.step("__udp4_lib_mcast_deliver", {}, [&] { return fmt::format("broadcast/multicast datagram to port {} and no socket: UdpIgnoredMulti +1", p.dport); }, StepKind::Drop);
      return kfree_skb_reason(skb, DropReason::NOT_SPECIFIED, "__udp4_lib_rcv");
    }
    skb.delivered_sk = sk;
    skb.delivered = true;
    t.step("__udp4_lib_mcast_deliver", net.socks.socks[static_cast<size_t>(sk)].origin, [&] { return std::string("delivered to the bound socket"); });
    return Stage::consume_skb;
  }
  int sk = net.socks.lookup(IPPROTO_UDP_, p.saddr, p.sport, p.daddr, p.dport, skb.dev);
  if (sk >= 0) {
    skb.delivered_sk = sk;
    skb.delivered = true;
    t.step("__udp4_lib_lookup", net.socks.socks[static_cast<size_t>(sk)].origin, [&] { return fmt::format("queued to the socket bound to port {}", p.dport); });
    return Stage::consume_skb;
  }
  skb.counters.inc(Snmp::UdpNoPorts);
  t.step("__udp4_lib_rcv", {}, [&] { return fmt::format("no socket for {}:{}: UdpNoPorts +1, ICMP port unreachable", p.daddr, p.dport); }, StepKind::Drop);
  icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, t, "__udp4_lib_rcv");
  return kfree_skb_reason(skb, DropReason::NO_SOCKET, "__udp4_lib_rcv");
}

template <typename T>
Stage icmp_rcv(const Net& net, SkBuff& skb, T& t) {
  const Packet& p = skb.pkt;
  skb.counters.inc(Snmp::IpInDelivers);
  skb.counters.inc(Snmp::IcmpInMsgs);
  if (p.icmp_type == ICMP_ECHO) { skb.counters.inc(Snmp::IcmpInEchos); skb.counters.inc(Snmp::IcmpMsgInType8); }
  if (skb.dst.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) {
    const bool query = p.icmp_type == ICMP_ECHO || p.icmp_type == 13 || p.icmp_type == 17 || p.icmp_type == 0 || p.icmp_type == 14 || p.icmp_type == 18;
    const bool echo = p.icmp_type == ICMP_ECHO || p.icmp_type == 13;
    if (!query || (echo && net.sysctl.get(NetSysctlKey::icmp_echo_ignore_broadcasts))) {
      skb.counters.inc(Snmp::IcmpInErrors);
      t.step("icmp_rcv", net.sysctl.origin[static_cast<size_t>(NetSysctlKey::icmp_echo_ignore_broadcasts)], [&] {
        return std::string("ICMP on a broadcast/multicast route ignored (icmp_echo_ignore_broadcasts): IcmpInErrors +1");
      }, StepKind::Drop);
      return kfree_skb_reason(skb, DropReason::INVALID_PROTO, "icmp_rcv");
    }
  }
  if (p.icmp_type == ICMP_ECHO) {
    if (net.sysctl.get(NetSysctlKey::icmp_echo_ignore_all)) {
      t.step("icmp_echo", {}, [&] { return std::string("icmp_echo_ignore_all: no reply"); });
      skb.delivered = true;
      return Stage::consume_skb;
    }
    // icmp_reply: source = the request's destination, routed like local output
    Flowi4 fl;
    fl.daddr = p.saddr;
    fl.saddr = p.daddr;
    fl.mark = net.sysctl.get(NetSysctlKey::fwmark_reflect) ? skb.mark : 0;
    Dst out;
    NullTracer nt;
    bool anysrc = (skb.dst.flags & RTCF_BROADCAST) != 0;
    if (anysrc) fl.saddr = Ipv4Addr{};
    if (ip_route_output_key(net, fl, out, false, nt) == 0) {
      skb.counters.inc(Snmp::IcmpOutMsgs);
      skb.counters.inc(Snmp::IcmpOutEchoReps);
      skb.counters.inc(Snmp::IcmpMsgOutType0);
      ip_local_out_count(net, skb);
      skb.reply = ReplyKind::echo_reply;
      t.step("icmp_echo", {}, [&] { return fmt::format("echo reply {} -> {} via {}", fl.saddr, p.saddr, net.dev_name(out.dev)); });
    } else {
      skb.reply_suppressed = "no output route for the echo reply (nothing is counted)";
      t.step("icmp_echo", {}, [&] { return std::string("the echo reply has no output route: it vanishes without a counter"); });
    }
  } else {
    t.step("icmp_rcv", {}, [&] { return fmt::format("ICMP type {} consumed", p.icmp_type); });
  }
  skb.delivered = true;
  return Stage::consume_skb;
}

#define X(T)                                                   \
  template Stage udp_rcv<T>(const Net&, SkBuff&, T&);         \
  template Stage icmp_rcv<T>(const Net&, SkBuff&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

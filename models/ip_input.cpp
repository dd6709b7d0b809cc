// ip_rcv / ip_rcv_core, PRE_ROUTING, ip_rcv_finish / ip_rcv_finish_core, dst_input,
// ip_local_deliver, LOCAL_IN, ip_local_deliver_finish (net/ipv4/ip_input.c).
#include <fmt/format.h>
#include "models/icmp.hpp"
#include "models/instantiate.hpp"
#include "models/netfilter/nf_hook.hpp"
#include "models/route.hpp"
#include "models/stages.hpp"
#include "models/l4.hpp"

namespace kpath::kernel {

SkBuff skb_from_packet(const Packet& p) {
  SkBuff skb;
  skb.pkt = p;
  if (!skb.pkt.tot_len) skb.pkt.tot_len = p.computed_tot_len();
  skb.len = p.frame_len ? p.frame_len : std::max<uint32_t>(p.computed_tot_len(), p.ihl * 4u);
  skb.dev = p.iif;
  skb.mark = p.mark;
  skb.orig_daddr = p.daddr;
  skb.orig_dport = p.dport;
  return skb;
}


template <typename T>
static Stage ip_rcv_core(const Net& net, SkBuff& skb, T& t) {
  const Packet& p = skb.pkt;
  const NetDevice* in = net.dev(skb.dev);
  if (p.pkt_type == PktType::OTHERHOST) {
    t.step("ip_rcv_core", {}, [&] { return std::string("frame not addressed to our MAC (PACKET_OTHERHOST): dropped before any IP processing, no SNMP counter"); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::OTHERHOST, "ip_rcv_core");
  }
  skb.counters.inc(Snmp::IpInReceives);
  if (p.version != 4 || p.ihl < 5) {
    skb.counters.inc(Snmp::IpInHdrErrors);
    t.step("ip_rcv_core", {}, [&] { return fmt::format("bad header: version {} ihl {}", p.version, p.ihl); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::IP_INHDR, "ip_rcv_core");
  }
  if (skb.len < p.ihl * 4u) {
    skb.counters.inc(Snmp::IpInHdrErrors);
    t.step("ip_rcv_core", {}, [&] { return fmt::format("only {} bytes for a {}-byte header", skb.len, p.ihl * 4); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::IP_INHDR, "ip_rcv_core");
  }
  if (p.bad_csum) {
    skb.counters.inc(Snmp::IpExtInCsumErrors);
    skb.counters.inc(Snmp::IpInHdrErrors);
    t.step("ip_rcv_core", {}, [&] { return std::string("header checksum wrong"); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::IP_CSUM, "ip_rcv_core");
  }
  if (p.tot_len > skb.len) {
    skb.counters.inc(Snmp::IpExtInTruncatedPkts);
    t.step("ip_rcv_core", {}, [&] { return fmt::format("tot_len {} larger than the {} bytes received", p.tot_len, skb.len); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::PKT_TOO_SMALL, "ip_rcv_core");
  }
  if (p.tot_len < p.ihl * 4u) {
    skb.counters.inc(Snmp::IpInHdrErrors);
    t.step("ip_rcv_core", {}, [&] { return fmt::format("tot_len {} smaller than the header", p.tot_len); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::IP_INHDR, "ip_rcv_core");
  }
  t.step("ip_rcv_core", {}, [&] {
    return fmt::format("IPv4 header ok ({} -> {}, ttl {}, tot_len {}) on {}: IpInReceives +1", p.saddr, p.daddr, p.ttl, p.tot_len,
                       in ? in->name : "?");
  });
  return Stage::nf_pre_routing;
}

template <typename T>
static Stage nf_pre_routing(const Net& net, SkBuff& skb, T& t) {
  NfHookResult r = nf_hook_slow(net, skb, NF_INET_PRE_ROUTING, skb.dev, 0, t);
  if (r.verdict == NfVerdict::DROP) return kfree_skb_reason(skb, DropReason::NETFILTER_DROP, nf_drop_location(net, r), r.origin);
  return Stage::ip_rcv_finish;
}

template <typename T>
static Stage ip_rcv_finish(const Net& net, SkBuff& skb, T& t) {
  const Packet& p = skb.pkt;
  const NetDevice* in = net.dev(skb.dev);
  // early demux (tcp_v4_early_demux): only without an attached socket
  if (skb.sk < 0 && net.sysctl.get(NetSysctlKey::ip_early_demux) && p.protocol == IPPROTO_TCP_ &&
      net.sysctl.get(NetSysctlKey::tcp_early_demux)) {
    int sk = net.socks.lookup_established(IPPROTO_TCP_, p.saddr, p.sport, p.daddr, p.dport, skb.dev);
    if (sk >= 0) {
      t.step("tcp_v4_early_demux", net.socks.socks[static_cast<size_t>(sk)].origin, [&] {
        return std::string("established socket found; its cached input route stays valid until the FIB changes, so the lookup below gives the same answer");
      });
    }
  } else if (skb.sk >= 0) {
    t.step("ip_rcv_finish_core", skb.sk_origin, [&] { return std::string("skb already has a socket (TPROXY): early demux skipped"); });
  }
  RouteInputKey key{p.daddr, p.saddr, static_cast<uint8_t>(p.tos & 0xfc), skb.dev, skb.mark, p.protocol, p.sport, p.dport};
  t.step("ip_route_input_noref", {}, [&] {
    return fmt::format("route lookup for {} -> {} from {} with mark 0x{:x}", p.saddr, p.daddr, in ? in->name : "?", skb.mark);
  });
  Origin blame;
  t.push();
  DropReason reason = ip_route_input_noref(net, key, skb.dst, blame, t);
  t.pop();
  if (reason != DropReason::NOT_DROPPED) {
    if (reason == DropReason::IP_RPFILTER) skb.counters.inc(Snmp::TcpExtIPReversePathFilter);
    if (!net.profile.route_input_reasons && reason != DropReason::IP_RPFILTER) reason = DropReason::NOT_SPECIFIED;
    t.step("ip_rcv_finish_core", blame, [&] { return fmt::format("input route lookup failed: drop reason {}", drop_reason_name(reason)); }, StepKind::Drop);
    return kfree_skb_reason(skb, reason, "ip_rcv_finish_core", blame);
  }
  skb.has_dst = true;
  if (p.ip_options && p.lsrr && in && !net.conf(*in, DevConfKey::accept_source_route).value) {
    t.step("ip_rcv_options", {}, [&] { return std::string("source-route option and accept_source_route is off"); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::NOT_SPECIFIED, "ip_rcv_finish_core");
  }
  if (skb.dst.rt_type == RTN_MULTICAST) skb.counters.inc(Snmp::IpExtInMcastPkts);
  else if (skb.dst.rt_type == RTN_BROADCAST) skb.counters.inc(Snmp::IpExtInBcastPkts);
  else if ((p.pkt_type == PktType::BROADCAST || p.pkt_type == PktType::MULTICAST) && in &&
           net.conf(*in, DevConfKey::drop_unicast_in_l2_multicast).value) {
    t.step("ip_rcv_finish_core", net.conf(*in, DevConfKey::drop_unicast_in_l2_multicast).origin, [&] {
      return std::string("unicast IP in an L2 broadcast/multicast frame and drop_unicast_in_l2_multicast is on");
    }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::UNICAST_IN_L2_MULTICAST, "ip_rcv_finish_core");
  }
  return Stage::dst_input;
}

template <typename T>
static Stage dst_input_stage(const Net& net, SkBuff& skb, T& t) {
  const char* fn = skb.dst.input == DstInput::ip_local_deliver ? "ip_local_deliver"
                   : skb.dst.input == DstInput::ip_forward      ? "ip_forward"
                                                                 : "ip_error";
  t.step("dst_input", {}, [&] {
    return fmt::format("ip_rcv_finish calls dst_input(skb), an inline indirect call of skb_dst(skb)->input = {} (a stack shows {} directly under ip_rcv_finish)",
                       fn, fn);
  });
  switch (skb.dst.input) {
    case DstInput::ip_local_deliver: return Stage::ip_local_deliver;
    case DstInput::ip_forward: return Stage::ip_forward;
    default: return Stage::ip_error;
  }
}

template <typename T>
static Stage ip_error_stage(const Net& net, SkBuff& skb, T& t) {
  const NetDevice* in = net.dev(skb.dev);
  if (!in) return kfree_skb_reason(skb, DropReason::NOT_SPECIFIED, "ip_error");
  const auto fwd = net.conf(*in, DevConfKey::forwarding);
  const int err = skb.dst.error;
  const Origin blame = skb.dst.route ? skb.dst.route->origin : Origin{};
  if (!fwd.value) {
    if (err == EHOSTUNREACH) {
      skb.counters.inc(Snmp::IpInAddrErrors);
      t.step("ip_error", blame, [&] {
        return fmt::format("dst.error EHOSTUNREACH and forwarding is off on {}: IpInAddrErrors +1, no ICMP (ip_error only sends ICMP when the in-device forwards)", in->name);
      }, StepKind::Drop);
      skb.reply_suppressed = "forwarding is off on the in-device: ip_error sends no ICMP";
      return kfree_skb_reason(skb, DropReason::IP_INADDRERRORS, "ip_error", blame);
    }
    if (err == ENETUNREACH) {
      skb.counters.inc(Snmp::IpExtInNoRoutes);
      t.step("ip_error", blame, [&] { return std::string("dst.error ENETUNREACH, forwarding off: IpExtInNoRoutes +1, no ICMP"); }, StepKind::Drop);
      return kfree_skb_reason(skb, DropReason::IP_INNOROUTES, "ip_error", blame);
    }
    t.step("ip_error", blame, [&] { return fmt::format("dst.error {}, forwarding off: dropped silently", errno_name(err).substr(1)); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::NOT_SPECIFIED, "ip_error", blame);
  }
  int code = -1;
  DropReason reason = DropReason::NOT_SPECIFIED;
  switch (err) {
    case EHOSTUNREACH: code = ICMP_HOST_UNREACH; break;
    case ENETUNREACH:
      code = ICMP_NET_UNREACH;
      skb.counters.inc(Snmp::IpExtInNoRoutes);
      reason = DropReason::IP_INNOROUTES;
      break;
    case EACCES: code = ICMP_PKT_FILTERED; break;
    default: break;
  }
  t.step("ip_error", blame, [&] {
    return code < 0 ? fmt::format("dst.error {} (blackhole): dropped without ICMP", errno_name(err).substr(1))
                    : fmt::format("dst.error {} with forwarding on: ICMP destination unreachable code {}{}", errno_name(err).substr(1), code,
                                  err == ENETUNREACH ? ", IpExtInNoRoutes +1" : "");
  }, StepKind::Drop);
  if (code >= 0) icmp_send(net, skb, ICMP_DEST_UNREACH, static_cast<uint8_t>(code), 0, t, "ip_error");
  else skb.reply_suppressed = "blackhole routes drop silently";
  return kfree_skb_reason(skb, reason, "ip_error", blame);
}

template <typename T>
static Stage ip_local_deliver(const Net& net, SkBuff& skb, T& t) {
  t.step("ip_local_deliver", skb.dst.route ? skb.dst.route->origin : Origin{}, [&] {
    return fmt::format("local delivery ({})", kRtnKernelNames[skb.dst.rt_type]);
  });
  return Stage::nf_local_in;
}

template <typename T>
static Stage nf_local_in(const Net& net, SkBuff& skb, T& t) {
  NfHookResult r = nf_hook_slow(net, skb, NF_INET_LOCAL_IN, skb.dev, 0, t);
  if (r.verdict == NfVerdict::DROP) return kfree_skb_reason(skb, DropReason::NETFILTER_DROP, nf_drop_location(net, r), r.origin);
  return Stage::ip_local_deliver_finish;
}

template <typename T>
static Stage ip_local_deliver_finish(const Net& net, SkBuff& skb, T& t) {
  const uint8_t proto = skb.pkt.protocol;
  if (proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_ || proto == IPPROTO_ICMP_) {
    t.step("ip_protocol_deliver_rcu", {}, [&] {
      return fmt::format("hands the packet to {}; IpInDelivers +1 when the handler returns (even if it then drops it)",
                         proto == IPPROTO_TCP_ ? "tcp_v4_rcv" : proto == IPPROTO_UDP_ ? "udp_rcv" : "icmp_rcv");
    });
    return proto == IPPROTO_TCP_ ? Stage::tcp_v4_rcv : proto == IPPROTO_UDP_ ? Stage::udp_rcv : Stage::icmp_rcv;
  }
  // ip_protocol_deliver_rcu: no handler, no raw socket
  skb.counters.inc(Snmp::IpInUnknownProtos);
  t.step("ip_protocol_deliver_rcu", {}, [&] { return fmt::format("no handler for IP protocol {}: IpInUnknownProtos +1", skb.pkt.protocol); }, StepKind::Drop);
  icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0, t, "ip_protocol_deliver_rcu");
  return kfree_skb_reason(skb, DropReason::IP_NOPROTO, "ip_local_deliver_finish");
}

template <typename T>
Stage run_stage(Stage s, const Net& net, SkBuff& skb, T& t) {
  switch (s) {
    case Stage::ip_rcv: return ip_rcv_core(net, skb, t);
    case Stage::nf_pre_routing: return nf_pre_routing(net, skb, t);
    case Stage::ip_rcv_finish: return ip_rcv_finish(net, skb, t);
    case Stage::ip_route_input_slow: return Stage::dst_input;  // folded into ip_rcv_finish
    case Stage::dst_input: return dst_input_stage(net, skb, t);
    case Stage::ip_local_deliver: return ip_local_deliver(net, skb, t);
    case Stage::nf_local_in: return nf_local_in(net, skb, t);
    case Stage::ip_local_deliver_finish: return ip_local_deliver_finish(net, skb, t);
    case Stage::tcp_v4_rcv: return tcp_v4_rcv(net, skb, t);
    case Stage::udp_rcv: return udp_rcv(net, skb, t);
    case Stage::icmp_rcv: return icmp_rcv(net, skb, t);
    case Stage::ip_forward: return ip_forward(net, skb, t);
    case Stage::nf_forward: return nf_forward(net, skb, t);
    case Stage::ip_forward_finish: return ip_forward_finish(net, skb, t);
    case Stage::ip_output: return ip_output(net, skb, t);
    case Stage::nf_post_routing: return nf_post_routing(net, skb, t);
    case Stage::ip_finish_output2: return ip_finish_output2(net, skb, t);
    case Stage::ip_error: return ip_error_stage(net, skb, t);
    case Stage::consume_skb:
    case Stage::kfree_skb:
    case Stage::Count: break;
  }
  return s;
}

#define X(T) template Stage run_stage<T>(Stage, const Net&, SkBuff&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

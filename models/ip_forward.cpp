// ip_forward / ip_forward_finish (net/ipv4/ip_forward.c), ip_output, POST_ROUTING and
// ip_finish_output(2) (net/ipv4/ip_output.c). Counter placement follows the profile (§2).
#include <fmt/format.h>
#include "models/icmp.hpp"
#include "models/instantiate.hpp"
#include "models/l4.hpp"
#include "models/netfilter/nf_hook.hpp"
#include "models/route.hpp"

namespace kpath::kernel {

template <typename T>
Stage ip_forward(const Net& net, SkBuff& skb, T& t) {
  Packet& p = skb.pkt;
  if (p.pkt_type != PktType::HOST) {
    t.step("ip_forward", {}, [&] { return std::string("frame was not addressed to our MAC: not forwarded"); }, StepKind::Drop);
    return kfree_skb_reason(skb, DropReason::NOT_SPECIFIED, "ip_forward");
  }
  if (skb.sk >= 0) {
    t.step("ip_forward", skb.sk_origin, [&] {
      return std::string("the skb carries a socket (assigned by TPROXY in PREROUTING) and ip_forward refuses to forward it: silent drop, no counter, no ICMP");
    }, StepKind::Drop);
    skb.reply_suppressed = "ip_forward drops skbs that carry a socket without any reply";
    return kfree_skb_reason(skb, DropReason::NOT_SPECIFIED, "ip_forward", skb.sk_origin);
  }
  if (p.ttl <= 1) {
    skb.counters.inc(Snmp::IpInHdrErrors);
    t.step("ip_forward", {}, [&] { return fmt::format("TTL {} would expire: IpInHdrErrors +1, ICMP time exceeded", p.ttl); }, StepKind::Drop);
    icmp_send(net, skb, ICMP_TIME_EXCEEDED, 0, 0, t, "ip_forward");
    return kfree_skb_reason(skb, DropReason::IP_INHDR, "ip_forward");
  }
  if (net.profile.forw_counted_before_hook) skb.counters.inc(Snmp::IpForwDatagrams);
  const uint32_t mtu = skb.dst.mtu ? skb.dst.mtu : 1500;
  if (p.tot_len > mtu && (p.frag_off & IP_DF)) {
    skb.counters.inc(Snmp::IpFragFails);
    t.step("ip_forward", skb.dst.route ? skb.dst.route->origin : Origin{}, [&] {
      return fmt::format("{} bytes with DF set exceed the MTU {} of {}: IpFragFails +1, ICMP fragmentation needed", p.tot_len, mtu, net.dev_name(skb.dst.dev));
    }, StepKind::Drop);
    icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu, t, "ip_forward");
    return kfree_skb_reason(skb, DropReason::PKT_TOO_BIG, "ip_forward");
  }
  p.ttl--;
  t.step("ip_forward", {}, [&] {
    return fmt::format("forwarding to {} via {}: TTL -> {}{}", p.daddr, net.dev_name(skb.dst.dev), p.ttl,
                       net.profile.forw_counted_before_hook ? ", IpForwDatagrams +1" : "");
  });
  if (skb.dst.flags & RTCF_DOREDIRECT) {
    const Ipv4Addr gw = skb.dst.gw.is_zero() ? p.daddr : skb.dst.gw;
    t.step("ip_rt_send_redirect", {}, [&] { return fmt::format("out-device == in-device: ICMP redirect to {} (gateway {}); the packet is still forwarded", p.saddr, gw); });
    icmp_send(net, skb, ICMP_REDIRECT, 1, 0, t, "ip_rt_send_redirect");
  }
  return Stage::nf_forward;
}

template <typename T>
Stage nf_forward(const Net& net, SkBuff& skb, T& t) {
  NfHookResult r = nf_hook_slow(net, skb, NF_INET_FORWARD, skb.dev, skb.dst.dev, t);
  if (r.verdict == NfVerdict::DROP)
    return kfree_skb_reason(skb, DropReason::NETFILTER_DROP, nf_drop_location(net, r), r.origin);
  return Stage::ip_forward_finish;
}

template <typename T>
Stage ip_forward_finish(const Net& net, SkBuff& skb, T& t) {
  if (!net.profile.forw_counted_before_hook) skb.counters.inc(Snmp::IpForwDatagrams);
  return Stage::ip_output;
}

template <typename T>
Stage ip_output(const Net& net, SkBuff& skb, T& t) {
  return Stage::nf_post_routing;
}

template <typename T>
Stage nf_post_routing(const Net& net, SkBuff& skb, T& t) {
  NfHookResult r = nf_hook_slow(net, skb, NF_INET_POST_ROUTING, 0, skb.dst.dev, t);
  if (r.verdict == NfVerdict::DROP)
    return kfree_skb_reason(skb, DropReason::NETFILTER_DROP, nf_drop_location(net, r), r.origin);
  return Stage::ip_finish_output2;
}

template <typename T>
Stage ip_finish_output2(const Net& net, SkBuff& skb, T& t) {
  const Packet& p = skb.pkt;
  const uint32_t mtu = skb.dst.mtu ? skb.dst.mtu : 1500;
  uint32_t n = 1;
  if (p.tot_len > mtu) {  // ip_fragment (DF was checked in ip_forward)
    const uint32_t hl = p.ihl * 4u, per = ((mtu - hl) / 8) * 8;
    n = (p.tot_len - hl + per - 1) / per;
    skb.counters.inc(Snmp::IpFragOKs);
    skb.counters.inc(Snmp::IpFragCreates, n);
  }
  if (net.profile.has_out_transmits) skb.counters.inc(Snmp::IpOutTransmits, n);
  else skb.counters.inc(Snmp::IpOutRequests, n);
  skb.forwarded = true;
  skb.out_dev = skb.dst.dev;
  skb.out_gw = skb.dst.gw;
  t.step("ip_finish_output2", skb.dst.route ? skb.dst.route->origin : Origin{}, [&] {
    return fmt::format("transmitted on {}{}{}", net.dev_name(skb.dst.dev), skb.dst.gw.is_zero() ? "" : fmt::format(" to gateway {}", skb.dst.gw),
                       n > 1 ? fmt::format(" as {} fragments", n) : "");
  }, StepKind::Verdict);
  return Stage::consume_skb;
}

#define X(T)                                                          \
  template Stage ip_forward<T>(const Net&, SkBuff&, T&);             \
  template Stage nf_forward<T>(const Net&, SkBuff&, T&);             \
  template Stage ip_forward_finish<T>(const Net&, SkBuff&, T&);      \
  template Stage ip_output<T>(const Net&, SkBuff&, T&);              \
  template Stage nf_post_routing<T>(const Net&, SkBuff&, T&);        \
  template Stage ip_finish_output2<T>(const Net&, SkBuff&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

#include "models/icmp.hpp"
#include <fmt/format.h>
#include "models/instantiate.hpp"
#include "models/route.hpp"

namespace kpath::kernel {

void ip_local_out_count(const Net& net, SkBuff& skb) {
  skb.counters.inc(Snmp::IpOutRequests);
  if (net.profile.has_out_transmits) skb.counters.inc(Snmp::IpOutTransmits);
}

static bool icmp_is_error(uint8_t type) {
  return type == ICMP_DEST_UNREACH || type == 4 || type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

template <typename T>
bool icmp_send(const Net& net, SkBuff& skb, uint8_t type, uint8_t code, uint32_t info, T& t, const char* caller) {
  const auto& p = skb.pkt;
  auto suppressed = [&](const char* why) {
    skb.reply_suppressed = why;
    t.step("__icmp_send", {}, [&] { return fmt::format("no ICMP {}/{} sent: {}", type, code, why); });
    return false;
  };
  if (!skb.has_dst) return suppressed("the packet has no route");
  if (skb.pkt.pkt_type != PktType::HOST) return suppressed("the frame was not addressed to our MAC (no replies to link-layer broadcast/multicast)");
  if (skb.dst.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) return suppressed("the packet was routed as broadcast/multicast");
  if (p.frag_off & IP_OFFSET) return suppressed("the packet is a non-first fragment");
  if (p.protocol == IPPROTO_ICMP_ && icmp_is_error(p.icmp_type)) return suppressed("the packet is itself an ICMP error");
  // Source: the offending packet's destination if it was routed locally, else chosen by routing.
  Ipv4Addr saddr;
  if (skb.dst.flags & RTCF_LOCAL) saddr = p.daddr;
  else if (net.sysctl.get(NetSysctlKey::icmp_errors_use_inbound_ifaddr))
    if (const NetDevice* in = net.dev(skb.dev)) saddr = inet_select_addr(net, *in, p.saddr);
  Flowi4 fl;
  fl.daddr = p.saddr;
  fl.saddr = saddr;
  fl.tos = static_cast<uint8_t>((p.tos & 0x1c) | 0xc0);
  fl.mark = net.sysctl.get(NetSysctlKey::fwmark_reflect) ? skb.mark : 0;
  Dst out;
  NullTracer nt;
  int err = ip_route_output_key(net, fl, out, false, nt);
  if (err) return suppressed("no output route back to the source (nothing is counted)");
  skb.counters.inc(Snmp::IcmpOutMsgs);
  switch (type) {
    case ICMP_DEST_UNREACH: skb.counters.inc(Snmp::IcmpOutDestUnreachs); skb.counters.inc(Snmp::IcmpMsgOutType3); break;
    case ICMP_TIME_EXCEEDED: skb.counters.inc(Snmp::IcmpOutTimeExcds); skb.counters.inc(Snmp::IcmpMsgOutType11); break;
    case ICMP_REDIRECT: skb.counters.inc(Snmp::IcmpOutRedirects); skb.counters.inc(Snmp::IcmpMsgOutType5); break;
    case ICMP_ECHOREPLY: skb.counters.inc(Snmp::IcmpOutEchoReps); skb.counters.inc(Snmp::IcmpMsgOutType0); break;
    default: break;
  }
  ip_local_out_count(net, skb);
  if (type != ICMP_REDIRECT || skb.icmp_type < 0) {
    skb.icmp_type = type;
    skb.icmp_code = code;
    skb.icmp_info = info;
    skb.reply = type == ICMP_ECHOREPLY ? ReplyKind::echo_reply : ReplyKind::icmp;
  }
  t.step("__icmp_send", {}, [&] {
    return fmt::format("{} sends ICMP type {} code {}{} from {} to {} via {}", caller, type, code,
                       info ? fmt::format(" (mtu {})", info) : "", fl.saddr, p.saddr, net.dev_name(out.dev));
  }, StepKind::Info);
  return true;
}

#define X(T) template bool icmp_send<T>(const Net&, SkBuff&, uint8_t, uint8_t, uint32_t, T&, const char*);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

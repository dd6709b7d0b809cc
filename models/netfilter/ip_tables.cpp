// ipt_do_table: first-match walk of a table's chain with jumps, gotos and returns; the
// matches and targets kpath models (xt_tcpudp, xt_mark, xt_socket, xt_TPROXY, xt_MARK, ...).
#include <fmt/format.h>
#include "models/icmp.hpp"
#include "models/instantiate.hpp"
#include "models/netfilter/nf_hook.hpp"
#include "models/netfilter/nf_tproxy.hpp"
#include "models/netfilter/xt_ext.hpp"
#include "models/route.hpp"

namespace kpath::kernel {

namespace {

struct XtParams {
  const Net& net;
  SkBuff& skb;
  NfHook hook;
  int in, out;
  XtTableId table;
};

bool iface_match(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return true;
  if (pattern.back() == '+') return name.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  return pattern == name;
}

// ip_packet_match
bool ip_packet_match(const XtParams& par, const IptIp& ip, std::string& why) {
  const Packet& p = par.skb.pkt;
  if (ip.src.len && (ip.src.contains(p.saddr) == ip.inv_src)) { why = fmt::format("source {} {} {}", p.saddr, ip.inv_src ? "is in" : "not in", ip.src); return false; }
  if (ip.dst.len && (ip.dst.contains(p.daddr) == ip.inv_dst)) { why = fmt::format("destination {} {} {}", p.daddr, ip.inv_dst ? "is in" : "not in", ip.dst); return false; }
  if (ip.inv_src && !ip.src.len && ip.src.contains(p.saddr)) { why = "! -s 0/0"; return false; }
  const std::string_view in = par.in ? par.net.dev_name(par.in) : std::string_view{};
  const std::string_view out = par.out ? par.net.dev_name(par.out) : std::string_view{};
  if (!ip.iniface.empty() && iface_match(ip.iniface, in) == ip.inv_in) { why = fmt::format("in-interface {}", in.empty() ? "(none)" : in); return false; }
  if (!ip.outiface.empty() && iface_match(ip.outiface, out) == ip.inv_out) { why = fmt::format("out-interface {}", out.empty() ? "(none)" : out); return false; }
  if (ip.proto && ((p.protocol == ip.proto) == ip.inv_proto)) { why = fmt::format("protocol {}", p.protocol); return false; }
  const bool nonfirst = (p.frag_off & IP_OFFSET) != 0;
  if (ip.frag == 1 && !nonfirst) { why = "not a fragment"; return false; }
  if (ip.frag == -1 && nonfirst) { why = "a fragment"; return false; }
  return true;
}

int socket_lookup_for_match(const XtParams& par) {
  const Packet& p = par.skb.pkt;
  if (p.protocol != IPPROTO_TCP_ && p.protocol != IPPROTO_UDP_) return -1;
  return par.net.socks.lookup(p.protocol, p.saddr, p.sport, p.daddr, p.dport, par.in);
}

std::string sock_str(const Net& net, int i) {
  const Sock& s = net.socks.socks[static_cast<size_t>(i)];
  const char* st = s.state == SockState::Listen ? "listen" : s.state == SockState::Established ? "established" : s.state == SockState::Bound ? "bound" : "connected";
  return fmt::format("{} {} {}:{}{}{}", s.proto == IPPROTO_TCP_ ? "tcp" : "udp", st, s.laddr, s.lport,
                     s.state == SockState::Established || s.state == SockState::Connected ? fmt::format(" peer {}:{}", s.raddr, s.rport) : "",
                     s.transparent ? " transparent" : "");
}

template <typename T>
bool match_one(const XtParams& par, const XtMatch& m, std::string& why, T& t) {
  const Packet& p = par.skb.pkt;
  return std::visit([&](auto&& d) -> bool {
    using D = std::decay_t<decltype(d)>;
    if constexpr (std::is_same_v<D, XtTcpUdp>) {
      if (p.protocol != d.proto || (p.frag_off & IP_OFFSET)) { why = "not the protocol's first fragment"; return false; }
      if (d.spts.contains(p.sport) == d.inv_sport) { why = fmt::format("source port {}", p.sport); return false; }
      if (d.dpts.contains(p.dport) == d.inv_dport) { why = fmt::format("destination port {}", p.dport); return false; }
      if (d.flg_mask && (((p.tcp_flags & d.flg_mask) == d.flg_cmp) == d.inv_flags)) { why = fmt::format("TCP flags 0x{:02x}", p.tcp_flags); return false; }
      return true;
    } else if constexpr (std::is_same_v<D, XtMultiport>) {
      bool hit = false;
      for (auto& r : d.ports) {
        if ((d.flags != XtMultiport::DESTINATION && r.contains(p.sport)) || (d.flags != XtMultiport::SOURCE && r.contains(p.dport))) { hit = true; break; }
      }
      if (hit == d.invert) { why = fmt::format("ports {}->{} not in the multiport list", p.sport, p.dport); return false; }
      return true;
    } else if constexpr (std::is_same_v<D, XtMark>) {
      bool ok = ((par.skb.mark & d.mask) == d.mark) != d.invert;
      if (!ok) why = fmt::format("mark 0x{:x}", par.skb.mark);
      return ok;
    } else if constexpr (std::is_same_v<D, XtConnmarkMatch>) {
      bool ok = ((par.skb.ctmark & d.mask) == d.mark) != d.invert;
      if (!ok) why = fmt::format("connmark 0x{:x}", par.skb.ctmark);
      return ok;
    } else if constexpr (std::is_same_v<D, XtSocket>) {
      // xt_socket socket_match: the attached socket, else nf_sk_lookup_slow_v4
      int sk = par.skb.sk >= 0 ? par.skb.sk : socket_lookup_for_match(par);
      if (sk < 0) { why = fmt::format("no socket for {}:{}", p.daddr, p.dport); return false; }
      const Sock& s = par.net.socks.socks[static_cast<size_t>(sk)];
      const bool wildcard = !d.nowildcard && s.laddr.is_zero();
      const bool transparent = d.transparent ? s.transparent : true;
      if (d.restore_skmark && !wildcard && transparent) par.skb.mark = s.mark;
      if (wildcard) { why = fmt::format("socket {} is bound to 0.0.0.0 (wildcard; --nowildcard not given)", sock_str(par.net, sk)); return false; }
      if (!transparent) { why = fmt::format("socket {} is not transparent", sock_str(par.net, sk)); return false; }
      t.step("socket_mt4_v1_v2_v3", m.origin, [&] { return fmt::format("found socket {}", sock_str(par.net, sk)); });
      return true;
    } else if constexpr (std::is_same_v<D, XtConntrack>) {
      uint8_t st = 0;
      switch (par.skb.ct) {
        case CtState::NEW: st = XtConntrack::NEW; break;
        case CtState::ESTABLISHED: st = XtConntrack::ESTABLISHED; break;
        case CtState::UNTRACKED: st = XtConntrack::UNTRACKED; break;
        case CtState::none: st = XtConntrack::INVALID; break;
      }
      if (par.skb.nat_done && par.skb.orig_daddr != p.daddr) st |= XtConntrack::DNAT;
      bool ok = ((st & d.state_mask) != 0) != d.invert;
      if (!ok) why = fmt::format("conntrack state {}", par.skb.ct == CtState::NEW ? "NEW" : par.skb.ct == CtState::ESTABLISHED ? "ESTABLISHED" : "UNTRACKED");
      return ok;
    } else if constexpr (std::is_same_v<D, XtAddrtype>) {
      auto type_bit = [&](Ipv4Addr a) { return static_cast<uint16_t>(1u << inet_addr_type(par.net, a)); };
      if (d.source && (((type_bit(p.saddr) & d.source) != 0) == d.inv_src)) { why = fmt::format("source address type of {}", p.saddr); return false; }
      if (d.dest && (((type_bit(p.daddr) & d.dest) != 0) == d.inv_dst)) { why = fmt::format("destination address type of {} ({})", p.daddr, kRtnNames[inet_addr_type(par.net, p.daddr)]); return false; }
      return true;
    } else if constexpr (std::is_same_v<D, XtIprange>) {
      if (d.has_src && ((p.saddr >= d.src_min && p.saddr <= d.src_max) == d.inv_src)) { why = "source range"; return false; }
      if (d.has_dst && ((p.daddr >= d.dst_min && p.daddr <= d.dst_max) == d.inv_dst)) { why = "destination range"; return false; }
      return true;
    } else if constexpr (std::is_same_v<D, XtIcmp>) {
      if (p.protocol != IPPROTO_ICMP_) { why = "not ICMP"; return false; }
      bool ok = d.type == 0xff || (p.icmp_type == d.type && p.icmp_code >= d.code_min && p.icmp_code <= d.code_max);
      if (ok == d.invert) { why = fmt::format("ICMP type {}", p.icmp_type); return false; }
      return true;
    } else if constexpr (std::is_same_v<D, XtComment>) {
      return true;
    } else if constexpr (std::is_same_v<D, XtSetMatch>) {
      return set_match_v4(par.skb, d, m.origin, why, t);
    } else if constexpr (std::is_same_v<D, XtLength>) {
      // xt_length.c length_mt: ntohs(iph->tot_len) in [min, max]
      const bool ok = (p.tot_len >= d.min && p.tot_len <= d.max) != d.invert;
      if (!ok) why = fmt::format("length {}", p.tot_len);
      return ok;
    } else if constexpr (std::is_same_v<D, XtPkttype>) {
      // xt_pkttype.c pkttype_mt: skb->pkt_type, set from the frame's destination MAC
      static constexpr const char* names[] = {"unicast", "broadcast", "multicast", "otherhost"};
      const uint8_t type = static_cast<uint8_t>(p.pkt_type);
      const bool ok = (type == d.pkttype) != d.invert;
      if (!ok)
        why = fmt::format("pkt_type {}{}", names[type & 3],
                          p.pkt_type == PktType::HOST && (p.daddr.is_lbcast() || p.daddr.is_multicast() || inet_addr_type(par.net, p.daddr) == RTN_BROADCAST)
                              ? " (the link-layer type of the frame: add `broadcast` or `multicast` to the packet spec for such a frame)" : "");
      return ok;
    } else if constexpr (std::is_same_v<D, XtTtl>) {
      // ipt_ttl.c ttl_mt
      bool hit = false;
      switch (d.mode) {
        case XtTtl::EQ: hit = p.ttl == d.ttl; break;
        case XtTtl::NE: hit = p.ttl != d.ttl; break;
        case XtTtl::LT: hit = p.ttl < d.ttl; break;
        case XtTtl::GT: hit = p.ttl > d.ttl; break;
      }
      if (!hit) why = fmt::format("ttl {}", p.ttl);
      return hit;
    } else if constexpr (std::is_same_v<D, XtTos>) {
      // xt_dscp.c tos_mt: (tos & mask) == value
      const bool ok = ((p.tos & d.mask) == d.value) != d.invert;
      if (!ok) why = fmt::format("tos 0x{:02x}", p.tos);
      return ok;
    } else if constexpr (std::is_same_v<D, XtDscp>) {
      // xt_dscp.c dscp_mt: ipv4_get_dsfield >> XT_DSCP_SHIFT
      const bool ok = ((p.tos >> 2) == d.dscp) != d.invert;
      if (!ok) why = fmt::format("dscp 0x{:02x}", p.tos >> 2);
      return ok;
    } else if constexpr (std::is_same_v<D, XtLimit>) {
      // xt_limit.c limit_mt: a fresh bucket holds `burst` credits, so the first packet matches
      t.step("limit_mt", m.origin, [&] {
        return fmt::format("token bucket (burst {}) starts full: this packet matches; rates over many packets are not modelled", d.burst);
      });
      return true;
    } else if constexpr (std::is_same_v<D, XtStatistic>) {
      // xt_statistic.c statistic_mt: the event flips the inverted default
      bool event;
      std::string how;
      if (d.mode == XtStatistic::RANDOM) {
        event = d.probability >= 0x40000000u;  // kpath runs one packet: p >= 0.5 counts as a hit
        how = fmt::format("random mode, probability {:.11f}: kpath explains one packet deterministically and takes p >= 0.5 as a hit ({})",
                          d.probability / 2147483648.0, event ? "hit" : "miss");
      } else {
        event = d.count == d.every;  // the counter starts at every - packet; it wraps to 0 on this packet when --packet is 0
        how = fmt::format("nth mode, every {} packet {}: this is the rule's first packet, counter {} -> {}", d.every + 1, d.packet, d.count,
                          event ? "0 (hit)" : std::to_string(d.count + 1) + " (miss)");
      }
      const bool ok = event != d.invert;
      if (!ok) why = "statistic " + how;
      else t.step("statistic_mt", m.origin, [&] { return how + ": matched"; });
      return ok;
    } else if constexpr (std::is_same_v<D, XtOwner>) {
      // xt_owner.c owner_mt: packets on kpath's path carry no local socket (skb->sk of a
      // forwarded packet is NULL): only rules whose every test is inverted match
      const bool ok = (d.match ^ d.invert) == 0;
      if (!ok) why = "owner: the packet has no local socket (the owner match tests locally generated packets)";
      return ok;
    } else if constexpr (std::is_same_v<D, XtPhysdev>) {
      // xt_physdev.c physdev_mt without nf_bridge info: a routed packet matches only tests
      // that are all inverted
      const bool ok = (d.bitmask & ~d.invert) == 0;
      if (!ok) why = "physdev: not a bridged packet (kpath models the routed path; br_netfilter is not involved)";
      else t.step("physdev_mt", m.origin, [&] { return std::string("not a bridged packet: every physdev test is inverted, so the rule matches"); });
      return ok;
    } else if constexpr (std::is_same_v<D, XtMac>) {
      // xt_mac.c mac_mt: ether_addr_equal(eth_hdr(skb)->h_source, srcaddr) ^ invert
      auto mac = [&] {
        return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", d.srcaddr[0], d.srcaddr[1], d.srcaddr[2], d.srcaddr[3], d.srcaddr[4], d.srcaddr[5]);
      };
      if (!d.invert) why = fmt::format("mac: the packet spec has no source MAC, so it never equals {}", mac());
      else t.step("mac_mt", m.origin, [&] { return fmt::format("the packet spec has no source MAC: it differs from {}, so ! --mac-source matches", mac()); });
      return d.invert;
    } else if constexpr (std::is_same_v<D, XtRpfilter>) {
      return rpfilter_mt(par.net, par.skb, par.in, d, m.origin, why, t);
    }
    return true;
  }, m.data);
}

enum class TgResult : uint8_t { CONTINUE, ACCEPT, DROP, RETURN, JUMP, GOTO };

template <typename T>
TgResult target_run(const XtParams& par, const IptEntry& e, int& jump, T& t) {
  SkBuff& skb = par.skb;
  Packet& p = skb.pkt;
  const Net& net = par.net;
  return std::visit([&](auto&& d) -> TgResult {
    using D = std::decay_t<decltype(d)>;
    if constexpr (std::is_same_v<D, XtStandard>) {
      switch (d.verdict) {
        case XtVerdict::ACCEPT: return TgResult::ACCEPT;
        case XtVerdict::DROP: return TgResult::DROP;
        case XtVerdict::RETURN: return TgResult::RETURN;
        case XtVerdict::CONTINUE: return TgResult::CONTINUE;
      }
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtJump>) {
      jump = d.chain_index;
      return d.is_goto ? TgResult::GOTO : TgResult::JUMP;
    } else if constexpr (std::is_same_v<D, XtMarkTarget>) {
      const uint32_t old = skb.mark;
      skb.mark = (skb.mark & ~d.mask) ^ d.value;  // xt_MARK.c mark_tg
      t.step("mark_tg", e.target.origin, [&] { return fmt::format("mark 0x{:x} -> 0x{:x}", old, skb.mark); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtTproxy>) {
      // xt_TPROXY.c tproxy_tg4
      if (p.protocol != IPPROTO_TCP_ && p.protocol != IPPROTO_UDP_) return TgResult::DROP;
      const TproxyLookup lk = nf_tproxy_get_sock_v4(net, p, par.in, d.laddr, d.lport);
      int sk = lk.sk;
      const Ipv4Addr laddr = lk.laddr;
      const uint16_t lport = lk.lport;
      if (lk.established) {
        t.step("tproxy_tg4", e.target.origin, [&] { return fmt::format("established socket for the packet's own tuple: {}", sock_str(net, sk)); });
      } else {
        t.step("nf_tproxy_get_sock_v4", e.target.origin, [&] {
          return sk >= 0 ? fmt::format("listener lookup on {}:{}: found {}", laddr, lport, sock_str(net, sk))
                         : fmt::format("listener lookup on {}:{}: no socket", laddr, lport);
        }, sk >= 0 ? StepKind::Match : StepKind::Drop);
      }
      if (sk >= 0 && net.socks.socks[static_cast<size_t>(sk)].transparent) {
        const uint32_t old = skb.mark;
        skb.mark = (skb.mark & ~d.mark_mask) ^ d.mark_value;
        skb.sk = sk;
        skb.sk_origin = e.target.origin;
        t.step("tproxy_tg4", e.target.origin, [&] {
          return fmt::format("socket assigned to the skb (skb->sk = {}), mark 0x{:x} -> 0x{:x} (--tproxy-mark 0x{:x}/0x{:x}): NF_ACCEPT",
                             sock_str(net, sk), old, skb.mark, d.mark_value, d.mark_mask);
        }, StepKind::Verdict);
        return TgResult::ACCEPT;
      }
      t.step("tproxy_tg4", e.target.origin, [&] {
        return sk >= 0 ? fmt::format("socket {} is not transparent (IP_TRANSPARENT not set): NF_DROP", sock_str(net, sk))
                       : std::string("no socket to divert to: NF_DROP");
      }, StepKind::Drop);
      return TgResult::DROP;
    } else if constexpr (std::is_same_v<D, XtConnmarkTarget>) {
      const uint32_t oldm = skb.mark, oldc = skb.ctmark;
      switch (d.mode) {
        case XtConnmarkTarget::SET: skb.ctmark = (skb.ctmark & ~d.ctmask) ^ d.ctmark; break;
        case XtConnmarkTarget::SAVE: skb.ctmark = (skb.ctmark & ~d.ctmask) ^ (skb.mark & d.nfmask); break;
        case XtConnmarkTarget::RESTORE: skb.mark = (skb.mark & ~d.nfmask) ^ (skb.ctmark & d.ctmask); break;
      }
      t.step("connmark_tg", e.target.origin, [&] {
        return fmt::format("ctmark 0x{:x} -> 0x{:x}, mark 0x{:x} -> 0x{:x}", oldc, skb.ctmark, oldm, skb.mark);
      });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtLog>) {
      t.step("log_tg", e.target.origin, [&] { return fmt::format("LOG \"{}\" (the packet continues)", d.prefix); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtReject>) {
      if (d.with == XtReject::TCP_RESET) {
        if (p.protocol == IPPROTO_TCP_ && !(p.tcp_flags & TCPHDR_RST)) {
          skb.reply = ReplyKind::rst;
          ip_local_out_count(net, skb);
          t.step("nf_send_reset", e.target.origin, [&] { return std::string("REJECT sends a TCP RST"); });
        }
      } else {
        static constexpr uint8_t codes[] = {ICMP_NET_UNREACH, ICMP_HOST_UNREACH, ICMP_PROT_UNREACH, ICMP_PORT_UNREACH, 0, ICMP_NET_ANO, ICMP_HOST_ANO, 0, ICMP_PKT_FILTERED};
        icmp_send(net, skb, ICMP_DEST_UNREACH, codes[d.with], 0, t, "reject_tg");
      }
      return TgResult::DROP;
    } else if constexpr (std::is_same_v<D, XtNat>) {
      if (d.kind == XtNat::DNAT || d.kind == XtNat::REDIRECT) {
        Ipv4Addr na = p.daddr;
        if (d.kind == XtNat::REDIRECT) {
          const auto ra = nf_nat_redirect_addr(net, par.hook, par.in);
          if (!ra) {
            t.step("redirect_tg4", e.target.origin, [&] { return std::string("in-device has no IPv4 address: NF_DROP"); }, StepKind::Drop);
            return TgResult::DROP;
          }
          na = *ra;
        } else if (d.has_addr) na = d.addr_min;
        const uint16_t np = d.port_min ? d.port_min : p.dport;
        t.step(d.kind == XtNat::REDIRECT ? "redirect_tg4" : "xt_dnat_target_v2", e.target.origin, [&] {
          return fmt::format("destination {}:{} -> {}:{}", p.daddr, p.dport, na, np);
        }, StepKind::Verdict);
        p.daddr = na;
        p.dport = np;
        skb.nat_done = true;
      } else {
        Ipv4Addr na = d.addr_min;
        if (d.kind == XtNat::MASQUERADE) na = nf_nat_masquerade_addr(net, par.out, p.daddr);
        skb.snat_rule = 1;
        skb.snat_addr = na;
        skb.snat_origin = e.target.origin;
        t.step(d.kind == XtNat::MASQUERADE ? "masquerade_tg" : "xt_snat_target_v2", e.target.origin, [&] {
          return fmt::format("source {} -> {} (recorded)", p.saddr, na);
        }, StepKind::Verdict);
      }
      return TgResult::ACCEPT;
    } else if constexpr (std::is_same_v<D, XtNotrack>) {
      skb.ct = CtState::UNTRACKED;
      t.step("notrack_tg", e.target.origin, [&] { return std::string("packet marked untracked"); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtCt>) {
      if (d.notrack) skb.ct = CtState::UNTRACKED;
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtTosTarget>) {
      const uint8_t old = p.tos;
      p.tos = static_cast<uint8_t>((p.tos & ~d.mask) ^ d.value);  // xt_DSCP.c tos_tg
      t.step("tos_tg", e.target.origin, [&] { return fmt::format("tos 0x{:02x} -> 0x{:02x}", old, p.tos); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtDscpTarget>) {
      const uint8_t old = p.tos;
      p.tos = static_cast<uint8_t>((p.tos & 0x03) | (d.dscp << 2));  // xt_DSCP.c dscp_tg: ECN bits kept
      t.step("dscp_tg", e.target.origin, [&] { return fmt::format("dscp 0x{:02x} -> 0x{:02x} (tos 0x{:02x} -> 0x{:02x})", old >> 2, d.dscp, old, p.tos); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtTtlTarget>) {
      const uint8_t old = p.ttl;
      switch (d.mode) {  // xt_HL.c ttl_tg: saturating at 0 and 255
        case XtTtlTarget::SET: p.ttl = d.ttl; break;
        case XtTtlTarget::INC: p.ttl = static_cast<uint8_t>(std::min(255, p.ttl + d.ttl)); break;
        case XtTtlTarget::DEC: p.ttl = static_cast<uint8_t>(std::max(0, p.ttl - d.ttl)); break;
      }
      t.step("ttl_tg", e.target.origin, [&] { return fmt::format("ttl {} -> {}", old, p.ttl); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtTcpmss>) {
      t.step("tcpmss_tg4", e.target.origin, [&] {
        const bool syn = p.protocol == IPPROTO_TCP_ && (p.tcp_flags & TCPHDR_SYN);
        const std::string what = d.mss == 0xffff ? std::string("clamped to the path MTU - 40") : fmt::format("set to {}", d.mss);
        return syn ? fmt::format("the SYN's MSS option would be {} (kpath's packets carry no TCP options); the packet continues", what)
                   : std::string("not a SYN: nothing to change; the packet continues");
      });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtClassify>) {
      t.step("classify_tg", e.target.origin, [&] {
        return fmt::format("skb->priority = {:x}:{:x} (a qdisc class on egress; not modelled); the packet continues", d.priority >> 16, d.priority & 0xffff);
      });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtChecksum>) {
      t.step("checksum_tg", e.target.origin, [&] { return std::string("fills in a missing L4 checksum (no effect on the path); the packet continues"); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtTrace>) {
      t.step("trace_tg", e.target.origin, [&] { return std::string("skb->nf_trace = 1: the kernel would log this packet's rule walk (nftrace); the packet continues"); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtAudit>) {
      static constexpr const char* types[] = {"accept", "drop", "reject"};
      t.step("audit_tg", e.target.origin, [&] { return fmt::format("audit record type {} (logging only); the packet continues", types[d.type]); });
      return TgResult::CONTINUE;
    } else if constexpr (std::is_same_v<D, XtNfqueue>) {
      // NF_QUEUE: nf_queue -> __nf_queue finds no listener (kpath runs none): -ESRCH. With
      // --queue-bypass nf_queue returns 1 and the hook goes on; else the packet is freed.
      const std::string q = d.queues_total > 1 ? fmt::format("queues {}-{}", d.queuenum, d.queuenum + d.queues_total - 1)
                                               : fmt::format("queue {}", d.queuenum);
      if (d.bypass) {
        t.step("nf_queue", e.target.origin, [&] { return fmt::format("no userspace program listens on {} (-ESRCH); --queue-bypass: the packet continues as if accepted", q); });
        return TgResult::ACCEPT;
      }
      t.step("nf_queue", e.target.origin, [&] {
        return fmt::format("no userspace program listens on {} (-ESRCH) and there is no --queue-bypass: the packet is freed", q);
      }, StepKind::Drop);
      return TgResult::DROP;
    } else if constexpr (std::is_same_v<D, XtSetTarget>) {
      t.step("set_target_v3", e.target.origin, [&] {
        std::string s;
        if (!d.add_set.name.empty()) s += fmt::format("adds the packet to set {}", d.add_set.name);
        if (!d.del_set.name.empty()) s += fmt::format("{}removes the packet from set {}", s.empty() ? "" : ", ", d.del_set.name);
        if (!d.map_set.name.empty()) s += fmt::format("{}maps skbinfo from set {} (kpath's sets carry none)", s.empty() ? "" : ", ", d.map_set.name);
        return s + " for later packets; sets do not change while kpath runs, and this packet continues";
      });
      return TgResult::CONTINUE;
    }
    return TgResult::CONTINUE;
  }, e.target.data);
}

template <typename T>
NfVerdict ipt_do_table(const XtParams& par, Origin& decided, T& t) {
  const XtTable& tbl = par.net.xt[static_cast<size_t>(par.table)];
  const int start = tbl.hook_chain(par.hook);
  if (start < 0) return NfVerdict::ACCEPT;
  const char* tname = kXtTableNames[static_cast<size_t>(par.table)].data();
  struct Frame { int chain; size_t next; };
  Frame stack[64];
  int sp = 0;
  int chain = start;
  size_t i = 0;
  const XtChain* builtin = &tbl.chains[static_cast<size_t>(start)];
  while (true) {
    const XtChain& c = tbl.chains[static_cast<size_t>(chain)];
    if (i >= c.rules.size()) {
      if (c.builtin) {
        decided = c.policy_origin;
        t.step("ipt_do_table", c.policy_origin, [&] {
          return fmt::format("{} {}: end of chain, policy {}", tname, c.name, c.policy == XtVerdict::DROP ? "DROP" : "ACCEPT");
        }, c.policy == XtVerdict::DROP ? StepKind::Drop : StepKind::Info);
        return c.policy == XtVerdict::DROP ? NfVerdict::DROP : NfVerdict::ACCEPT;
      }
      if (sp == 0) {  // goto'd user chain ended: underflow returns to the built-in chain's policy
        decided = builtin->policy_origin;
        return builtin->policy == XtVerdict::DROP ? NfVerdict::DROP : NfVerdict::ACCEPT;
      }
      t.pop();
      --sp;
      chain = stack[sp].chain;
      i = stack[sp].next;
      continue;
    }
    const IptEntry& e = c.rules[i];
    const size_t rule_no = i + 1;
    std::string why;
    bool ok = ip_packet_match(par, e.ip, why);
    for (size_t m = 0; ok && m < e.matches.size(); ++m) ok = match_one(par, e.matches[m], why, t);
    if (!ok) {
      t.step("ipt_do_table", e.origin, [&] { return fmt::format("{} {} rule {} `{}`: not matched ({})", tname, c.name, rule_no, e.text, why); }, StepKind::NoMatch);
      ++i;
      continue;
    }
    t.step("ipt_do_table", e.origin, [&] { return fmt::format("{} {} rule {} `{}`: matched", tname, c.name, rule_no, e.text); }, StepKind::Match);
    int jump = -1;
    t.push();
    TgResult r = target_run(par, e, jump, t);
    t.pop();
    switch (r) {
      case TgResult::CONTINUE: ++i; break;
      case TgResult::ACCEPT:
        decided = e.target.origin;
        t.step("ipt_do_table", e.target.origin, [&] { return fmt::format("{}: verdict ACCEPT", tname); }, StepKind::Verdict);
        for (; sp > 0; --sp) t.pop();
        return NfVerdict::ACCEPT;
      case TgResult::DROP:
        decided = e.target.origin;
        t.step("ipt_do_table", e.target.origin, [&] { return fmt::format("{}: verdict DROP", tname); }, StepKind::Drop);
        for (; sp > 0; --sp) t.pop();
        return NfVerdict::DROP;
      case TgResult::RETURN:
        if (sp == 0) {
          if (c.builtin) {
            decided = c.policy_origin;
            t.step("ipt_do_table", c.policy_origin, [&] { return fmt::format("RETURN from built-in chain {}: policy {}", c.name, c.policy == XtVerdict::DROP ? "DROP" : "ACCEPT"); });
            return c.policy == XtVerdict::DROP ? NfVerdict::DROP : NfVerdict::ACCEPT;
          }
          decided = builtin->policy_origin;
          return builtin->policy == XtVerdict::DROP ? NfVerdict::DROP : NfVerdict::ACCEPT;
        }
        t.pop();
        --sp;
        chain = stack[sp].chain;
        i = stack[sp].next;
        break;
      case TgResult::JUMP:
        if (sp >= 63) return NfVerdict::DROP;
        stack[sp++] = Frame{chain, i + 1};
        t.push();
        chain = jump;
        i = 0;
        break;
      case TgResult::GOTO:
        chain = jump;
        i = 0;
        break;
    }
  }
}

}  // namespace

template <typename T>
NfHookResult nf_hook_slow(const Net& net, SkBuff& skb, NfHook hook, int in, int out, T& t) {
  NfHookResult res;
  bool any = false;
  for (const NfHookEntry& h : net.hooks[hook]) {
    if (h.nft_table >= 0) {
      const NftChain& ch = net.nft[static_cast<size_t>(h.nft_table)].chains[static_cast<size_t>(h.nft_chain)];
      if (ch.rules.empty() && ch.policy == XtVerdict::ACCEPT) continue;
      if (ch.type == "nat" && skb.ct != CtState::NEW) continue;
      any = true;
      t.step(kHookNames[hook], ch.origin, [&] {
        return fmt::format("nft table {} {} chain {} (priority {})", net.nft[static_cast<size_t>(h.nft_table)].family,
                           net.nft[static_cast<size_t>(h.nft_table)].name, ch.name, h.priority);
      });
      t.push();
      NfVerdict v = nft_do_chain(net, skb, h.nft_table, h.nft_chain, hook, in, out, res.origin, t);
      t.pop();
      if (v == NfVerdict::DROP) {
        res.verdict = NfVerdict::DROP;
        res.table = "nft";
        return res;
      }
      continue;
    }
    if (h.table == XtTableId::Count) {  // nf_conntrack_in at NF_IP_PRI_CONNTRACK (-200)
      if (skb.ct == CtState::UNTRACKED) continue;
      const Packet& p = skb.pkt;
      const bool est = (p.protocol == IPPROTO_TCP_ || p.protocol == IPPROTO_UDP_) &&
                       net.socks.lookup_established(p.protocol, p.saddr, p.sport, p.daddr, p.dport, in) >= 0;
      skb.ct = est ? CtState::ESTABLISHED : CtState::NEW;
      t.step("nf_conntrack_in", {}, [&] {
        return est ? std::string("conntrack: an established socket owns this flow: ctstate ESTABLISHED")
                   : std::string("conntrack: first packet of a flow: ctstate NEW");
      });
      continue;
    }
    const XtTable& tbl = net.xt[static_cast<size_t>(h.table)];
    const int c = tbl.hook_chain(hook);
    if (c < 0) continue;
    // Empty chains with policy ACCEPT are skipped silently (they cannot change anything).
    const XtChain& ch = tbl.chains[static_cast<size_t>(c)];
    if (ch.rules.empty() && ch.policy == XtVerdict::ACCEPT) continue;
    if (h.table == XtTableId::nat && skb.ct != CtState::NEW) {
      t.step(kHookNames[hook], {}, [&] { return std::string("nat: only the first packet of a connection traverses the nat table; skipped"); });
      continue;
    }
    any = true;
    t.step(kHookNames[hook], {}, [&] {
      return fmt::format("table {} (priority {}), chain {}", kXtTableNames[static_cast<size_t>(h.table)], h.priority, ch.name);
    });
    XtParams par{net, skb, hook, in, out, h.table};
    t.push();
    NfVerdict v = ipt_do_table(par, res.origin, t);
    t.pop();
    if (v == NfVerdict::DROP) {
      res.verdict = NfVerdict::DROP;
      res.table = kXtTableNames[static_cast<size_t>(h.table)].data();
      return res;
    }
  }
  if (!any) t.step(kHookNames[hook], {}, [&] { return std::string("no rules at this hook (empty chains, policy ACCEPT): NF_ACCEPT"); });
  return res;
}

#define X(T) template NfHookResult nf_hook_slow<T>(const Net&, SkBuff&, NfHook, int, int, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

// nft_do_chain (net/netfilter/nf_tables_core.c): walks a base chain's rules, each a sequence of
// expressions (nft_expr.hpp) evaluated in order. A failing match or a statement that cannot act
// sets NFT_BREAK: the rest of that rule is skipped and the next rule runs. Verdicts: accept
// ends the base chain (later hooks still run), drop drops, jump/goto/return move between
// chains (jump stack like the kernel's), and the end of the base chain applies its policy.
#include <fmt/format.h>
#include "models/fib/fib_frontend.hpp"
#include "models/icmp.hpp"
#include "models/instantiate.hpp"
#include "models/netfilter/nf_hook.hpp"
#include "models/netfilter/nf_tproxy.hpp"
#include "models/route.hpp"

namespace kpath::kernel {

namespace {

// struct nft_pktinfo plus the rule set being walked.
struct NftPkt {
  const Net& net;
  SkBuff& skb;
  NfHook hook;
  int in, out;
  const NftTable& table;
};

std::string sock_text(const Net& net, int i) {
  const Sock& s = net.socks.socks[static_cast<size_t>(i)];
  const char* st = s.state == SockState::Listen ? "listen" : s.state == SockState::Established ? "established" : s.state == SockState::Bound ? "bound" : "connected";
  return fmt::format("{} {} {}:{}{}{}", s.proto == IPPROTO_TCP_ ? "tcp" : "udp", st, s.laddr, s.lport,
                     s.state == SockState::Established || s.state == SockState::Connected ? fmt::format(" peer {}:{}", s.raddr, s.rport) : "",
                     s.transparent ? " transparent" : "");
}

std::string proto_text(uint32_t p) {
  switch (p) {
    case IPPROTO_TCP_: return "tcp";
    case IPPROTO_UDP_: return "udp";
    case IPPROTO_ICMP_: return "icmp";
    default: return std::to_string(p);
  }
}

std::string ct_state_text(uint32_t bits) {
  std::string s;
  static constexpr std::pair<uint32_t, const char*> names[] = {{NF_CT_STATE_INVALID_BIT, "invalid"}, {NF_CT_STATE_ESTABLISHED_BIT, "established"},
                                                               {NF_CT_STATE_RELATED_BIT, "related"}, {NF_CT_STATE_NEW_BIT, "new"},
                                                               {NF_CT_STATE_UNTRACKED_BIT, "untracked"}};
  for (auto& [b, n] : names)
    if (bits & b) s += (s.empty() ? "" : ",") + std::string(n);
  return s.empty() ? fmt::format("0x{:x}", bits) : s;
}

// A loaded key value as nft would print it.
std::string value_text(const NftPkt& pkt, NftKey k, uint32_t v) {
  switch (k) {
    case NftKey::ip_saddr:
    case NftKey::ip_daddr: return fmt::format("{}", Ipv4Addr{v});
    case NftKey::ip_protocol:
    case NftKey::meta_l4proto: return proto_text(v);
    case NftKey::meta_mark:
    case NftKey::ct_mark:
    case NftKey::socket_mark:
    case NftKey::tcp_flags: return fmt::format("0x{:x}", v);
    case NftKey::meta_iif:
    case NftKey::meta_oif: return v ? std::string(pkt.net.dev_name(static_cast<int>(v))) : std::string("(none)");
    case NftKey::meta_nfproto: return v == NFPROTO_IPV4 ? "ipv4" : std::to_string(v);
    case NftKey::ct_state: return ct_state_text(v);
    case NftKey::fib_saddr_type:
    case NftKey::fib_daddr_type: return v <= RTN_MAX ? (v == RTN_UNSPEC ? std::string("unspec") : std::string(kRtnNames[v])) : std::to_string(v);
    default: return std::to_string(v);
  }
}

// The header field a th/tcp/udp/icmp key reads, or the reason nft_payload_eval breaks.
bool load_transport(const Packet& p, const NftMatch& m, uint32_t& v, std::string& why, bool explain) {
  if (m.l4proto && p.protocol != m.l4proto) {
    if (explain) why = fmt::format("not {} (meta l4proto {})", proto_text(m.l4proto), proto_text(p.protocol));
    return false;
  }
  if (p.frag_off & IP_OFFSET) {
    if (explain) why = "a non-first fragment has no transport header (NFT_BREAK)";
    return false;
  }
  switch (m.key) {
    case NftKey::th_sport:
    case NftKey::th_dport:
      if (p.protocol != IPPROTO_TCP_ && p.protocol != IPPROTO_UDP_) {
        if (explain) why = fmt::format("th ports of protocol {} are outside kpath's model (tcp and udp only)", proto_text(p.protocol));
        return false;
      }
      v = m.key == NftKey::th_sport ? p.sport : p.dport;
      return true;
    case NftKey::tcp_flags: v = p.tcp_flags; return true;
    case NftKey::icmp_type: v = p.icmp_type; return true;
    case NftKey::icmp_code: v = p.icmp_code; return true;
    default: return false;
  }
}

// nf_sk_lookup_slow_v4 as nft_socket_eval calls it: the attached socket first.
int socket_for(const NftPkt& pkt) {
  if (pkt.skb.sk >= 0) return pkt.skb.sk;
  const Packet& p = pkt.skb.pkt;
  if (p.protocol != IPPROTO_TCP_ && p.protocol != IPPROTO_UDP_) return -1;
  return pkt.net.socks.lookup(p.protocol, p.saddr, p.sport, p.daddr, p.dport, pkt.in);
}

bool has_ct(const SkBuff& skb) { return skb.ct == CtState::NEW || skb.ct == CtState::ESTABLISHED; }

// Loads a match's key into v (the expression's eval function); false = NFT_BREAK with `why`.
// `note` gets what a successful load found worth telling (the socket).
bool nft_load(const NftPkt& pkt, const NftMatch& m, uint32_t& v, std::string& why, std::string& note, bool explain) {
  const SkBuff& skb = pkt.skb;
  const Packet& p = skb.pkt;
  switch (m.key) {
    case NftKey::ip_saddr: v = p.saddr.v; return true;
    case NftKey::ip_daddr: v = p.daddr.v; return true;
    case NftKey::ip_protocol: v = p.protocol; return true;
    case NftKey::ip_ttl: v = p.ttl; return true;
    case NftKey::ip_length: v = p.tot_len ? p.tot_len : p.computed_tot_len(); return true;
    case NftKey::ip_dscp: v = p.tos >> 2; return true;
    case NftKey::th_sport:
    case NftKey::th_dport:
    case NftKey::tcp_flags:
    case NftKey::icmp_type:
    case NftKey::icmp_code: return load_transport(p, m, v, why, explain);
    case NftKey::meta_l4proto: v = p.protocol; return true;
    case NftKey::meta_mark: v = skb.mark; return true;
    case NftKey::meta_iif: v = static_cast<uint32_t>(pkt.in); return true;
    case NftKey::meta_oif: v = static_cast<uint32_t>(pkt.out); return true;
    case NftKey::meta_nfproto: v = NFPROTO_IPV4; return true;
    case NftKey::meta_pkttype: v = static_cast<uint32_t>(p.pkt_type); return true;  // PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3
    case NftKey::meta_length: v = skb.len ? skb.len : (p.tot_len ? p.tot_len : p.computed_tot_len()); return true;
    case NftKey::ct_state:
      // nft_ct_get_eval: no conntrack entry reads as invalid, an untracked one as untracked
      v = skb.ct == CtState::NEW ? NF_CT_STATE_NEW_BIT : skb.ct == CtState::ESTABLISHED ? NF_CT_STATE_ESTABLISHED_BIT
        : skb.ct == CtState::UNTRACKED ? NF_CT_STATE_UNTRACKED_BIT : NF_CT_STATE_INVALID_BIT;
      return true;
    case NftKey::ct_mark:
      if (!has_ct(skb)) {
        if (explain) why = skb.ct == CtState::UNTRACKED ? "the packet is untracked: no conntrack entry, ct mark breaks (NFT_BREAK)"
                                           : "no conntrack entry yet (nf_conntrack_in runs at priority -200): ct mark breaks (NFT_BREAK)";
        return false;
      }
      v = skb.ctmark;
      return true;
    case NftKey::socket_transparent:
    case NftKey::socket_mark:
    case NftKey::socket_wildcard: {
      const int sk = socket_for(pkt);
      if (sk < 0) {
        if (explain) why = fmt::format("no socket for {}:{} (nft_socket_eval: NFT_BREAK)", p.daddr, p.dport);
        return false;
      }
      const Sock& s = pkt.net.socks.socks[static_cast<size_t>(sk)];
      v = m.key == NftKey::socket_transparent ? (s.transparent ? 1u : 0u) : m.key == NftKey::socket_mark ? s.mark : (s.laddr.is_zero() ? 1u : 0u);
      if (explain) note = fmt::format("socket {}", sock_text(pkt.net, sk));
      return true;
    }
    case NftKey::fib_saddr_type: v = inet_addr_type(pkt.net, p.saddr); return true;
    case NftKey::fib_daddr_type: v = inet_addr_type(pkt.net, p.daddr); return true;
    case NftKey::Count: break;
  }
  return false;
}

bool in_values(const NftPkt& pkt, const NftMatch& m, uint32_t v) {
  if (m.set >= 0) {
    for (const NftRange& r : pkt.table.sets[static_cast<size_t>(m.set)].elems) if (r.contains(v)) return true;
    return false;
  }
  for (const NftRange& r : m.values) if (r.contains(v)) return true;
  return false;
}

// nft_cmp_eval / nft_range_eval / nft_lookup_eval
bool nft_cmp(const NftPkt& pkt, const NftMatch& m, uint32_t v) {
  v &= m.mask;
  const uint32_t ref = m.values.empty() ? 0 : m.values[0].lo;
  switch (m.op) {
    case NftCmpOp::eq: return in_values(pkt, m, v);
    case NftCmpOp::neq: return !in_values(pkt, m, v);
    case NftCmpOp::lt: return v < ref;
    case NftCmpOp::gt: return v > ref;
    case NftCmpOp::lte: return v <= ref;
    case NftCmpOp::gte: return v >= ref;
  }
  return false;
}

bool ifname_match(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*') return name.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  return pattern == name;
}

struct RuleOutcome {
  NftVerdict::Code code = NftVerdict::Code::cont;  // cont = no verdict (matched or broke)
  int chain = -1;                                   // jump/goto target
  Origin origin;                                    // the verdict's expression
};

template <typename T>
struct RuleEval {
  const NftPkt& pkt;
  const NftChain& ch;
  size_t rule_no;
  const NftRule& r;
  T& t;
  RuleEval(const NftPkt& p, const NftChain& c, size_t n, const NftRule& rule, T& tracer) : pkt(p), ch(c), rule_no(n), r(rule), t(tracer) {}
  bool header = false;  // a statement ran: the rule's line is out and later lines nest under it
  size_t cur = 0;       // index of the expression being evaluated
  std::string note;     // what the matches found (the socket), for the rule's line

  std::string where() const { return fmt::format("{} {} {} rule {}", pkt.table.family, pkt.table.name, ch.name, rule_no); }

  // The rule's statements start running: say which matches let them.
  void open() {
    if (header) return;
    header = true;
    t.step("nft_do_chain", r.origin, [&] {
      std::string passed;
      for (size_t k = 0; k < cur && k < r.exprs.size(); ++k)
        if (std::holds_alternative<NftMatch>(r.exprs[k].data) || std::holds_alternative<NftIfname>(r.exprs[k].data))
          passed += (passed.empty() ? "`" : " ") + r.exprs[k].text;
      return fmt::format("{} `{}`: {}{}", where(), r.text, passed.empty() ? std::string("statements run (no match before them)") : passed + "` matched; statements run",
                         note.empty() ? std::string() : fmt::format(" ({})", note));
    }, StepKind::Match);
    t.push();
  }
  // What NFT_BREAK skips: the expressions after the current one.
  std::string rest() const {
    std::string s;
    for (size_t k = cur + 1; k < r.exprs.size(); ++k) s += (s.empty() ? "" : " ") + r.exprs[k].text;
    return s.empty() ? std::string("nothing else") : "`" + s + "`";
  }
  void close() {
    if (header) t.pop();
    header = false;
  }
  // A match failed or a statement broke: NFT_BREAK ends the rule.
  RuleOutcome brk(const NftExpr& e, const std::string& why) {
    if (!header) {
      t.step("nft_do_chain", r.origin, [&] { return fmt::format("{} `{}`: not matched (`{}`: {})", where(), r.text, e.text, why); }, StepKind::NoMatch);
    } else {
      t.step("nft_do_chain", e.origin, [&] { return fmt::format("`{}`: {}: NFT_BREAK, the rest of the rule ({}) does not run", e.text, why, rest()); }, StepKind::NoMatch);
      close();
    }
    return {};
  }

  RuleOutcome verdict(const NftExpr& e, const NftVerdict& v) {
    open();
    RuleOutcome o{v.code, v.chain_index, e.origin};
    t.step("nft_do_chain", e.origin, [&] {
      switch (v.code) {
        case NftVerdict::Code::accept: return std::string("verdict accept (NF_ACCEPT): ends this base chain; later hooks (other tables and priorities) still run");
        case NftVerdict::Code::drop: return std::string("verdict drop (NF_DROP)");
        case NftVerdict::Code::ret: return std::string("verdict return");
        case NftVerdict::Code::jump: return fmt::format("verdict jump {}", v.chain);
        case NftVerdict::Code::go_to: return fmt::format("verdict goto {}", v.chain);
        case NftVerdict::Code::cont: return std::string("verdict continue");
      }
      return std::string();
    }, v.code == NftVerdict::Code::drop ? StepKind::Drop : StepKind::Verdict);
    close();
    return o;
  }

  // nft_tproxy_eval_v4 (net/netfilter/nft_tproxy.c)
  bool tproxy(const NftExpr& e, const NftTproxy& d, std::string& why) {
    const Net& net = pkt.net;
    SkBuff& skb = pkt.skb;
    const Packet& p = skb.pkt;
    if (p.protocol != IPPROTO_TCP_ && p.protocol != IPPROTO_UDP_) {
      if constexpr (T::enabled) why = fmt::format("meta l4proto {} is neither tcp nor udp", proto_text(p.protocol));
      return false;
    }
    const TproxyLookup lk = nf_tproxy_get_sock_v4(net, p, pkt.in, d.addr, d.port);
    int sk = lk.sk;
    const Ipv4Addr laddr = lk.laddr;
    const uint16_t lport = lk.lport;
    if (lk.established) {
      t.step("nft_tproxy_eval_v4", e.origin, [&] { return fmt::format("established socket for the packet's own tuple: {}", sock_text(net, sk)); });
    } else {
      t.step("nf_tproxy_get_sock_v4", e.origin, [&] {
        return sk >= 0 ? fmt::format("listener lookup on {}:{}: found {}", laddr, lport, sock_text(net, sk))
                       : fmt::format("listener lookup on {}:{}: no socket", laddr, lport);
      });
    }
    if (sk >= 0 && net.socks.socks[static_cast<size_t>(sk)].transparent) {
      skb.sk = sk;
      skb.sk_origin = e.origin;
      t.step("nft_tproxy_eval_v4", e.origin, [&] {
        return fmt::format("socket assigned to the skb (skb->sk = {}); nft tproxy leaves the mark alone (0x{:x}) and gives no verdict: the rule goes on",
                           sock_text(net, sk), skb.mark);
      }, StepKind::Match);
      return true;
    }
    if constexpr (T::enabled)
      why = sk >= 0 ? fmt::format("socket {} is not transparent (IP_TRANSPARENT not set); unlike xt TPROXY, nft tproxy does not drop", sock_text(net, sk))
                  : std::string("no socket to divert to; unlike xt TPROXY, nft tproxy does not drop");
    return false;
  }

  // nft_nat_eval / nft_redir_ipv4_eval / nft_masq_ipv4_eval: NF_ACCEPT (NF_DROP when REDIRECT finds no address)
  RuleOutcome nat(const NftExpr& e, const NftNat& d) {
    const Net& net = pkt.net;
    SkBuff& skb = pkt.skb;
    Packet& p = skb.pkt;
    if (d.kind == NftNat::Kind::dnat || d.kind == NftNat::Kind::redirect) {
      Ipv4Addr na = p.daddr;
      if (d.kind == NftNat::Kind::redirect) {
        const auto ra = nf_nat_redirect_addr(net, pkt.hook, pkt.in);
        if (!ra) {
          t.step("nf_nat_redirect_ipv4", e.origin, [&] { return std::string("in-device has no IPv4 address: NF_DROP"); }, StepKind::Drop);
          close();
          return {NftVerdict::Code::drop, -1, e.origin};
        }
        na = *ra;
      } else if (d.has_addr) na = d.addr_min;
      const uint16_t np = d.port_min ? d.port_min : p.dport;
      t.step(d.kind == NftNat::Kind::redirect ? "nft_redir_ipv4_eval" : "nft_nat_eval", e.origin, [&] {
        return fmt::format("destination {}:{} -> {}:{}: NF_ACCEPT", p.daddr, p.dport, na, np);
      }, StepKind::Verdict);
      p.daddr = na;
      p.dport = np;
      skb.nat_done = true;
    } else {
      Ipv4Addr na = d.addr_min;
      if (d.kind == NftNat::Kind::masquerade) na = nf_nat_masquerade_addr(net, pkt.out, p.daddr);
      skb.snat_rule = 1;
      skb.snat_addr = na;
      skb.snat_origin = e.origin;
      t.step(d.kind == NftNat::Kind::masquerade ? "nft_masq_ipv4_eval" : "nft_nat_eval", e.origin, [&] {
        return fmt::format("source {} -> {} (recorded): NF_ACCEPT", p.saddr, na);
      }, StepKind::Verdict);
    }
    close();
    return {NftVerdict::Code::accept, -1, e.origin};
  }

  RuleOutcome run() {
    const Net& net = pkt.net;
    SkBuff& skb = pkt.skb;
    Packet& p = skb.pkt;
    for (cur = 0; cur < r.exprs.size(); ++cur) {
      const NftExpr& e = r.exprs[cur];
      std::string why;
      bool stop = false;
      RuleOutcome out;
      std::visit([&](auto&& d) {
        using D = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<D, NftMatch>) {
          uint32_t v = 0;
          std::string found;
          if (!nft_load(pkt, d, v, why, found, T::enabled)) { out = brk(e, why); stop = true; return; }
          if (!nft_cmp(pkt, d, v)) {
            if constexpr (T::enabled) why = fmt::format("{} is {}{}", nft_key_info(d.key).text, value_text(pkt, d.key, v), found.empty() ? "" : fmt::format(", {}", found));
            out = brk(e, why);
            stop = true;
            return;
          }
          if (!found.empty()) note += (note.empty() ? "" : "; ") + found;
        } else if constexpr (std::is_same_v<D, NftIfname>) {
          const int ifi = d.out ? pkt.out : pkt.in;
          const std::string_view name = ifi ? net.dev_name(ifi) : std::string_view{};
          bool hit = false;
          if (d.set >= 0) {
            for (auto& n : pkt.table.sets[static_cast<size_t>(d.set)].names) hit = hit || ifname_match(n, name);
          } else {
            for (auto& n : d.names) hit = hit || ifname_match(n, name);
          }
          if (hit == d.neq) {
            if constexpr (T::enabled) why = fmt::format("{} is {}", d.out ? "oifname" : "iifname", name.empty() ? "(no device)" : fmt::format("\"{}\"", name));
            out = brk(e, why);
            stop = true;
          }
        } else if constexpr (std::is_same_v<D, NftIpv6Only>) {
          out = brk(e, "an IPv6 expression (implicit `meta nfproto ipv6`): never matches an IPv4 packet");
          stop = true;
        } else if constexpr (std::is_same_v<D, NftSetMark>) {
          uint32_t src = 0;
          if (d.src == NftSetMark::Src::meta_mark) src = skb.mark;
          else if (d.src == NftSetMark::Src::ct_mark) {
            if (!has_ct(skb)) { out = brk(e, "no conntrack entry: ct mark breaks (NFT_BREAK)"); stop = true; return; }
            src = skb.ctmark;
          }
          const uint32_t val = (src & d.mask) ^ d.xor_;
          open();
          if (d.ct) {
            if (!has_ct(skb)) {  // nft_ct_set_eval: no conntrack entry, nothing to set
              t.step("nft_ct_set_eval", e.origin, [&] { return std::string("no conntrack entry for this packet (before priority -200 or untracked): ct mark unchanged"); });
              return;
            }
            const uint32_t old = skb.ctmark;
            skb.ctmark = val;
            t.step("nft_ct_set_eval", e.origin, [&] { return fmt::format("ct mark 0x{:x} -> 0x{:x}", old, val); });
          } else {
            const uint32_t old = skb.mark;
            skb.mark = val;
            t.step("nft_meta_set_eval", e.origin, [&] { return fmt::format("meta mark 0x{:x} -> 0x{:x}", old, val); });
          }
        } else if constexpr (std::is_same_v<D, NftTproxy>) {
          open();
          if (!tproxy(e, d, why)) {
            t.step("nft_tproxy_eval_v4", e.origin, [&] { return fmt::format("{}: NFT_BREAK, the rest of the rule ({}) does not run", why, rest()); }, StepKind::NoMatch);
            close();
            stop = true;
          }
        } else if constexpr (std::is_same_v<D, NftVerdict>) {
          out = verdict(e, d);
          stop = true;
        } else if constexpr (std::is_same_v<D, NftReject>) {
          open();
          if (d.tcp_reset) {
            if (p.protocol == IPPROTO_TCP_ && !(p.tcp_flags & TCPHDR_RST)) {
              skb.reply = ReplyKind::rst;
              ip_local_out_count(net, skb);
              t.step("nf_send_reset", e.origin, [&] { return std::string("reject with tcp reset: sends a TCP RST"); });
            }
          } else {
            icmp_send(net, skb, ICMP_DEST_UNREACH, d.code, 0, t, "nft_reject_ipv4_eval");
          }
          t.step("nft_reject_ipv4_eval", e.origin, [&] { return std::string("reject: NF_DROP"); }, StepKind::Drop);
          close();
          out = {NftVerdict::Code::drop, -1, e.origin};
          stop = true;
        } else if constexpr (std::is_same_v<D, NftNat>) {
          open();
          out = nat(e, d);
          stop = true;
        } else if constexpr (std::is_same_v<D, NftNotrack>) {
          open();
          if (skb.ct == CtState::none) {
            skb.ct = CtState::UNTRACKED;
            t.step("nft_notrack_eval", e.origin, [&] { return std::string("packet marked untracked: conntrack will skip it"); });
          } else {
            t.step("nft_notrack_eval", e.origin, [&] { return std::string("conntrack already saw this packet: notrack has no effect"); });
          }
        } else if constexpr (std::is_same_v<D, NftCounter>) {
          open();
        } else if constexpr (std::is_same_v<D, NftLog>) {
          open();
          t.step("nft_log_eval", e.origin, [&] { return fmt::format("log{} (the packet continues)", d.prefix.empty() ? "" : fmt::format(" prefix \"{}\"", d.prefix)); });
        } else if constexpr (std::is_same_v<D, NftLimit>) {
          if (d.over) {
            out = brk(e, "a single packet never exceeds the rate (the token bucket starts full)");
            stop = true;
          }
        } else if constexpr (std::is_same_v<D, NftVmap>) {
          uint32_t v = 0;
          std::string found;
          if (!nft_load(pkt, d.key, v, why, found, T::enabled)) { out = brk(e, why); stop = true; return; }
          v &= d.key.mask;
          for (auto& [range, verd] : d.map)
            if (range.contains(v)) { out = verdict(e, verd); stop = true; return; }
          if constexpr (T::enabled) why = fmt::format("{} {} is not in the map", nft_key_info(d.key.key).text, value_text(pkt, d.key.key, v));
          out = brk(e, why);
          stop = true;
        }
      }, e.data);
      if (stop) return out;
    }
    if (!header) {
      t.step("nft_do_chain", r.origin, [&] {
        return fmt::format("{} `{}`: matched{} (no verdict: the next rule runs)", where(), r.text, note.empty() ? std::string() : fmt::format(" ({})", note));
      }, StepKind::Match);
      return {};
    }
    close();
    return {};
  }
};

}  // namespace

template <typename T>
NfVerdict nft_do_chain(const Net& net, SkBuff& skb, int table, int chain, NfHook hook, int in, int out, Origin& decided, T& t) {
  const NftTable& tbl = net.nft[static_cast<size_t>(table)];
  const NftPkt pkt{net, skb, hook, in, out, tbl};
  const NftChain& base = tbl.chains[static_cast<size_t>(chain)];
  struct Frame { int chain; size_t next; };
  Frame stack[16];  // NFT_JUMP_STACK_SIZE
  int sp = 0;
  int c = chain;
  size_t i = 0;
  auto policy = [&](const char* why) {
    decided = base.policy_origin.known() ? base.policy_origin : base.origin;
    t.step("nft_do_chain", decided, [&] {
      return fmt::format("{} {} {}: {}, policy {}", tbl.family, tbl.name, base.name, why, base.policy == XtVerdict::DROP ? "drop" : "accept");
    }, base.policy == XtVerdict::DROP ? StepKind::Drop : StepKind::Info);
    for (; sp > 0; --sp) t.pop();
    return base.policy == XtVerdict::DROP ? NfVerdict::DROP : NfVerdict::ACCEPT;
  };
  while (true) {
    const NftChain& ch = tbl.chains[static_cast<size_t>(c)];
    if (i >= ch.rules.size()) {
      if (sp == 0) return policy("end of the base chain");
      t.pop();
      --sp;
      c = stack[sp].chain;
      i = stack[sp].next;
      continue;
    }
    RuleEval<T> ev{pkt, ch, i + 1, ch.rules[i], t};
    const RuleOutcome o = ev.run();
    switch (o.code) {
      case NftVerdict::Code::cont: ++i; break;
      case NftVerdict::Code::accept:
        decided = o.origin;
        for (; sp > 0; --sp) t.pop();
        return NfVerdict::ACCEPT;
      case NftVerdict::Code::drop:
        decided = o.origin;
        for (; sp > 0; --sp) t.pop();
        return NfVerdict::DROP;
      case NftVerdict::Code::ret:
        if (sp == 0) return policy("return from the base chain");
        t.pop();
        --sp;
        c = stack[sp].chain;
        i = stack[sp].next;
        break;
      case NftVerdict::Code::jump:
        if (sp >= 16 || o.chain < 0) {  // the kernel WARNs and drops on jump stack overflow
          decided = o.origin;
          for (; sp > 0; --sp) t.pop();
          return NfVerdict::DROP;
        }
        stack[sp++] = Frame{c, i + 1};
        t.push();
        c = o.chain;
        i = 0;
        break;
      case NftVerdict::Code::go_to:
        if (o.chain < 0) {
          decided = o.origin;
          for (; sp > 0; --sp) t.pop();
          return NfVerdict::DROP;
        }
        c = o.chain;
        i = 0;
        break;
    }
  }
}

#define X(T) template NfVerdict nft_do_chain<T>(const Net&, SkBuff&, int, int, NfHook, int, int, Origin&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

#include "sim/check/lint.hpp"
#include <fmt/format.h>
#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include "models/fib/fib_frontend.hpp"
#include "models/sock.hpp"
#include "sim/engine/hints.hpp"
#include "sim/engine/packet_spec.hpp"
#include "sim/engine/run.hpp"

namespace kpath {

using namespace kernel;

std::string_view severity_name(LintFinding::Severity s) { return s == LintFinding::Severity::error ? "error" : "warning"; }

namespace {

constexpr Ipv4Addr kInternet{0x01020304};  // 1.2.3.4: "some address on the internet", as in the story

// ---------------------------------------------------------------------------------------------
// Witness packets: a sketch of header fields, refined by the constraints of the config objects
// the packet must meet, then printed as a packet spec and run through the engine.

struct Sketch {
  uint8_t proto = IPPROTO_TCP_;
  std::optional<Ipv4Addr> saddr, daddr;
  uint16_t sport = 40000, dport = 80;
  std::string iif;
  uint32_t mark = 0;
  uint8_t tcp_flags = TCPHDR_SYN;
  uint8_t tos = 0;
  std::optional<uint8_t> icmp_type, icmp_code;
  bool daddr_local = false;  // the destination must be an address of the in-device (-m addrtype --dst-type LOCAL, DNAT)
};

bool is_configured(const Net& net, Ipv4Addr a) { return net.addr_is_configured(a); }

// A host address inside `p` that is not one of ours (network + 1, + 2, ...; the prefix itself
// for /31 and /32; 1.2.3.4 for the default route).
Ipv4Addr host_in(const Net& net, const Prefix& p) {
  if (p.len == 0) return kInternet;
  if (p.len >= 31) return p.addr;
  const uint32_t base = p.addr.v & p.mask();
  const uint32_t size = ~p.mask() + 1u;
  for (uint32_t k : {1u, 2u, size - 2, size / 2 + 1}) {
    Ipv4Addr a{base + k};
    if (!is_configured(net, a)) return a;
  }
  return Ipv4Addr{base + 1};
}

// Up, not loopback, with an address first; among those, prefer forwarding ones when asked.
const NetDevice* pick_in_dev(const Net& net, std::string_view avoid = {}, bool want_forwarding = false,
                             const std::function<bool(const NetDevice&)>& accept = nullptr) {
  const NetDevice* best = nullptr;
  int best_score = -1;
  for (const NetDevice& d : net.devices) {
    if (d.is_loopback() || d.name == avoid) continue;
    if (accept && !accept(d)) continue;
    int score = (d.up ? 4 : 0) + (d.addrs.empty() ? 0 : 2) + (want_forwarding && net.conf(d, DevConfKey::forwarding).value ? 8 : 0);
    if (score > best_score) { best = &d; best_score = score; }
  }
  return best;
}

// A neighbour on the device's first subnet (10.200.0.1 for 10.200.0.2/24).
Ipv4Addr neighbour_of(const Net& net, const NetDevice* d) {
  const InIfaddr* a = d ? d->primary_addr() : nullptr;
  if (!a) return Ipv4Addr{0xc0000201};  // 192.0.2.1 (TEST-NET-1)
  if (a->prefixlen >= 31) return a->prefixlen == 31 ? Ipv4Addr{a->local.v ^ 1u} : Ipv4Addr{0xc0000201};
  return host_in(net, a->prefix());
}

std::string tcp_flag_words(uint8_t f) {
  static const std::pair<uint8_t, const char*> names[] = {{TCPHDR_SYN, "syn"}, {TCPHDR_ACK, "ack"}, {TCPHDR_FIN, "fin"},
                                                          {TCPHDR_RST, "rst"}, {TCPHDR_PSH, "psh"}, {TCPHDR_URG, "urg"}};
  std::string s;
  for (auto& [bit, n] : names) if (f & bit) s += fmt::format(" {}", n);
  return s.empty() ? " syn" : s;
}

// Fills defaults and prints the spec; "" when no in-device exists.
std::string finish(const Net& net, Sketch s) {
  const NetDevice* in = s.iif.empty() ? pick_in_dev(net) : net.dev_by_name(s.iif);
  if (!in) return "";
  if (!s.saddr) s.saddr = neighbour_of(net, in);
  if (!s.daddr) {
    const InIfaddr* a = in->primary_addr();
    s.daddr = s.daddr_local && a ? a->local : kInternet;
  }
  std::string spec;
  if (s.proto == IPPROTO_TCP_ || s.proto == IPPROTO_UDP_)
    spec = fmt::format("{} {}:{} -> {}:{} iif {}", s.proto == IPPROTO_TCP_ ? "tcp" : "udp", *s.saddr, s.sport, *s.daddr, s.dport, in->name);
  else if (s.proto == IPPROTO_ICMP_)
    spec = fmt::format("icmp {} -> {} iif {}", *s.saddr, *s.daddr, in->name);
  else
    spec = fmt::format("proto {} {} -> {} iif {}", s.proto, *s.saddr, *s.daddr, in->name);
  if (s.proto == IPPROTO_TCP_) spec += tcp_flag_words(s.tcp_flags);
  if (s.proto == IPPROTO_ICMP_ && s.icmp_type) spec += fmt::format(" type {} code {}", *s.icmp_type, s.icmp_code.value_or(0));
  if (s.tos) spec += fmt::format(" tos 0x{:x}", s.tos);
  if (s.mark) spec += fmt::format(" mark 0x{:x}", s.mark);
  return spec;
}

bool iface_pattern_match(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '+') return name.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  return pattern == name;
}

Ipv4Addr outside(const Net& net, const Prefix& p) {
  for (Ipv4Addr a : {kInternet, Ipv4Addr{0xc6336401} /* 198.51.100.1 */, Ipv4Addr{0xcb007101} /* 203.0.113.1 */})
    if (!p.contains(a)) return a;
  return Ipv4Addr{~p.addr.v};
}

// What a packet must look like to match an iptables rule (ipt_ip and the matches kpath models).
void constrain(const Net& net, Sketch& s, const IptEntry& e) {
  const IptIp& ip = e.ip;
  if (ip.proto && !ip.inv_proto) s.proto = ip.proto;
  else if (ip.proto && s.proto == ip.proto) s.proto = ip.proto == IPPROTO_TCP_ ? IPPROTO_UDP_ : IPPROTO_TCP_;
  if (ip.src.len) {
    if (!ip.inv_src) s.saddr = host_in(net, ip.src);
    else if (!s.saddr || ip.src.contains(*s.saddr)) s.saddr = outside(net, ip.src);
  }
  if (ip.dst.len) {
    if (!ip.inv_dst) s.daddr = host_in(net, ip.dst);
    else if (!s.daddr || ip.dst.contains(*s.daddr)) s.daddr = outside(net, ip.dst);
  }
  if (!ip.iniface.empty()) {
    if (!ip.inv_in) {
      if (s.iif.empty() || !iface_pattern_match(ip.iniface, s.iif)) {
        const NetDevice* d = pick_in_dev(net, {}, false, [&](const NetDevice& x) { return iface_pattern_match(ip.iniface, x.name); });
        s.iif = d ? d->name : ip.iniface;
      }
    } else if (s.iif.empty() || iface_pattern_match(ip.iniface, s.iif)) {
      const NetDevice* d = pick_in_dev(net, {}, false, [&](const NetDevice& x) { return !iface_pattern_match(ip.iniface, x.name); });
      if (d) s.iif = d->name;
    }
  }
  for (const XtMatch& m : e.matches) {
    std::visit([&](auto&& d) {
      using D = std::decay_t<decltype(d)>;
      if constexpr (std::is_same_v<D, XtTcpUdp>) {
        s.proto = d.proto;
        auto pick = [](const PortRange& r, bool inv, uint16_t cur) -> uint16_t {
          const bool full = r.start == 0 && r.end == 0xffff;
          if (full) return cur;
          if (!inv) return r.contains(cur) ? cur : r.start;
          if (!r.contains(cur)) return cur;
          return r.end < 0xffff ? static_cast<uint16_t>(r.end + 1) : static_cast<uint16_t>(r.start - 1);
        };
        s.sport = pick(d.spts, d.inv_sport, s.sport);
        s.dport = pick(d.dpts, d.inv_dport, s.dport);
        if (d.flg_mask && !d.inv_flags) {
          s.tcp_flags = d.flg_cmp ? d.flg_cmp : ((d.flg_mask & TCPHDR_ACK) ? TCPHDR_PSH : TCPHDR_ACK);
        }
      } else if constexpr (std::is_same_v<D, XtMultiport>) {
        if (!d.invert && !d.ports.empty()) {
          if (d.flags == XtMultiport::SOURCE) s.sport = d.ports[0].start;
          else s.dport = d.ports[0].start;
        }
      } else if constexpr (std::is_same_v<D, XtMark>) {
        if (!d.invert) s.mark = (s.mark & ~d.mask) | d.mark;
        else if ((s.mark & d.mask) == d.mark) s.mark ^= d.mask & (~d.mask + 1u);
      } else if constexpr (std::is_same_v<D, XtIprange>) {
        if (d.has_src && !d.inv_src) s.saddr = d.src_min;
        if (d.has_dst && !d.inv_dst) s.daddr = d.dst_min;
      } else if constexpr (std::is_same_v<D, XtIcmp>) {
        s.proto = IPPROTO_ICMP_;
        if (d.type != 0xff && !d.invert) { s.icmp_type = d.type; s.icmp_code = d.code_min; }
      } else if constexpr (std::is_same_v<D, XtAddrtype>) {
        if (d.dest & (1u << RTN_LOCAL)) s.daddr_local = !d.inv_dst;
      }
    }, m.data);
  }
  if (s.daddr_local && s.daddr && !is_configured(net, *s.daddr)) s.daddr.reset();
}

// What a packet must look like to match an ip rule (fib4_rule_match), optionally with its mark.
Sketch sketch_for_rule(const Net& net, const FibRule& r, bool with_mark) {
  Sketch s;
  if (r.iif > 0) s.iif = std::string(net.dev_name(r.iif));
  if (r.has_src && r.src.len) s.saddr = host_in(net, r.src);
  if (r.has_dst && r.dst.len) s.daddr = host_in(net, r.dst);
  if (with_mark && r.mark_mask) s.mark = r.mark;
  if (r.tos) s.tos = r.tos;
  if (r.ipproto) s.proto = r.ipproto;
  if (r.dport.set()) s.dport = r.dport.start;
  if (r.sport.set()) s.sport = r.sport.start;
  return s;
}

// A destination some non-local route of table `id` answers (1.2.3.4 for a default route).
std::optional<Ipv4Addr> dest_in_table(const Net& net, uint32_t id) {
  const FibTable* t = net.table(id);
  if (!t) return std::nullopt;
  for (const FibAlias& fa : t->aliases)
    if (fa.type != RTN_LOCAL && fa.type != RTN_BROADCAST) return host_in(net, fa.dst);
  return std::nullopt;
}

// The first rule that looks up table `id` (the way packets reach it), if any.
const FibRule* rule_for_table(const Net& net, uint32_t id) {
  for (const FibRule& r : net.rules)
    if (r.action == FR_ACT_TO_TBL && r.table == id && !r.invert && r.iif >= 0 && r.oif == 0) return &r;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Running a witness: the Explanation plus the skb (route, rule, socket) it ended with.

struct Witness {
  std::string spec;
  Explanation e;
  SkBuff skb;
  bool ran = false;
  const FibRule* rule(const Net& net) const {
    return skb.has_dst && skb.dst.rule_index >= 0 ? &net.rules[static_cast<size_t>(skb.dst.rule_index)] : nullptr;
  }
  const FibAlias* route() const { return skb.has_dst ? skb.dst.route : nullptr; }
  bool step(std::string_view fn, SourceLoc origin, std::optional<StepKind> kind = std::nullopt) const {
    for (auto& s : e.steps)
      if (s.function == fn && s.origin == origin && (!kind || s.kind == *kind)) return true;
    return false;
  }
};

Witness run_witness(const Net& net, const PathGraph& g, const std::string& spec) {
  Witness w;
  w.spec = spec;
  if (spec.empty()) return w;
  Packet p;
  try {
    p = parse_packet_spec(spec, net, 0);
  } catch (const ConfigError&) {
    return w;
  }
  RecordingTracer t;
  RunResult r = run_packet(net, g, p, t);
  w.e.packet = p;
  w.e.packet_text = packet_to_string(p, net);
  w.e.host = net.name;
  w.e.verdict = make_verdict(net, r.skb);
  w.e.steps = std::move(t.steps);
  w.e.path = std::move(r.path);
  w.e.hints = make_hints(net, r.skb, w.e.verdict);
  w.skb = r.skb;
  w.ran = true;
  return w;
}

std::string counters_text(const Verdict& v) {
  std::string c;
  for (size_t i = 0; i < kSnmpCount; ++i)
    if (v.counters.v[i]) c += fmt::format("{}{} +{}", c.empty() ? "" : "  ", kSnmpNames[i], v.counters.v[i]);
  return c.empty() ? "no counter moves" : c;
}

// "DROP at ip_error (IP_INADDRERRORS); IpInReceives +1  IpInAddrErrors +1"
std::string outcome_text(const Net& net, const Verdict& v) {
  std::string s;
  if (v.disposition == Disposition::drop) s = fmt::format("DROP at {} ({})", v.drop_function, drop_reason_name(v.drop_reason));
  else if (v.disposition == Disposition::deliver)
    s = v.socket ? fmt::format("DELIVER to {} socket {}:{}", v.socket->proto, v.socket->addr, v.socket->port) : std::string("DELIVER");
  else s = fmt::format("FORWARD out {}{}", v.egress ? v.egress->dev : "?", v.egress && v.egress->via ? fmt::format(" via {}", *v.egress->via) : "");
  if (v.rule) s += fmt::format(", ip rule {}", *v.rule);
  if (v.table) s += fmt::format(", table {}", fib_table_name(*v.table));
  s += fmt::format(", mark 0x{:x}; {}", v.mark, counters_text(v));
  (void)net;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Where iptables rules sit: every rule reachable from a hook's built-in chains, with the jump
// rules that lead to it (a packet must meet their matches too).

struct XtRef {
  XtTableId table;
  const XtChain* chain;
  size_t index;
  const IptEntry* entry;
  std::vector<const IptEntry*> via;
};

std::vector<XtRef> xt_rules_at(const Net& net, NfHook hook) {
  std::vector<XtRef> out;
  std::set<const IptEntry*> seen;
  for (const NfHookEntry& he : net.hooks[hook]) {
    if (he.table == XtTableId::Count) continue;
    const XtTable& tbl = net.xt[static_cast<size_t>(he.table)];
    const int start = tbl.hook_chain(hook);
    if (start < 0) continue;
    std::function<void(int, std::vector<const IptEntry*>&, int)> visit = [&](int ci, std::vector<const IptEntry*>& via, int depth) {
      const XtChain& c = tbl.chains[static_cast<size_t>(ci)];
      for (size_t i = 0; i < c.rules.size(); ++i) {
        const IptEntry& e = c.rules[i];
        if (seen.insert(&e).second) out.push_back({he.table, &c, i, &e, via});
        if (auto* j = std::get_if<XtJump>(&e.target.data); j && j->chain_index >= 0 && depth < 16) {
          via.push_back(&e);
          visit(j->chain_index, via, depth + 1);
          via.pop_back();
        }
      }
    };
    std::vector<const IptEntry*> via;
    visit(start, via, 0);
  }
  return out;
}

// Every iptables rule of every table and chain.
template <typename F>
void for_each_entry(const Net& net, F&& f) {
  for (const XtTable& t : net.xt)
    for (const XtChain& c : t.chains)
      for (const IptEntry& e : c.rules) f(t, c, e);
}

Sketch sketch_for(const Net& net, const XtRef& r, Sketch s = {}) {
  for (const IptEntry* v : r.via) constrain(net, s, *v);
  constrain(net, s, *r.entry);
  return s;
}

std::string quote_rule(const IptEntry& e, XtTableId t) {
  return fmt::format("iptables -t {} {}", kXtTableNames[static_cast<size_t>(t)], e.text);
}

bool rule_selects(const FibRule& r, uint32_t mark) { return r.mark_mask && (mark & r.mark_mask) == r.mark; }

std::string route_fix(const Net& net, const FibAlias& fa) {
  std::string dev = "lo";
  if (!fa.nhs.empty() && fa.nhs[0].dev) dev = std::string(net.dev_name(fa.nhs[0].dev));
  return fmt::format("ip route replace local {} dev {}{}", fa.dst.len ? to_string(fa.dst) : "default", dev,
                     fa.table == RT_TABLE_MAIN ? "" : fmt::format(" table {}", fib_table_name(fa.table)));
}

// What happened to a diverted packet that was not delivered, in the kernel's words.
std::string fate_text(const Net& net, const Witness& w) {
  const Verdict& v = w.e.verdict;
  const NetDevice* in = net.dev(w.e.packet.iif);
  const std::string inname = in ? in->name : "?";
  if (v.drop_function == "ip_error")
    return fmt::format("ip_route_input_slow treats it as a route to forward; forwarding is off on {}, so it attaches an error route "
                       "(dst.error EHOSTUNREACH) and dst_input calls ip_error, which drops the packet: {}, drop reason {}, no ICMP "
                       "(ip_error answers only when the in-device forwards). With forwarding on, ip_forward would drop it instead, silently "
                       "(drop reason NOT_SPECIFIED, no counter), because the skb carries the proxy's socket",
                       inname, counters_text(v), drop_reason_name(v.drop_reason));
  if (v.drop_function == "ip_forward")
    return fmt::format("ip_route_input_slow makes it a forwarding route (dst.input = ip_forward), and ip_forward drops every packet that "
                       "carries a socket (skb->sk set by TPROXY): drop reason {}, {}: a silent drop",
                       drop_reason_name(v.drop_reason), counters_text(v));
  if (v.disposition == Disposition::forward)
    return fmt::format("the packet is forwarded out {} instead of reaching the proxy", v.egress ? v.egress->dev : "?");
  return fmt::format("the packet is dropped at {} (drop reason {}; {})", v.drop_function, drop_reason_name(v.drop_reason), counters_text(v));
}

// ---------------------------------------------------------------------------------------------

class Linter {
 public:
  explicit Linter(const Net& net) : net_(net) {}

  std::vector<LintFinding> run() {
    pre_ = xt_rules_at(net_, NF_INET_PRE_ROUTING);
    tproxy();
    marks();
    fwmark_rules();
    routes_and_rules();
    rp_filter();
    localnet();
    std::stable_sort(out_.begin(), out_.end(), [](const LintFinding& a, const LintFinding& b) {
      return std::tie(a.loc.file_id, a.loc.line, a.loc.col) < std::tie(b.loc.file_id, b.loc.line, b.loc.col);
    });
    return std::move(out_);
  }

 private:
  const Net& net_;
  PathGraph g_;
  std::vector<XtRef> pre_;
  std::vector<LintFinding> out_;

  Witness run(const std::string& spec) { return run_witness(net_, g_, spec); }

  void add(LintFinding f, const Witness& w) {
    for (auto& o : out_)
      if (o.id == f.id && o.loc == f.loc) return;
    f.host = net_.name;
    f.witness = w.spec;
    f.shows = outcome_text(net_, w.e.verdict);
    f.run = w.e;
    out_.push_back(std::move(f));
  }

  std::vector<const FibRule*> fwmark_rules_selecting(uint32_t mark) const {
    std::vector<const FibRule*> v;
    for (const FibRule& r : net_.rules)
      if (rule_selects(r, mark) && !r.invert) v.push_back(&r);
    return v;
  }

  // ---- TPROXY: the story (route not local), mark not routed, no listener ----
  void tproxy() {
    for (const XtRef& ref : pre_) {
      const auto* tp = std::get_if<XtTproxy>(&ref.entry->target.data);
      if (!tp) continue;
      const IptEntry& e = *ref.entry;
      Witness w = run(finish(net_, sketch_for(net_, ref)));
      if (!w.ran) continue;
      const Verdict& v = w.e.verdict;
      const std::string rule_text = quote_rule(e, ref.table);
      if (v.drop_reason == DropReason::NETFILTER_DROP && v.drop_origin == e.target.origin) {
        no_listener(ref, *tp, w);
        continue;
      }
      if (w.skb.sk_origin != e.target.origin || v.disposition == Disposition::deliver) continue;
      const uint32_t mark = w.skb.mark;
      const FibRule* decided = w.rule(net_);
      const FibAlias* route = w.route();
      auto fw = fwmark_rules_selecting(mark);
      LintFinding f;
      f.severity = LintFinding::Severity::error;
      f.related.push_back({"TPROXY rule", e.origin});
      if (decided && rule_selects(*decided, mark) && route && route->type != RTN_LOCAL) {
        f.id = "tproxy-route-not-local";
        f.loc = route->origin.known() ? route->origin : decided->origin;
        f.title = fmt::format("table {} answers TPROXY-diverted packets with a {} route, not a local one", fib_table_name(route->table),
                              kRtnNames[route->type]);
        f.why = fmt::format(
            "TPROXY (`{}`) assigns the proxy's transparent socket to the packet and sets mark 0x{:x}; ip rule {} (`{}`) sends it to "
            "table {}, where {} matches `{}`: type {}. Only the route type makes a route local (`scope host` does not), and "
            "only a local route makes ip_route_input_slow deliver the packet to ip_local_deliver and the proxy. Here {}.",
            e.text, mark, decided->pref, fib_rule_to_string(net_, *decided), fib_table_name(route->table), w.e.packet.daddr,
            fib_route_to_string(net_, *route), kRtnKernelNames[route->type], fate_text(net_, w));
        f.fix = route_fix(net_, *route);
        f.related.push_back({"ip rule", decided->origin});
      } else if (!fw.empty()) {
        const FibRule& r = *fw.front();
        f.id = "tproxy-route-not-local";
        f.loc = r.origin;
        const FibTable* t = net_.table(r.table);
        std::string reason;
        Flowi4 fl;
        fl.daddr = w.e.packet.daddr;
        const bool no_route = !t || t->lookup(fl, [](int) { return false; }).err == -EAGAIN;
        if (r.action != FR_ACT_TO_TBL) reason = fmt::format("the rule's action is not `lookup`");
        else if (no_route)
          reason = fmt::format("table {} has no route for {}: fib_table_lookup returns -EAGAIN and fib_rules_lookup goes on to the next rule", fib_table_name(r.table),
                               w.e.packet.daddr);
        else if (decided && decided->pref < r.pref)
          reason = fmt::format("ip rule {} (`{}`) comes first and decides", decided->pref, fib_rule_to_string(net_, *decided));
        else reason = "the lookup does not end in that table";
        f.title = fmt::format("ip rule {} selects TPROXY's mark 0x{:x}, but diverted packets are not routed locally", r.pref, mark);
        f.why = fmt::format("TPROXY (`{}`) assigns the proxy's socket and sets mark 0x{:x}, and ip rule {} (`{}`) selects that mark, but {}. "
                            "The packet is decided by {}{}; {}.",
                            e.text, mark, r.pref, fib_rule_to_string(net_, r), reason,
                            decided ? fmt::format("ip rule {} ", decided->pref) : std::string("the routing lookup "),
                            v.table ? fmt::format("in table {}", fib_table_name(*v.table)) : std::string(), fate_text(net_, w));
        f.fix = fmt::format("ip route add local 0.0.0.0/0 dev lo table {}", fib_table_name(r.table));
        if (route) f.related.push_back({"route that decided", route->origin});
      } else {
        f.id = "tproxy-mark-not-routed";
        f.loc = e.origin;
        if (!tp->mark_mask) {
          f.title = "TPROXY sets no mark, so nothing routes diverted packets locally";
          f.why = fmt::format("TPROXY (`{}`) has no --tproxy-mark: it assigns the proxy's socket but leaves the mark 0x{:x}, so no "
                              "`ip rule fwmark` can send the packet to a table with a local route. fib_lookup answers with the main "
                              "table's route for {}; {}.",
                              e.text, mark, w.e.packet.daddr, fate_text(net_, w));
          f.fix = "add --tproxy-mark 0x1/0x1 to the TPROXY rule, then `ip rule add fwmark 0x1/0x1 lookup 100` and "
                  "`ip route add local 0.0.0.0/0 dev lo table 100`";
        } else {
          f.title = fmt::format("no ip rule selects TPROXY's mark 0x{:x}", mark);
          f.why = fmt::format("TPROXY (`{}`) assigns the proxy's socket and sets mark 0x{:x} (--tproxy-mark 0x{:x}/0x{:x}), but no "
                              "`ip rule fwmark` selects that mark, so fib_rules_lookup never reaches a table with a local route: {}; {}.",
                              e.text, mark, tp->mark_value, tp->mark_mask,
                              decided ? fmt::format("ip rule {} (`{}`) decides", decided->pref, fib_rule_to_string(net_, *decided))
                                      : std::string("the lookup fails"),
                              fate_text(net_, w));
          f.fix = fmt::format("ip rule add fwmark 0x{:x}/0x{:x} lookup 100 && ip route add local 0.0.0.0/0 dev lo table 100",
                              tp->mark_value, tp->mark_mask);
        }
      }
      add(std::move(f), w);
    }
  }

  void no_listener(const XtRef& ref, const XtTproxy& tp, const Witness& w) {
    const IptEntry& e = *ref.entry;
    const Packet& p = w.e.packet;
    const uint16_t port = tp.lport ? tp.lport : p.dport;
    const char* proto = p.protocol == IPPROTO_TCP_ ? "tcp" : "udp";
    const Sock* plain = nullptr;
    for (auto& s : net_.socks.socks)
      if (s.proto == p.protocol && s.lport == port && !s.transparent) plain = &s;
    LintFinding f;
    f.id = "tproxy-no-listener";
    f.severity = LintFinding::Severity::error;
    f.loc = e.origin;
    f.title = plain ? fmt::format("the {} socket on port {} is not transparent: TPROXY drops every packet it diverts", proto, port)
                    : fmt::format("no transparent {} listener on port {}: TPROXY drops every packet it diverts", proto, port);
    f.why = fmt::format(
        "tproxy_tg4 (`{}`) looks for an established socket of the packet's own tuple, then (nf_tproxy_get_sock_v4) a listener on {}:{}; "
        "{}, so the target returns NF_DROP: nf_hook_slow frees the packet with drop reason NETFILTER_DROP and no counter but "
        "IpInReceives moves. Every {} packet this rule matches is lost while the proxy is not listening (or lacks IP_TRANSPARENT).",
        e.text, tp.laddr.is_zero() ? std::string("the in-device's address") : to_string(tp.laddr), port,
        plain ? fmt::format("the socket it finds ({}:{}) is not transparent (IP_TRANSPARENT not set)", plain->laddr, plain->lport)
              : std::string("there is none that is transparent"),
        proto);
    f.fix = plain ? fmt::format("set IP_TRANSPARENT on the proxy's socket (in kpath: `#kpath socket {} {} {}:{} transparent`)", proto,
                                p.protocol == IPPROTO_TCP_ ? "listen" : "bind", plain->laddr, plain->lport)
                  : fmt::format("start the proxy with IP_TRANSPARENT on port {} (in kpath: `#kpath socket {} {} 0.0.0.0:{} transparent`), "
                                "or fix --on-port",
                                port, proto, p.protocol == IPPROTO_TCP_ ? "listen" : "bind", port);
    if (plain) f.related.push_back({"socket", plain->origin});
    add(std::move(f), w);
  }

  // ---- MARK values no fwmark rule and no -m mark selects ----
  void marks() {
    for (const XtRef& ref : pre_) {
      const auto* mk = std::get_if<XtMarkTarget>(&ref.entry->target.data);
      if (!mk || !mk->value) continue;
      const uint32_t m = mk->value;  // (0 & ~mask) ^ value: the mark of a packet that arrived without one
      if (!fwmark_rules_selecting(m).empty() || mark_matched_by_iptables(m) || nft_matches_mark()) continue;
      Witness w = run(finish(net_, sketch_for(net_, ref)));
      if (!w.ran || !w.step("mark_tg", ref.entry->target.origin)) continue;  // the witness must reach the MARK
      const FibRule* decided = w.rule(net_);
      if (decided && rule_selects(*decided, w.skb.mark)) continue;
      LintFinding f;
      f.id = "mark-not-routed";
      f.severity = LintFinding::Severity::warning;
      f.loc = ref.entry->origin;
      f.title = fmt::format("mark 0x{:x} set in PREROUTING is selected by no `ip rule fwmark` and no `-m mark`", m);
      f.why = fmt::format("`{}` sets mark 0x{:x} before routing, but no fib rule selects it (fib4_rule_match compares "
                          "(mark & mask) with the rule's fwmark) and no iptables rule matches it: fib_lookup routes the packet "
                          "as if it were unmarked ({}). A mark is usually set to pick a routing table.",
                          quote_rule(*ref.entry, ref.table), m,
                          decided ? fmt::format("ip rule {} `{}`", decided->pref, fib_rule_to_string(net_, *decided)) : std::string("no rule decided"));
      f.fix = fmt::format("ip rule add fwmark 0x{:x} lookup TABLE (or fix the value to the one your ip rule selects)", m);
      add(std::move(f), w);
    }
  }

  bool mark_matched_by_iptables(uint32_t m) const {
    bool hit = false;
    for_each_entry(net_, [&](const XtTable&, const XtChain&, const IptEntry& e) {
      for (auto& x : e.matches)
        if (auto* mm = std::get_if<XtMark>(&x.data); mm && (((m & mm->mask) == mm->mark) != mm->invert)) hit = true;
      if (auto* cm = std::get_if<XtConnmarkTarget>(&e.target.data); cm && cm->mode == XtConnmarkTarget::SAVE) hit = true;
    });
    return hit;
  }

  // An nft rule that looks at the mark (`meta mark 0x2 ...`): the mark may be meant for it.
  bool nft_matches_mark() const {
    for (auto& t : net_.nft)
      for (auto& c : t.chains)
        for (auto& r : c.rules)
          for (auto& x : r.exprs)
            if (auto* m = std::get_if<NftMatch>(&x.data); m && m->key == NftKey::meta_mark) return true;
    return false;
  }

  // ---- ip rule fwmark that selects a mark nothing sets ----
  void fwmark_rules() {
    struct Source { uint32_t value, mask; };  // the bits under mask are value, the others unknown
    std::vector<Source> src;
    bool restore = false;
    std::vector<Source> ct;
    for_each_entry(net_, [&](const XtTable&, const XtChain&, const IptEntry& e) {
      std::visit([&](auto&& d) {
        using D = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<D, XtMarkTarget>) src.push_back({d.value, d.mask});
        else if constexpr (std::is_same_v<D, XtTproxy>) { if (d.mark_mask) src.push_back({d.mark_value, d.mark_mask}); }
        else if constexpr (std::is_same_v<D, XtConnmarkTarget>) {
          if (d.mode == XtConnmarkTarget::RESTORE) restore = true;
          else if (d.mode == XtConnmarkTarget::SET) ct.push_back({d.ctmark, d.ctmask});
        }
      }, e.target.data);
      for (auto& m : e.matches)
        if (auto* s = std::get_if<XtSocket>(&m.data); s && s->restore_skmark)
          for (auto& sk : net_.socks.socks) src.push_back({sk.mark, 0xffffffffu});
    });
    // nft: `meta mark set` / `ct mark set` (nft_meta_set_eval, nft_ct_set_eval): (src & mask) ^ xor
    for (auto& t : net_.nft)
      for (auto& c : t.chains)
        for (auto& r : c.rules)
          for (auto& x : r.exprs) {
            const auto* sm = std::get_if<NftSetMark>(&x.data);
            if (!sm) continue;
            const Source v{sm->xor_, sm->src == NftSetMark::Src::imm ? 0xffffffffu : ~sm->mask};
            if (sm->ct) ct.push_back(v);
            else if (sm->src == NftSetMark::Src::ct_mark) restore = true;
            else src.push_back(v);
          }
    if (restore) src.insert(src.end(), ct.begin(), ct.end());
    for (auto& sk : net_.socks.socks)
      if (sk.mark) src.push_back({sk.mark, 0xffffffffu});  // SO_MARK: the socket's own (output) packets
    for (const FibRule& r : net_.rules) {
      if (!r.mark_mask || r.invert || r.iif < 0) continue;
      bool possible = false;
      for (auto& s : src)
        if (((s.value ^ r.mark) & r.mark_mask & s.mask) == 0) possible = true;
      if (possible) continue;
      Sketch s = sketch_for_rule(net_, r, false);
      if (!s.daddr && r.action == FR_ACT_TO_TBL) s.daddr = dest_in_table(net_, r.table);
      Witness w = run(finish(net_, s));
      if (!w.ran || !w.step("fib_rules_lookup", r.origin, StepKind::NoMatch)) continue;
      if (w.e.verdict.rule == r.pref) continue;
      // the same packet with the mark on it does use the rule: it is the mark that is missing
      Sketch marked = s;
      marked.mark = r.mark;
      Witness wm = run(finish(net_, marked));
      if (!wm.ran || wm.e.verdict.rule != r.pref) continue;
      LintFinding f;
      f.id = "fwmark-rule-unused";
      f.severity = LintFinding::Severity::warning;
      f.loc = r.origin;
      f.title = fmt::format("ip rule {} selects fwmark 0x{:x}{}, which nothing in the config sets", r.pref, r.mark,
                            r.mark_mask == 0xffffffffu ? std::string() : fmt::format("/0x{:x}", r.mark_mask));
      f.why = fmt::format("No MARK, TPROXY --tproxy-mark, CONNMARK --restore-mark or socket mark in the config produces a mark with "
                          "(mark & 0x{:x}) == 0x{:x}, so fib4_rule_match never matches `{}` for packets this host receives: they are "
                          "routed by {} instead. The same packet carrying mark 0x{:x} would use the rule ({}).",
                          r.mark_mask, r.mark, fib_rule_to_string(net_, r),
                          w.e.verdict.rule ? fmt::format("ip rule {}", *w.e.verdict.rule) : std::string("no rule"), r.mark,
                          outcome_text(net_, wm.e.verdict));
      f.fix = fmt::format("set the mark the rule expects (e.g. `iptables -t mangle -A PREROUTING ... -j MARK --set-mark 0x{:x}`), "
                          "or make the rule select the mark your MARK/TPROXY rule sets",
                          r.mark);
      add(std::move(f), w);
    }
  }

  // ---- routes via devices that are down, missing or without carrier; detached rules ----
  void routes_and_rules() {
    for (const auto& [id, tb] : net_.tables) {
      for (const FibAlias& fa : tb.aliases) {
        if (fa.kernel_created || fa.type != RTN_UNICAST || !fa.origin.known()) continue;
        const FibNh* bad = nullptr;
        std::string state;
        for (const FibNh& nh : fa.nhs) {
          const NetDevice* d = net_.dev(nh.dev);
          if (!d && nh.dev) { bad = &nh; state = "missing"; }
          else if (d && !d->up) { bad = &nh; state = "down"; }
          else if (d && !d->carrier) { bad = &nh; state = "no-carrier"; }
          else if (nh.dead) { bad = &nh; state = "dead"; }
          if (bad) break;
        }
        if (!bad) continue;
        const NetDevice* bd = net_.dev(bad->dev);
        const std::string dname = bd ? bd->name : fmt::format("ifindex {}", bad->dev);
        const FibRule* via_rule = rule_for_table(net_, id);
        Sketch s = via_rule ? sketch_for_rule(net_, *via_rule, true) : Sketch{};
        s.daddr = host_in(net_, fa.dst);
        if (s.iif.empty() || s.iif == dname) {
          const NetDevice* in = pick_in_dev(net_, dname, true);
          s.iif = in ? in->name : "";
        }
        Witness w = run(finish(net_, s));
        if (!w.ran) continue;
        const Verdict& v = w.e.verdict;
        const bool out_dead_dev = v.egress && v.egress->dev == dname;
        const bool skipped = v.route_origin != fa.origin && fa.all_dead();
        if (!out_dead_dev && !skipped) continue;
        LintFinding f;
        f.id = "route-dev-down";
        f.severity = LintFinding::Severity::warning;
        f.loc = fa.origin;
        const std::string rt = fib_route_to_string(net_, fa, true);
        if (state == "no-carrier") {
          f.title = fmt::format("route `{}` leaves by {}, which has no carrier", rt, dname);
          f.why = fmt::format("{} is up but has no carrier ({}): the kernel keeps the route (fib_sync_down_dev marks its nexthop "
                              "RTNH_F_LINKDOWN; ignore_routes_with_linkdown is 0), so ip_forward counts the packet (IpForwDatagrams) and "
                              "hands it to a device that cannot transmit it: it is lost without any drop reason on the IP path.",
                              dname, bd && !bd->peer.empty() ? fmt::format("its veth peer {} is down or gone", bd->peer) : std::string("link down"));
          f.fix = bd && !bd->peer.empty() ? fmt::format("ip link set {} up (the peer), or route {} another way", bd->peer, to_string(fa.dst))
                                          : fmt::format("bring the link of {} up, or route {} another way", dname, to_string(fa.dst));
        } else if (state == "down") {
          f.title = fmt::format("route `{}` leaves by {}, which is down", rt, dname);
          f.why = fmt::format("{} is down, but the route stays (its nexthop has scope host, which fib_sync_down_dev does not kill): "
                              "fib_table_lookup still selects it and ip_forward sends matching packets to a device that is down.",
                              dname);
          f.fix = fmt::format("ip link set {} up, or delete the route", dname);
        } else {
          f.title = fmt::format("route `{}` has no usable nexthop ({} is {})", rt, dname, state == "missing" ? "gone" : "dead");
          f.why = fmt::format("Every nexthop of `{}` is dead (RTNH_F_DEAD): fib_table_lookup skips the route and the packet takes another "
                              "one ({}).", rt, outcome_text(net_, v));
          f.fix = fmt::format("ip route del {}; add it again once {} exists and is up", rt, dname);
        }
        if (bd) f.related.push_back({"device", bd->up_origin.known() ? bd->up_origin : bd->origin});
        add(std::move(f), w);
      }
    }
    for (const FibRule& r : net_.rules) {
      if (r.iif >= 0 && r.oif >= 0) continue;
      Sketch s = sketch_for_rule(net_, r, true);
      if (!s.daddr && r.action == FR_ACT_TO_TBL) s.daddr = dest_in_table(net_, r.table);
      Witness w = run(finish(net_, s));
      if (!w.ran || !w.step("fib_rules_lookup", r.origin, StepKind::NoMatch) || w.e.verdict.rule == r.pref) continue;
      const std::string dev = r.iif < 0 ? r.iifname : r.oifname;
      LintFinding f;
      f.id = "rule-dev-detached";
      f.severity = LintFinding::Severity::warning;
      f.loc = r.origin;
      f.title = fmt::format("ip rule {} names {} {}, which does not exist: the rule is detached", r.pref, r.iif < 0 ? "iif" : "oif", dev);
      f.why = fmt::format("`{}` refers to device {}, which the config never creates (or deletes). The kernel keeps such a rule "
                          "[detached] with ifindex -1, and fib4_rule_match never matches it until a device of that name appears: "
                          "packets are routed by {} instead.",
                          fib_rule_to_string(net_, r), dev, w.e.verdict.rule ? fmt::format("ip rule {}", *w.e.verdict.rule) : std::string("later rules"));
      f.fix = fmt::format("create {} before the rule (or fix the name), or `ip rule del pref {}`", dev, r.pref);
      add(std::move(f), w);
    }
  }

  // ---- strict rp_filter with an fwmark table that routes the source back over the in-device ----
  void rp_filter() {
    for (const NetDevice& d : net_.devices) {
      if (d.is_loopback() || !d.up || !d.primary_addr()) continue;
      const EffectiveConf rpf = net_.conf(d, DevConfKey::rp_filter);
      if (rpf.value != 1) continue;
      bool reported = false;
      for (const FibRule& r : net_.rules) {
        if (reported || !r.mark_mask || r.action != FR_ACT_TO_TBL || r.invert) continue;
        const FibTable* t = net_.table(r.table);
        if (!t) continue;
        for (const FibAlias& fa : t->aliases) {
          if (reported || fa.type != RTN_UNICAST) continue;
          if (std::none_of(fa.nhs.begin(), fa.nhs.end(), [&](const FibNh& nh) { return nh.dev == d.ifindex; })) continue;
          Ipv4Addr src = host_in(net_, fa.dst);
          bool on_link = false;
          for (auto& a : d.addrs) if (a.prefix().contains(src)) on_link = true;
          if (on_link) continue;  // the connected route already points back over d
          Sketch s;
          s.iif = d.name;
          s.saddr = src;
          s.daddr = d.primary_addr()->local;
          Witness w = run(finish(net_, s));
          if (!w.ran || w.e.verdict.drop_reason != DropReason::IP_RPFILTER) continue;
          LintFinding f;
          f.id = "rp-filter-policy-route";
          f.severity = LintFinding::Severity::warning;
          f.loc = rpf.origin.known() ? rpf.origin : r.origin;
          f.title = fmt::format("strict rp_filter on {} drops traffic that ip rule {} routes back over {}", d.name, r.pref, d.name);
          f.why = fmt::format(
              "rp_filter is 1 (strict) on {}: fib_validate_source looks up the route back to the source without the packet's mark "
              "(src_valid_mark is {}) and requires it to leave by {}. Marked traffic is routed by ip rule {} (`{}`) to table {}, "
              "where `{}` sends {} over {}; the unmarked reverse lookup takes another way, so packets from there arriving on {} "
              "are dropped in ip_route_input_slow: TcpExtIPReversePathFilter +1, drop reason IP_RPFILTER.",
              d.name, net_.conf(d, DevConfKey::src_valid_mark).value, d.name, r.pref, fib_rule_to_string(net_, r),
              fib_table_name(r.table), fib_route_to_string(net_, fa), to_string(fa.dst), d.name, d.name);
          f.fix = fmt::format("sysctl -w net.ipv4.conf.{}.rp_filter=2 (loose; conf.all.rp_filter counts too: the kernel uses the "
                              "larger of all and {}), or set net.ipv4.conf.{}.src_valid_mark=1 and restore the mark on incoming "
                              "packets (CONNMARK --restore-mark) so the reverse lookup uses table {}",
                              d.name, d.name, d.name, fib_table_name(r.table));
          f.related.push_back({"ip rule", r.origin});
          f.related.push_back({"policy route", fa.origin});
          add(std::move(f), w);
          reported = true;
        }
      }
    }
  }

  // ---- 127.0.0.0/8 destinations reached from outside without route_localnet ----
  // Runs a packet towards 127.0.0.0/8 from a device without route_localnet; the witness counts
  // only when the kernel model drops it as IP_LOCALNET.
  bool localnet_witness(Sketch s, Witness& w, std::string& inname) {
    if (s.iif.empty()) {
      const NetDevice* in = pick_in_dev(net_, {}, false, [&](const NetDevice& x) { return !net_.conf(x, DevConfKey::route_localnet).value; });
      if (in) s.iif = in->name;
    }
    w = run(finish(net_, s));
    if (!w.ran || w.e.verdict.drop_reason != DropReason::IP_LOCALNET) return false;
    const NetDevice* in = net_.dev(w.e.packet.iif);
    inname = in ? in->name : "?";
    return true;
  }

  void localnet() {
    for (const XtRef& ref : pre_) {
      const auto* nat = std::get_if<XtNat>(&ref.entry->target.data);
      if (!nat || nat->kind != XtNat::DNAT || !nat->has_addr || !nat->addr_min.is_loopback()) continue;
      Sketch s;
      s.daddr_local = true;
      s = sketch_for(net_, ref, s);
      Witness w;
      std::string inname;
      if (!localnet_witness(s, w, inname)) continue;
      LintFinding f;
      f.id = "localnet-from-outside";
      f.severity = LintFinding::Severity::error;
      f.loc = ref.entry->origin;
      f.title = fmt::format("DNAT to {} for packets from outside: dropped as martians (route_localnet is off on {})", nat->addr_min, inname);
      f.why = fmt::format("`{}` rewrites the destination to {} in PREROUTING; ip_route_input_slow then sees a 127.0.0.0/8 destination "
                          "on {}, where route_localnet is 0, and drops it as a martian before any route lookup: drop reason IP_LOCALNET "
                          "(kernels before 6.13 report no specific reason), {}.",
                          quote_rule(*ref.entry, ref.table), nat->addr_min, inname, counters_text(w.e.verdict));
      f.fix = fmt::format("sysctl -w net.ipv4.conf.{}.route_localnet=1 (this exposes services bound to 127.0.0.1 to {}), or DNAT to an "
                          "address of the host / use REDIRECT, which rewrites to the in-device's own address",
                          inname, inname);
      add(std::move(f), w);
    }
    for (const auto& [id, tb] : net_.tables) {
      for (const FibAlias& fa : tb.aliases) {
        if (fa.kernel_created || !fa.origin.known() || fa.dst.len < 8 || !fa.dst.addr.is_loopback()) continue;
        const FibRule* via_rule = rule_for_table(net_, id);
        Sketch s = via_rule ? sketch_for_rule(net_, *via_rule, true) : Sketch{};
        s.daddr = host_in(net_, fa.dst);
        Witness w;
        std::string inname;
        if (!localnet_witness(s, w, inname)) continue;
        LintFinding f;
        f.id = "localnet-from-outside";
        f.severity = LintFinding::Severity::warning;
        f.loc = fa.origin;
        f.title = fmt::format("route `{}` cannot be reached from outside: 127.0.0.0/8 is martian on {}", fib_route_to_string(net_, fa, true), inname);
        f.why = fmt::format("ip_route_input_slow drops packets from another host to 127.0.0.0/8 before any fib lookup unless "
                            "route_localnet is on for the in-device: drop reason IP_LOCALNET. The route is only used by the host's own packets.");
        f.fix = fmt::format("sysctl -w net.ipv4.conf.{}.route_localnet=1 if packets from {} must reach it, or use a non-loopback prefix", inname, inname);
        add(std::move(f), w);
      }
    }
  }
};

}  // namespace

std::vector<LintFinding> lint_net(const Net& net) { return Linter(net).run(); }

std::string lint_summary(const std::vector<LintFinding>& fs) {
  size_t e = 0, w = 0;
  for (auto& f : fs) ++(f.severity == LintFinding::Severity::error ? e : w);
  return fmt::format("{} error{}, {} warning{}", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
}

std::string render_lint_text(const std::vector<LintFinding>& fs, const FileTable& files, const std::vector<std::string>& configs) {
  std::string out;
  auto trim = [](std::string s) {
    const size_t a = s.find_first_not_of(" \t");
    if (a == std::string::npos) return std::string();
    return s.substr(a, s.find_last_not_of(" \t") - a + 1);
  };
  std::string cfg;
  for (auto& c : configs) cfg += " " + c;
  for (const LintFinding& f : fs) {
    out += fmt::format("{}: {}: [{}] {}{}\n", f.loc.known() ? files.where(f.loc) : "<config>", severity_name(f.severity), f.id, f.title,
                       f.host.empty() ? "" : fmt::format(" (host {})", f.host));
    if (f.loc.known()) {
      const std::string line = files.line_text(f.loc);
      if (!line.empty()) out += fmt::format("{:>5} | {}\n", f.loc.line, line);
    }
    out += fmt::format("  why:     {}\n", f.why);
    out += fmt::format("  fix:     {}\n", f.fix);
    out += fmt::format("  witness: {}\n", f.witness);
    out += fmt::format("           → {}\n", f.shows);
    out += fmt::format("           kpath explain{} --packet \"{}\"{}\n", cfg, f.witness, f.host.empty() ? "" : " --host " + f.host);
    bool first = true;
    for (const auto& [what, l] : f.related) {
      if (!l.known()) continue;
      out += fmt::format("  {}{}: {}  {}\n", first ? "see:     " : "         ", what, files.where(SourceLoc{l.file_id, l.line, 0}), trim(files.line_text(l)));
      first = false;
    }
    out += "\n";
  }
  out += lint_summary(fs) + "\n";
  return out;
}

nlohmann::json render_lint_json(const std::vector<LintFinding>& fs, const FileTable& files) {
  using nlohmann::json;
  auto loc = [&](SourceLoc l) -> json {
    if (!l.known()) return nullptr;
    return json{{"file", files.path(l.file_id)}, {"line", l.line}, {"column", l.col}, {"text", files.line_text(l)}};
  };
  json arr = json::array();
  size_t errors = 0, warnings = 0;
  for (const LintFinding& f : fs) {
    ++(f.severity == LintFinding::Severity::error ? errors : warnings);
    json rel = json::array();
    for (auto& [what, l] : f.related) rel.push_back(json{{"what", what}, {"source", loc(l)}});
    const Verdict& v = f.run.verdict;
    json counters = json::object();
    for (size_t i = 0; i < kSnmpCount; ++i)
      if (v.counters.v[i]) counters[std::string(kSnmpNames[i])] = v.counters.v[i];
    json wit{{"packet", f.witness},
             {"shows", f.shows},
             {"disposition", disposition_name(v.disposition)},
             {"drop_reason", v.disposition == Disposition::drop ? json(drop_reason_name(v.drop_reason)) : json(nullptr)},
             {"drop_function", v.disposition == Disposition::drop ? json(v.drop_function) : json(nullptr)},
             {"counters", counters},
             {"egress", v.egress ? json(v.egress->dev) : json(nullptr)},
             {"mark", fmt::format("0x{:x}", v.mark)},
             {"table", v.table ? json(*v.table) : json(nullptr)},
             {"rule", v.rule ? json(*v.rule) : json(nullptr)}};
    arr.push_back(json{{"id", f.id},
                       {"severity", severity_name(f.severity)},
                       {"host", f.host.empty() ? json(nullptr) : json(f.host)},
                       {"source", loc(f.loc)},
                       {"title", f.title},
                       {"why", f.why},
                       {"fix", f.fix},
                       {"witness", wit},
                       {"related", rel}});
  }
  return json{{"findings", arr}, {"errors", errors}, {"warnings", warnings}, {"summary", lint_summary(fs)}};
}

}  // namespace kpath

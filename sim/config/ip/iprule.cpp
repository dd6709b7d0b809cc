// ip/iprule.c (iprule_modify, flush) and the kernel's fib_nl_newrule / fib_nl_delrule
// (net/core/fib_rules.c: fib_nl2rule, rule_exists, rule_find) with fib4_rule_configure /
// fib4_rule_compare / fib4_rule_delete (net/ipv4/fib_rules.c).
#include <fmt/format.h>
#include <algorithm>
#include "sim/config/ip/ip_common.hpp"

namespace kpath::ip {

using namespace kernel;

namespace {

// The netlink request iprule_modify builds: what was given, as the kernel sees it.
struct RuleReq {
  bool invert = false;
  std::optional<InetPrefix> src, dst;
  const Word *src_w = nullptr, *dst_w = nullptr;
  std::optional<uint32_t> pref;
  const Word* pref_w = nullptr;
  uint8_t tos = 0;
  const Word* tos_w = nullptr;
  std::optional<uint8_t> dscp;
  const Word* dscp_w = nullptr;
  std::optional<uint32_t> fwmark, fwmask;
  std::optional<uint8_t> protocol;
  uint32_t table = 0;
  const Word* table_w = nullptr;
  std::optional<int> suppress_prefixlen, suppress_ifgroup;
  std::string iifname, oifname;
  bool l3mdev = false;
  std::optional<std::pair<uint32_t, uint32_t>> uidrange;
  const Word* uid_w = nullptr;
  std::optional<uint8_t> ipproto;
  std::optional<PortRange> sport, dport;
  const Word *sport_w = nullptr, *dport_w = nullptr;
  int action = FR_ACT_UNSPEC;
  const Word* action_w = nullptr;
  std::optional<uint32_t> goto_target;
  const Word* goto_w = nullptr;
  std::vector<std::pair<SourceLoc, std::string>> ignored;
};

std::optional<PortRange> port_range(std::string_view s) {
  // sscanf("%hu-%hu"): one or two numbers, each taken modulo 65536
  auto num = [](std::string_view t) -> std::optional<uint16_t> {
    auto v = strtoul_base(t, 10);
    if (!v) return std::nullopt;
    return static_cast<uint16_t>(*v & 0xffff);
  };
  const auto dash = s.find('-');
  auto a = num(s.substr(0, dash));
  if (!a) return std::nullopt;
  if (dash == std::string_view::npos) return PortRange{*a, *a};
  auto b = num(s.substr(dash + 1));
  if (!b) return std::nullopt;
  return PortRange{*a, *b};
}

RuleReq parse_rule(Ctx& c, Args& a, bool add) {
  RuleReq r;
  bool table_ok = false;
  if (add) r.action = FR_ACT_TO_TBL;
  while (!a.done()) {
    const Word& w = a.w();
    if (a.is("not")) {
      r.invert = true;
    } else if (a.is("from") || a.is("to")) {
      const bool from = a.is("from");
      const Word& v = a.next_arg();
      InetPrefix p = get_prefix(c, v);
      (from ? r.src : r.dst) = p;
      (from ? r.src_w : r.dst_w) = &v;
    } else if (a.pre("preference") || a.pre("order") || a.pre("priority")) {
      const Word& v = a.next_arg();
      auto p = get_u32(v.text);
      if (!p) invarg(v, "preference value is invalid", "a number 0-4294967295");
      r.pref = *p;
      r.pref_w = &v;
    } else if (a.is("tos") || a.pre("dsfield")) {
      const Word& v = a.next_arg();
      auto t = dsfield_a2n(v.text);
      if (!t) invarg(v, "TOS value is invalid", "a hex TOS like 0x10 or a name from /etc/iproute2/rt_dsfield");
      r.tos = *t;
      r.tos_w = &v;
    } else if (a.is("dscp")) {
      // iproute2 6.14+: a DSCP number 0-63 or a rt_dsfield name (its DSCP bits)
      const Word& v = a.next_arg();
      std::optional<uint8_t> d;
      if (auto n = strtoul_base(v.text, 0); n && *n <= 63) d = static_cast<uint8_t>(*n);
      else if (auto t = dsfield_a2n(v.text); t && !strtoul_base(v.text, 16)) d = static_cast<uint8_t>(*t >> 2);
      if (!d) invarg(v, "invalid dscp", "a DSCP value 0-63 or a name like EF or AF41");
      r.dscp = *d;
      r.dscp_w = &v;
    } else if (a.is("fwmark")) {
      const Word& v = a.next_arg();
      const auto slash = v.text.find('/');
      const std::string mark = v.text.substr(0, slash);
      auto m = get_u32(mark);
      if (!m) invarg(Word{mark, v.loc}, "fwmark value is invalid", "a mark like 0x1 or 0x1/0xff");
      r.fwmark = *m;
      if (slash != std::string::npos) {
        const std::string mask = v.text.substr(slash + 1);
        auto k = get_u32(mask);
        if (!k) invarg(Word{mask, v.loc}, "fwmask value is invalid", "a mask like 0xff");
        r.fwmask = *k;
      }
    } else if (a.pre("realms")) {
      const Word& v = a.next_arg();
      r.ignored.emplace_back(w.loc, fmt::format("ip rule: `realms {}` is accepted but not modelled", v.text));
    } else if (a.pre("protocol")) {
      const Word& v = a.next_arg();
      auto p = rtprot_a2n(v.text);
      if (!p) invarg(v, "\"protocol\" value is invalid", "a number 0-255 or a name from /etc/iproute2/rt_protos");
      r.protocol = *p;
    } else if (a.pre("tun_id")) {
      not_modelled(w.loc, "ip rule ... tun_id (metadata tunnels)");
    } else if (a.pre("table") || a.is("lookup")) {
      const Word& v = a.next_arg();
      auto t = rt_table_a2n(c.h(), v.text);
      if (!t) invarg(v, "invalid table ID", "a number or a name from /etc/iproute2/rt_tables (local, main, default)");
      r.table = *t;
      r.table_w = &v;
      table_ok = true;
    } else if (a.pre("suppress_prefixlength") || a.is("sup_pl")) {
      const Word& v = a.next_arg();
      auto n = get_integer(v.text);
      if (!n || *n < 0) invarg(v, "suppress_prefixlength value is invalid", "a prefix length 0-32");
      r.suppress_prefixlen = static_cast<int>(*n);
    } else if (a.pre("suppress_ifgroup") || a.is("sup_group")) {
      const Word& v = a.next_arg();
      auto g = group_a2n(v.text);
      if (!g) invarg(v, "Invalid \"suppress_ifgroup\" value", "a group number or name");
      r.suppress_ifgroup = static_cast<int>(*g);
    } else if (a.is("dev") || a.is("iif")) {
      const Word& v = a.next_arg();
      if (!check_ifname(v.text)) invarg(v, "\"iif\"/\"dev\" not a valid ifname");
      r.iifname = v.text;
    } else if (a.is("oif")) {
      const Word& v = a.next_arg();
      if (!check_ifname(v.text)) invarg(v, "\"oif\" not a valid ifname");
      r.oifname = v.text;
    } else if (a.is("l3mdev")) {
      r.l3mdev = true;
      table_ok = true;
    } else if (a.is("uidrange")) {
      const Word& v = a.next_arg();
      const auto dash = v.text.find('-');
      auto lo = dash == std::string::npos ? std::nullopt : strtoul_base(std::string_view(v.text).substr(0, dash), 10);
      auto hi = dash == std::string::npos ? std::nullopt : strtoul_base(std::string_view(v.text).substr(dash + 1), 10);
      if (!lo || !hi || *lo > 0xffffffffull || *hi > 0xffffffffull) invarg(v, "invalid UID range", "FIRST-LAST, like 1000-1999");
      r.uidrange = std::pair<uint32_t, uint32_t>{static_cast<uint32_t>(*lo), static_cast<uint32_t>(*hi)};
      r.uid_w = &v;
    } else if (a.is("nat") || a.pre("map-to")) {
      not_modelled(w.loc, "ip rule ... nat (route NAT was removed from Linux 2.6)");
    } else if (a.is("ipproto")) {
      const Word& v = a.next_arg();
      auto p = inet_proto_a2n(v.text);
      if (!p) invarg(v, "Invalid \"ipproto\" value", "a protocol name like tcp, udp, icmp or a number");
      r.ipproto = *p;
    } else if (a.is("sport") || a.is("dport")) {
      const bool s = a.is("sport");
      const Word& v = a.next_arg();
      auto pr = port_range(v.text);
      if (!pr) invarg(v, "invalid port range", "PORT or FIRST-LAST");
      (s ? r.sport : r.dport) = pr;
      (s ? r.sport_w : r.dport_w) = &v;
    } else {
      const Word* v = &w;
      if (a.is("type")) v = &a.next_arg();
      if (matches(v->text, "help")) fail(v->loc, "Usage: ip rule { add | del } SELECTOR ACTION");
      if (matches(v->text, "goto")) {
        const Word& t = a.next_arg();
        auto n = get_u32(t.text);
        if (!n) invarg(t, "invalid target", "the priority of a later rule");
        r.goto_target = *n;
        r.goto_w = &t;
        r.action = FR_ACT_GOTO;
      } else if (matches(v->text, "nop")) {
        r.action = FR_ACT_NOP;
      } else if (auto t = rtntype_a2n(v->text)) {
        r.action = *t;  // the route type number is sent as the rule action
      } else {
        invarg(*v, "Failed to parse rule type",
               "a selector (from, to, fwmark, iif, oif, tos, ipproto, sport, dport, uidrange, pref) or an action (lookup, goto, nop, "
               "blackhole, unreachable, prohibit)");
      }
      r.action_w = v;
      table_ok = true;
    }
    a.next();
  }
  if (r.l3mdev && r.table) fail(r.table_w->loc, "table can not be specified for l3mdev rules");
  if (!table_ok && add) r.table = RT_TABLE_MAIN;
  return r;
}

// fib_nl2rule: the rule as the kernel builds it from the request (for add, and as the pattern
// of a delete).
FibRule nl2rule(Ctx& c, const RuleReq& r, SourceLoc at) {
  const HostConfig& h = c.h();
  FibRule n;
  n.pref = r.pref ? *r.pref : fib_default_rule_pref(h.rules);
  n.protocol = r.protocol.value_or(RTPROT_UNSPEC);
  n.iifname = r.iifname;
  n.oifname = r.oifname;
  if (r.fwmark) {
    n.mark = *r.fwmark;
    // compatibility: a non-zero mark without a mask compares all bits
    if (n.mark) n.mark_mask = 0xffffffffu;
  }
  if (r.fwmask) n.mark_mask = *r.fwmask;
  n.l3mdev = r.l3mdev;
  if (r.action > FR_ACT_PROHIBIT || r.action == 4 || r.action == 5)
    not_modelled(r.action_w ? r.action_w->loc : at,
                 fmt::format("ip rule action {} (the kernel accepts it but it is no FR_ACT_* action: every lookup reaching the rule fails)",
                             r.action_w ? r.action_w->text : std::to_string(r.action)));
  n.action = static_cast<FrAct>(r.action);
  n.table = r.table;
  n.suppress_prefixlen = r.suppress_prefixlen.value_or(-1);
  n.suppress_ifgroup = r.suppress_ifgroup.value_or(-1);
  if (r.goto_target) {
    if (n.action != FR_ACT_GOTO) extack(r.goto_w->loc, "Unexpected goto");
    n.goto_pref = *r.goto_target;
    if (n.goto_pref <= n.pref)
      extack(r.goto_w->loc, "Backward goto not supported",
             fmt::format("this rule has priority {}; goto must target a later (higher) priority", n.pref));
  } else if (n.action == FR_ACT_GOTO) {
    extack(r.action_w ? r.action_w->loc : at, "Missing goto target for action goto", "`type local` is action 2 (goto); use `lookup local`");
  }
  if (n.l3mdev && n.table) extack(at, "l3mdev and table are mutually exclusive");
  if (r.uidrange) {
    if (r.uidrange->first > r.uidrange->second) extack(r.uid_w->loc, "Invalid uid range", "FIRST must not be above LAST");
    n.has_uidrange = true;
    n.uid_start = r.uidrange->first;
    n.uid_end = r.uidrange->second;
  }
  if (r.ipproto) n.ipproto = *r.ipproto;
  auto valid = [](const PortRange& p) { return p.start != 0 && p.end != 0xffff && p.start <= p.end; };
  if (r.sport) {
    if (!valid(*r.sport)) extack(r.sport_w->loc, "Invalid sport range", "1-65534, FIRST not above LAST");
    n.sport = *r.sport;
  }
  if (r.dport) {
    if (!valid(*r.dport)) extack(r.dport_w->loc, "Invalid dport range", "1-65534, FIRST not above LAST");
    n.dport = *r.dport;
  }
  n.invert = r.invert;
  if (r.src && r.src->bitlen) { n.has_src = true; n.src = Prefix{r.src->addr, r.src->bitlen}; }
  if (r.dst && r.dst->bitlen) { n.has_dst = true; n.dst = Prefix{r.dst->addr, r.dst->bitlen}; }
  n.tos = r.tos;
  n.dscp = r.dscp;
  n.origin = c.cmd.loc;
  return n;
}

// fib4_rule_compare: addresses and tos compare only when the request carries them.
bool fib4_rule_compare(const FibRule& x, const FibRule& req) {
  if (req.has_src && (!x.has_src || x.src.len != req.src.len || x.src.addr != req.src.addr)) return false;
  if (req.has_dst && (!x.has_dst || x.dst.len != req.dst.len || x.dst.addr != req.dst.addr)) return false;
  if (req.tos && x.tos != req.tos) return false;
  if (req.dscp && x.dscp != req.dscp) return false;
  return true;
}

bool rule_exists(const std::vector<FibRule>& rules, const FibRule& n) {
  for (const FibRule& r : rules) {
    if (r.action != n.action || r.table != n.table || r.pref != n.pref || r.iifname != n.iifname || r.oifname != n.oifname ||
        r.mark != n.mark || r.suppress_ifgroup != n.suppress_ifgroup || r.suppress_prefixlen != n.suppress_prefixlen ||
        r.mark_mask != n.mark_mask || r.l3mdev != n.l3mdev || r.uid_start != n.uid_start || r.uid_end != n.uid_end ||
        r.ipproto != n.ipproto || r.sport != n.sport || r.dport != n.dport)
      continue;
    if (!fib4_rule_compare(r, n)) continue;
    return true;
  }
  return false;
}

// rule_find: every attribute the delete request carries must match.
std::optional<size_t> rule_find(const std::vector<FibRule>& rules, const FibRule& n, const RuleReq& q) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const FibRule& r = rules[i];
    if (n.action && r.action != n.action) continue;
    if (n.table && r.table != n.table) continue;
    if (q.pref && r.pref != n.pref) continue;
    if (!n.iifname.empty() && r.iifname != n.iifname) continue;
    if (!n.oifname.empty() && r.oifname != n.oifname) continue;
    if (n.mark && r.mark != n.mark) continue;
    if (n.suppress_ifgroup != -1 && r.suppress_ifgroup != n.suppress_ifgroup) continue;
    if (n.suppress_prefixlen != -1 && r.suppress_prefixlen != n.suppress_prefixlen) continue;
    if (n.mark_mask && r.mark_mask != n.mark_mask) continue;
    if (n.l3mdev && r.l3mdev != n.l3mdev) continue;
    if (n.has_uidrange && (!r.has_uidrange || r.uid_start != n.uid_start || r.uid_end != n.uid_end)) continue;
    if (n.ipproto && r.ipproto != n.ipproto) continue;
    if (n.protocol && r.protocol != n.protocol) continue;
    if (n.sport.set() && r.sport != n.sport) continue;
    if (n.dport.set() && r.dport != n.dport) continue;
    if (!fib4_rule_compare(r, n)) continue;
    return i;
  }
  return std::nullopt;
}

// fib4_rule_configure: tos checks, table 0 → the first unused table (fib_empty_table).
void fib4_rule_configure(Ctx& c, FibRule& n, const RuleReq& r, SourceLoc at) {
  if (n.tos & 0x03) extack(r.tos_w->loc, "Invalid dsfield (tos): ECN bits must be 0", fmt::format("tos 0x{:x} has ECN bits set", n.tos));
  if (n.tos & ~0x1cu) extack(r.tos_w->loc, "Invalid tos", "IPv4 rules compare only the TOS bits 0x1c (use dscp on 6.13+)");
  if (r.dscp && n.tos) extack(r.dscp_w->loc, "Cannot specify both TOS and DSCP");
  if (n.table == RT_TABLE_UNSPEC && !n.l3mdev && n.action == FR_ACT_TO_TBL) {
    const HostConfig& h = c.h();
    for (uint32_t id = 1;; ++id) {
      bool used = id == RT_TABLE_LOCAL || id == RT_TABLE_MAIN || id == RT_TABLE_DEFAULT;
      for (const FibAlias& fa : h.routes) used = used || fa.table == id;
      for (const FibRule& x : h.rules) used = used || x.table == id;
      if (!used) { n.table = id; break; }
    }
    c.note(at, fmt::format("ip rule: table 0 means \"a new empty table\" to the kernel: this rule looks up table {}", n.table));
  }
}

void rule_add(Ctx& c, Args& a, const Word& cmdw) {
  if (a.done()) fail(cmdw.loc, "\"ip rule add\" requires arguments.; expected selectors and an action, like `fwmark 1 lookup 100`");
  RuleReq r = parse_rule(c, a, true);
  FibRule n = nl2rule(c, r, cmdw.loc);
  HostConfig& h = c.h();
  if (rule_exists(h.rules, n))
    rtnl_error(r.pref_w ? r.pref_w->loc : cmdw.loc, Errno::EEXIST_,
               fmt::format("an identical rule with priority {} exists; give another `pref`", n.pref));
  fib4_rule_configure(c, n, r, cmdw.loc);
  for (const auto& [loc, msg] : r.ignored) c.note(loc, msg);
  fib_rule_insert(h.rules, std::move(n));
  h.fib_has_custom_rules = true;
}

void rule_del(Ctx& c, Args& a, const Word& cmdw) {
  if (a.done()) fail(cmdw.loc, "\"ip rule del\" requires arguments.; expected the selectors of the rule, like `pref 100` or `fwmark 1 lookup 100`");
  RuleReq r = parse_rule(c, a, false);
  FibRule n = nl2rule(c, r, cmdw.loc);
  HostConfig& h = c.h();
  auto i = rule_find(h.rules, n, r);
  if (!i) rtnl_error(cmdw.loc, Errno::ENOENT_, "no rule matches every selector given");
  h.rules.erase(h.rules.begin() + static_cast<std::ptrdiff_t>(*i));
  h.fib_has_custom_rules = true;
}

// iprule_flush: every rule the dump shows with a priority (all but pref 0) and the filter keeps.
void rule_flush(Ctx& c, Args& a) {
  HostConfig& h = c.h();
  std::optional<uint32_t> table, pref;
  std::optional<uint8_t> proto;
  while (!a.done()) {
    const Word& w = a.w();
    if (a.pre("table") || a.is("lookup")) {
      const Word& v = a.next_arg();
      auto t = rt_table_a2n(h, v.text);
      if (!t) invarg(v, "table id value is invalid");
      table = *t;
    } else if (a.pre("preference") || a.pre("order") || a.pre("priority")) {
      const Word& v = a.next_arg();
      auto p = get_u32(v.text);
      if (!p) invarg(v, "preference value is invalid");
      pref = *p;
    } else if (a.pre("protocol")) {
      const Word& v = a.next_arg();
      auto p = rtprot_a2n(v.text);
      if (!p) invarg(v, "\"protocol\" value is invalid");
      proto = *p;
    } else {
      not_modelled(w.loc, fmt::format("ip rule flush ... {} (kpath filters a flush by table, pref and protocol)", w.text));
    }
    a.next();
  }
  const size_t before = h.rules.size();
  std::erase_if(h.rules, [&](const FibRule& r) {
    return r.pref != 0 && (!table || r.table == *table) && (!pref || r.pref == *pref) && (!proto || r.protocol == *proto);
  });
  if (h.rules.size() != before) h.fib_has_custom_rules = true;
}

}  // namespace

void do_iprule(Ctx& c, Args a) {
  if (a.done()) { c.note(a.last().loc, "ip rule (list): listing commands have no effect; ignored"); return; }
  const Word& cmdw = a.w();
  const std::string& s = cmdw.text;
  a.next();
  if (matches(s, "list") || matches(s, "lst") || matches(s, "show") || matches(s, "save")) {
    c.note(cmdw.loc, fmt::format("ip rule {}: listing commands have no effect; ignored", s));
    return;
  }
  if (matches(s, "restore")) not_modelled(cmdw.loc, "ip rule restore (binary dumps)");
  if (matches(s, "flush")) return rule_flush(c, a);
  if (matches(s, "add")) return rule_add(c, a, cmdw);
  if (matches(s, "delete")) return rule_del(c, a, cmdw);
  fail(cmdw.loc, fmt::format("Command \"{}\" is unknown, try \"ip rule help\".; expected add, del, flush or show", s));
}

}  // namespace kpath::ip

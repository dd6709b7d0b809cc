// ip/iproute.c (iproute_modify with its hidden defaults, parse_nexthops,
// iproute_list_flush_or_save) and the kernel's insert-time behaviour: rtm_to_fib_config,
// fib_table_insert / fib_create_info / fib_check_nh (net/ipv4/fib_trie.c, fib_semantics.c)
// and fib_table_delete.
#include <fmt/format.h>
#include <algorithm>
#include "sim/config/ip/ip_common.hpp"
#include "sim/config/ip/ip_fib.hpp"

namespace kpath::ip {

using namespace kernel;

namespace {

enum NlFlags : unsigned { F_CREATE = 1, F_EXCL = 2, F_REPLACE = 4, F_APPEND = 8 };

struct NhReq {
  const Word* at = nullptr;     // the `nexthop` word
  const Word* via = nullptr;
  Ipv4Addr gw;
  const Word* dev_w = nullptr;
  int dev = 0;
  int weight = 1;
  bool onlink = false;
};

struct RouteReq {
  bool del = false;
  RtnType type = RTN_UNICAST;
  const Word* type_w = nullptr;
  InetPrefix dst;
  const Word* dst_w = nullptr;
  uint32_t table = RT_TABLE_MAIN;
  const Word* table_w = nullptr;
  uint8_t scope = RT_SCOPE_UNIVERSE;
  const Word* scope_w = nullptr;
  uint8_t protocol = RTPROT_BOOT;
  const Word* proto_w = nullptr;
  uint32_t priority = 0;
  const Word* metric_w = nullptr;
  Ipv4Addr prefsrc;
  const Word* src_w = nullptr;
  uint8_t tos = 0;
  const Word* tos_w = nullptr;
  const Word* via_w = nullptr;
  Ipv4Addr gw;
  const Word* dev_w = nullptr;
  int oif = 0;
  const Word* onlink_w = nullptr;
  uint32_t mtu = 0;
  const Word* mtu_w = nullptr;
  std::vector<NhReq> nhs;
  bool nhs_ok = false;
  std::vector<std::pair<SourceLoc, std::string>> ignored;
};

constexpr std::string_view kRouteUsage = "Usage: ip route { add | del | change | append | replace } ROUTE";

void ignore_metric(Args& a, RouteReq& r, bool lock_ok) {
  const Word& kw = a.w();
  const Word* v = &a.next_arg();
  if (lock_ok && v->text == "lock") v = &a.next_arg();
  r.ignored.emplace_back(kw.loc, fmt::format("ip route: `{} {}` is accepted but not modelled (no effect on the routing decision)", kw.text, v->text));
}

// parse_one_nh / parse_nexthops: every word from the first `nexthop` on.
void parse_nexthops(Ctx& c, Args& a, RouteReq& r) {
  while (!a.done()) {
    if (!a.is("nexthop")) fail(a.w().loc, fmt::format("Error: \"nexthop\" or end of line is expected instead of \"{}\"", a.s()));
    if (a.left() <= 1) fail(a.w().loc, "Error: unexpected end of line after \"nexthop\"");
    NhReq nh;
    nh.at = &a.w();
    a.next();
    while (!a.done()) {
      if (a.is("via")) {
        const Word* v = &a.next_arg();
        if (v->text == "inet") v = &a.next_arg();
        nh.gw = get_addr(c, *v, true);
        nh.via = v;
      } else if (a.is("dev")) {
        const Word& v = a.next_arg();
        const NetDevice* d = c.h().find_dev(v.text);
        if (!d) nodev(v);
        nh.dev = d->ifindex;
        nh.dev_w = &v;
      } else if (a.is("weight")) {
        const Word& v = a.next_arg();
        auto w = get_u32(v.text);
        if (!w || *w == 0 || *w > 256) invarg(v, "\"weight\" is invalid", "1 to 256");
        nh.weight = static_cast<int>(*w);
      } else if (a.is("onlink")) {
        nh.onlink = true;
      } else if (a.pre("realms")) {
        const Word& k = a.w();
        const Word& v = a.next_arg();
        r.ignored.emplace_back(k.loc, fmt::format("ip route: `realms {}` is accepted but not modelled", v.text));
      } else if (a.is("encap")) {
        not_modelled(a.w().loc, "ip route ... encap (lightweight tunnels)");
      } else {
        break;
      }
      a.next();
    }
    r.nhs.push_back(nh);
  }
}

// iproute_modify(): the words after add/del/change/... and iproute2's defaults.
RouteReq parse_route(Ctx& c, Args& a, bool del) {
  RouteReq r;
  r.del = del;
  bool family_known = c.inet4_only;
  bool type_ok = false, table_ok = false, scope_ok = false;
  if (del) { r.protocol = RTPROT_UNSPEC; r.scope = RT_SCOPE_NOWHERE; r.type = RTN_UNSPEC; }
  while (!a.done()) {
    const Word& w = a.w();
    if (a.is("src")) {
      const Word& v = a.next_arg();
      r.prefsrc = get_addr(c, v, family_known);
      r.src_w = &v;
      family_known = true;
    } else if (a.is("as")) {
      not_modelled(w.loc, "ip route ... as (MPLS label rewrite)");
    } else if (a.is("via")) {
      if (r.via_w) invarg(w, "use nexthop syntax to specify multiple via", "one `via` or `nexthop via A nexthop via B`");
      const Word* v = &a.next_arg();
      if (v->text == "inet") v = &a.next_arg();
      else if (v->text == "inet6" || v->text == "mpls") not_modelled(v->loc, fmt::format("ip route ... via {}", v->text));
      r.gw = get_addr(c, *v, family_known);
      r.via_w = v;
      family_known = true;
    } else if (a.is("from")) {
      const Word& v = a.next_arg();
      family_known = family_known || !get_prefix(c, v, family_known).any;
      r.ignored.emplace_back(w.loc, fmt::format("ip route: `from {}` is ignored by the IPv4 FIB (no source-specific routes)", v.text));
    } else if (a.is("tos") || a.pre("dsfield")) {
      const Word& v = a.next_arg();
      auto t = dsfield_a2n(v.text);
      if (!t) invarg(v, "\"tos\" value is invalid", "a hex TOS like 0x10 or a name from /etc/iproute2/rt_dsfield");
      r.tos = *t;
      r.tos_w = &v;
    } else if (a.is("expires")) {
      const Word& v = a.next_arg();
      if (!get_u32(v.text)) invarg(v, "\"expires\" value is invalid", "a number of seconds");
      r.ignored.emplace_back(w.loc, "ip route: `expires` applies to IPv6 routes only; ignored");
    } else if (a.pre("metric") || a.pre("priority") || a.is("preference")) {
      const Word& v = a.next_arg();
      auto m = get_u32(v.text);
      if (!m) invarg(v, "\"metric\" value is invalid", "a number 0-4294967295");
      r.priority = *m;
      r.metric_w = &v;
    } else if (a.is("scope")) {
      const Word& v = a.next_arg();
      auto s = rtscope_a2n(v.text);
      if (!s) invarg(v, "invalid \"scope\" value", "global, site, link, host, nowhere or a number 0-255");
      r.scope = *s;
      r.scope_w = &v;
      scope_ok = true;
    } else if (a.is("mtu")) {
      const Word* v = &a.next_arg();
      if (v->text == "lock") v = &a.next_arg();
      auto m = get_u32(v->text);
      if (!m) invarg(*v, "\"mtu\" value is invalid", "a number of bytes");
      // fib_convert_metrics: RTAX_MTU is capped at IP_MAX_MTU (65535 - 15)
      r.mtu = std::min<uint32_t>(*m, 65520);
      r.mtu_w = v;
    } else if (a.is("hoplimit") || a.is("advmss") || a.pre("reordering") || a.is("rtt") || a.is("rto_min") || a.pre("window") ||
               a.pre("cwnd") || a.pre("initcwnd") || a.pre("initrwnd") || a.pre("congctl") || a.pre("rttvar") || a.pre("ssthresh")) {
      ignore_metric(a, r, true);
    } else if (a.pre("features") || a.pre("quickack") || a.pre("realms") || a.is("ttl-propagate") || a.pre("fastopen_no_cookie")) {
      ignore_metric(a, r, false);
    } else if (a.is("onlink")) {
      r.onlink_w = &w;
    } else if (a.is("nexthop")) {
      r.nhs_ok = true;
      break;
    } else if (a.is("nhid")) {
      not_modelled(w.loc, "ip route ... nhid (nexthop objects)");
    } else if (a.pre("protocol")) {
      const Word& v = a.next_arg();
      auto p = rtprot_a2n(v.text);
      if (!p) invarg(v, "\"protocol\" value is invalid", "a number 0-255 or a name from /etc/iproute2/rt_protos (boot, static, kernel, dhcp, ...)");
      r.protocol = *p;
      r.proto_w = &v;
    } else if (a.pre("table")) {
      const Word& v = a.next_arg();
      auto t = rt_table_a2n(c.h(), v.text);
      if (!t) invarg(v, "\"table\" value is invalid", "a number or a name from /etc/iproute2/rt_tables (local, main, default)");
      r.table = *t;
      r.table_w = &v;
      table_ok = true;
    } else if (a.pre("vrf")) {
      not_modelled(w.loc, "ip route ... vrf (VRFs)");
    } else if (a.is("dev") || a.is("oif")) {
      r.dev_w = &a.next_arg();
    } else if (a.pre("pref")) {
      const Word& v = a.next_arg();
      if (v.text != "low" && v.text != "medium" && v.text != "high" && !(get_u32(v.text) && *get_u32(v.text) <= 255))
        invarg(v, "\"pref\" value is invalid", "low, medium, high or a number");
      r.ignored.emplace_back(w.loc, "ip route: `pref` (router preference) applies to IPv6 routes only; ignored");
    } else if (a.is("encap")) {
      not_modelled(w.loc, "ip route ... encap (lightweight tunnels)");
    } else {
      const Word* v = &w;
      if (a.is("to")) v = &a.next_arg();
      if (!v->text.empty() && (v->text[0] < '0' || v->text[0] > '9')) {
        if (auto t = rtntype_a2n(v->text)) {
          r.type = static_cast<RtnType>(*t);
          r.type_w = v;
          type_ok = true;
          v = &a.next_arg();
        }
      }
      if (matches(v->text, "help")) fail(v->loc, std::string(kRouteUsage));
      if (r.dst_w) duparg2(*v, "to", "one destination prefix and keywords like via, dev, table, metric, scope, src");
      r.dst = get_prefix(c, *v, family_known);
      r.dst_w = v;
      family_known = family_known || !r.dst.any;  // "default" leaves the family open
    }
    a.next();
  }
  if (!r.dst_w) fail(a.last().loc, fmt::format("{}; expected a destination prefix like 10.0.0.0/8 or \"default\"", kRouteUsage));
  if (r.dev_w) {
    const NetDevice* d = c.h().find_dev(r.dev_w->text);
    if (!d) nodev(*r.dev_w);
    r.oif = d->ifindex;
  }
  if (r.nhs_ok) parse_nexthops(c, a, r);
  if (r.type > RTN_MAX) fail(r.type_w->loc, fmt::format("Error: route type {} is not a valid route type; expected unicast, local, "
                                                           "broadcast, multicast, anycast, blackhole, unreachable, prohibit, throw or nat", int(r.type)));
  (void)type_ok;
  // end of iproute_modify: the defaults scripts rely on without writing them
  if (!table_ok && (r.type == RTN_LOCAL || r.type == RTN_BROADCAST || r.type == RTN_NAT || r.type == RTN_ANYCAST)) r.table = RT_TABLE_LOCAL;
  if (!scope_ok) {
    if (r.type == RTN_LOCAL || r.type == RTN_NAT) r.scope = RT_SCOPE_HOST;
    else if (r.type == RTN_BROADCAST || r.type == RTN_MULTICAST || r.type == RTN_ANYCAST) r.scope = RT_SCOPE_LINK;
    else if (r.type == RTN_UNICAST || r.type == RTN_UNSPEC) {
      if (del) r.scope = RT_SCOPE_NOWHERE;
      else if (!r.via_w && !r.nhs_ok) r.scope = RT_SCOPE_LINK;
    }
  }
  return r;
}

SourceLoc loc_of(std::initializer_list<const Word*> ws, SourceLoc fallback) {
  for (const Word* w : ws)
    if (w) return w->loc;
  return fallback;
}

std::string dev_name(const HostConfig& h, int ifindex) {
  for (const NetDevice& d : h.devices)
    if (d.ifindex == ifindex) return d.name;
  return fmt::format("if{}", ifindex);
}

// fib_check_nh (net/ipv4/fib_semantics.c) for one nexthop of a route of scope `scope`.
void fib_check_nh(const FibView& v, FibNh& nh, const NhReq& q, uint32_t table, uint8_t scope, SourceLoc fallback) {
  const HostConfig& h = v.h;
  const SourceLoc via_loc = loc_of({q.via, q.dev_w, q.at}, fallback);
  if (!nh.gw.is_zero()) {
    if (nh.onlink) {
      if (scope >= RT_SCOPE_LINK) extack(via_loc, "Nexthop has invalid scope", "an onlink gateway needs a route of scope global");
      const NetDevice* d = nullptr;
      for (const NetDevice& x : h.devices) if (x.ifindex == nh.dev) d = &x;
      if (!d) extack(via_loc, "Nexthop device required for onlink", "add `dev IFNAME`");
      if (!d->up) extack(loc_of({q.dev_w}, via_loc), "Nexthop device is not up", fmt::format("{} is down", d->name));
      if (inet_dev_addr_type(v, nh.dev, nh.gw, RT_TABLE_LOCAL) != RTN_UNICAST)
        extack(via_loc, "Nexthop has invalid gateway", fmt::format("{} is a local or broadcast address of {}", nh.gw, d->name));
      nh.linkdown = !d->carrier;
      nh.scope = RT_SCOPE_LINK;
      return;
    }
    const uint8_t fl_scope = std::max<uint8_t>(static_cast<uint8_t>(scope + 1), RT_SCOPE_LINK);
    FibResult res;
    bool looked = false;
    if (table && table != RT_TABLE_MAIN && v.table_exists(table)) {
      res = fib_table_lookup(v.table(table), nh.gw, fl_scope, nh.dev);
      looked = true;
    }
    if (!looked || res.err) res = fib_lookup(v, nh.gw, fl_scope, nh.dev);
    const std::string why = nh.dev ? fmt::format("{} is not on a connected subnet of {} (an up device with an address there, a link-scope route, or `onlink`)",
                                                 nh.gw, dev_name(h, nh.dev))
                                   : fmt::format("{} is not on a connected subnet (an up device with an address there, a link-scope route, or `onlink`)", nh.gw);
    if (res.err || !res.fa) extack(via_loc, "Nexthop has invalid gateway", why);
    if (res.fa->type != RTN_UNICAST && res.fa->type != RTN_LOCAL)
      extack(via_loc, "Nexthop has invalid gateway", fmt::format("{} resolves to a {} route", nh.gw, kRtnNames[res.fa->type]));
    nh.scope = res.fa->scope;
    nh.dev = res.fa->nhs[res.nh].dev;
    const NetDevice* d = nullptr;
    for (const NetDevice& x : h.devices) if (x.ifindex == nh.dev) d = &x;
    if (!d) extack(via_loc, "No egress device for nexthop gateway");
    nh.linkdown = !d->carrier;
    if (!d->up) rtnl_error(via_loc, Errno::ENETDOWN_, fmt::format("{} is down", d->name));
    return;
  }
  if (nh.onlink) extack(loc_of({q.at}, fallback), "Invalid flags for nexthop - PERVASIVE and ONLINK can not be set", "`onlink` needs `via`");
  const NetDevice* d = nullptr;
  for (const NetDevice& x : h.devices) if (x.ifindex == nh.dev) d = &x;
  if (!d) rtnl_error(loc_of({q.at}, fallback), Errno::ENODEV_, "a route without `via` needs `dev IFNAME`");
  if (!d->up)
    extack(loc_of({q.dev_w}, fallback), "Device for nexthop is not up",
           fmt::format("{} is down; bring it up first, or use `scope host` (nexthops of host-scope routes may be down)", d->name));
  nh.scope = RT_SCOPE_HOST;
  nh.linkdown = !d->carrier;
}

bool same_info(const FibAlias& a, const FibAlias& b) {
  if (a.type != b.type || a.scope != b.scope || a.protocol != b.protocol || a.prefsrc != b.prefsrc || a.priority != b.priority ||
      a.mtu != b.mtu || a.nhs.size() != b.nhs.size())
    return false;
  for (size_t i = 0; i < a.nhs.size(); ++i) {
    const FibNh &x = a.nhs[i], &y = b.nhs[i];
    if (x.dev != y.dev || x.gw != y.gw || x.weight != y.weight || x.onlink != y.onlink) return false;
  }
  return true;
}

std::string route_text(const HostConfig& h, const FibAlias& fa) {
  std::string s;
  if (fa.type != RTN_UNICAST) s += fmt::format("{} ", kRtnNames[fa.type]);
  s += fa.dst.len == 0 ? std::string("default") : fa.dst.len == 32 ? to_string(fa.dst.addr) : to_string(fa.dst);
  if (!fa.nhs.empty() && !fa.nhs[0].gw.is_zero()) s += fmt::format(" via {}", fa.nhs[0].gw);
  if (!fa.nhs.empty() && fa.nhs[0].dev) s += fmt::format(" dev {}", dev_name(h, fa.nhs[0].dev));
  s += fmt::format(" table {}", table_name(h, fa.table));
  if (fa.kernel_created) s += " proto kernel";
  if (fa.priority) s += fmt::format(" metric {}", fa.priority);
  return s;
}

void fib_newroute(Ctx& c, const RouteReq& r, unsigned flags) {
  HostConfig& h = c.h();
  const FibView v(h);
  const SourceLoc dst_loc = r.dst_w->loc;
  // rtm_to_fib_config
  if (r.tos & 0x03) extack(r.tos_w->loc, "Invalid dsfield (tos): ECN bits must be 0", fmt::format("tos 0x{:x} has ECN bits set", r.tos));
  const uint32_t table = r.table ? r.table : RT_TABLE_MAIN;  // fib_new_table(0) is main
  // fib_table_insert: fib_valid_key_len
  const Prefix dst{r.dst.addr, r.dst.bitlen};
  if (dst.addr.v & ~dst.mask())
    extack(dst_loc, "Invalid prefix for given prefix length", fmt::format("{}/{} has host bits set; the prefix is {}", dst.addr, dst.len, dst.canonical()));

  // fib_create_info
  const SourceLoc scope_loc = loc_of({r.scope_w, r.type_w}, dst_loc);
  if (fib_props[r.type].scope > r.scope)
    extack(scope_loc, "Invalid scope", fmt::format("a {} route needs scope {} or wider-numbered", kRtnNames[r.type], rt_scope_name(fib_props[r.type].scope)));
  FibAlias fa;
  fa.dst = dst;
  fa.tos = r.tos;
  fa.priority = r.priority;
  fa.type = r.type;
  fa.scope = r.scope;
  fa.protocol = r.protocol;
  fa.prefsrc = r.prefsrc;
  fa.table = table;
  fa.mtu = r.mtu;
  fa.origin = c.cmd.loc;
  std::vector<NhReq> qs;
  if (!r.nhs.empty()) {
    for (const NhReq& q : r.nhs) {
      FibNh nh;
      nh.dev = q.dev;
      nh.gw = q.gw;
      nh.weight = static_cast<uint8_t>(std::min(q.weight, 255));
      nh.onlink = q.onlink;  // fib_get_nhs: per-nexthop flags
      fa.nhs.push_back(nh);
      qs.push_back(q);
    }
    if (r.oif && fa.nhs[0].dev != r.oif) extack(r.dev_w->loc, "Nexthop device index does not match RTA_OIF");
    if (r.via_w && fa.nhs[0].gw != r.gw) extack(r.via_w->loc, "Nexthop gateway does not match RTA_GATEWAY or RTA_VIA");
  } else if (r.oif || r.via_w || !rtn_is_error_type(r.type)) {
    FibNh nh;
    nh.dev = r.oif;
    nh.gw = r.gw;
    nh.onlink = r.onlink_w != nullptr;
    fa.nhs.push_back(nh);
    NhReq q;
    q.via = r.via_w;
    q.dev_w = r.dev_w;
    q.at = r.onlink_w;
    qs.push_back(q);
  }
  if (rtn_is_error_type(r.type)) {
    if (r.via_w || r.oif || r.nhs_ok)
      extack(loc_of({r.via_w, r.dev_w, r.type_w}, dst_loc), "Gateway, device and multipath can not be specified for this route type",
             fmt::format("a {} route has no nexthop: drop via/dev", kRtnNames[r.type]));
    fa.nhs.clear();
  } else {
    if (r.scope > RT_SCOPE_HOST) extack(scope_loc, "Invalid scope", "scope nowhere is only for error routes");
    if (r.scope == RT_SCOPE_HOST) {
      if (fa.nhs.size() != 1) extack(loc_of({r.nhs.empty() ? nullptr : r.nhs[1].at}, dst_loc), "Route with host scope can not have multiple nexthops");
      if (!fa.nhs[0].gw.is_zero()) extack(loc_of({qs[0].via}, dst_loc), "Route with host scope can not have a gateway");
      if (!fa.nhs[0].dev) rtnl_error(dst_loc, Errno::ENODEV_, "a host-scope route needs `dev IFNAME`");
      fa.nhs[0].scope = RT_SCOPE_NOWHERE;  // the device may be down
    } else {
      for (size_t i = 0; i < fa.nhs.size(); ++i) fib_check_nh(v, fa.nhs[i], qs[i], table, r.scope, dst_loc);
    }
    // fib_valid_prefsrc
    if (!fa.prefsrc.is_zero() && (r.type != RTN_LOCAL || dst.addr.is_zero() || fa.prefsrc != dst.addr)) {
      const uint32_t tb = table == RT_TABLE_MAIN ? RT_TABLE_LOCAL : table;
      RtnType rc = inet_dev_addr_type(v, 0, fa.prefsrc, tb);
      if (rc != RTN_LOCAL && tb != RT_TABLE_LOCAL) rc = inet_dev_addr_type(v, 0, fa.prefsrc, RT_TABLE_LOCAL);
      if (rc != RTN_LOCAL) extack(r.src_w->loc, "Invalid prefsrc address", fmt::format("{} is not a local address of this host", fa.prefsrc));
    }
  }

  // fib_table_insert: aliases with the same table, prefix, tos and priority
  auto same_key = [&](const FibAlias& x) { return x.table == table && x.dst == dst && x.tos == fa.tos && x.priority == fa.priority; };
  std::vector<const FibAlias*> kernel_group;
  for (const FibAlias& x : v.magic) if (same_key(x)) kernel_group.push_back(&x);
  std::vector<size_t> group;
  for (size_t i = 0; i < h.routes.size(); ++i) if (same_key(h.routes[i])) group.push_back(i);
  const bool exists = !kernel_group.empty() || !group.empty();
  if (exists) {
    const FibAlias& first = kernel_group.empty() ? h.routes[group[0]] : *kernel_group[0];
    if (flags & F_EXCL)
      rtnl_error(dst_loc, Errno::EEXIST_, fmt::format("table {} already has `{}`{} with this prefix, tos and metric; the kernel keeps one "
                                                      "route per prefix/tos/metric whatever its type: use `ip route replace` or another metric",
                                                      table_name(h, table), route_text(h, first),
                                                      first.origin.line ? fmt::format(" (line {})", first.origin.line) : std::string()));
    const FibAlias* match = nullptr;
    for (const FibAlias* x : kernel_group) if (!match && x->type == fa.type && same_info(*x, fa)) match = x;
    for (size_t i : group) if (!match && h.routes[i].type == fa.type && same_info(h.routes[i], fa)) match = &h.routes[i];
    if (flags & F_REPLACE) {
      if (match) {
        if (match == &first) return;
        rtnl_error(dst_loc, Errno::EEXIST_, "an identical route exists further down the list");
      }
      if (!kernel_group.empty()) {
        h.deleted_kernel_routes.push_back(*kernel_group[0]);
        h.routes.insert(group.empty() ? h.routes.end() : h.routes.begin() + static_cast<std::ptrdiff_t>(group[0]), fa);
      } else {
        h.routes[group[0]] = fa;
      }
    } else {
      if (match) rtnl_error(dst_loc, Errno::EEXIST_, fmt::format("`{}` is already there", route_text(h, *match)));
      if (flags & F_APPEND) h.routes.insert(group.empty() ? h.routes.end() : h.routes.begin() + static_cast<std::ptrdiff_t>(group.back() + 1), fa);
      else h.routes.insert(group.empty() ? h.routes.end() : h.routes.begin() + static_cast<std::ptrdiff_t>(group[0]), fa);
    }
  } else {
    if (!(flags & F_CREATE)) rtnl_error(dst_loc, Errno::ENOENT_, "no route with this prefix, tos and metric to change");
    h.routes.push_back(fa);
  }
  for (const auto& [loc, msg] : r.ignored) c.note(loc, msg);
  // inet_rtm_newroute
  if (fa.type == RTN_LOCAL) h.fib_has_custom_local_routes = true;
}

// fib_table_delete: the first alias of (table, prefix, tos) matching every attribute given.
bool del_matches(const RouteReq& r, const FibAlias& fa) {
  if (r.type != RTN_UNSPEC && fa.type != r.type) return false;
  if (r.scope != RT_SCOPE_NOWHERE && fa.scope != r.scope) return false;
  if (!r.prefsrc.is_zero() && fa.prefsrc != r.prefsrc) return false;
  if (r.protocol && fa.protocol != r.protocol) return false;
  // fib_nh_match
  if (r.priority && fa.priority != r.priority) return false;
  if (r.oif || r.via_w) {
    if (fa.nhs.empty()) return false;
    if (r.oif && fa.nhs[0].dev != r.oif) return false;
    if (r.via_w && fa.nhs[0].gw != r.gw) return false;
  } else if (!r.nhs.empty()) {
    if (fa.nhs.size() != r.nhs.size()) return false;
    for (size_t i = 0; i < r.nhs.size(); ++i) {
      if (r.nhs[i].dev && r.nhs[i].dev != fa.nhs[i].dev) return false;
      if (r.nhs[i].via && r.nhs[i].gw != fa.nhs[i].gw) return false;
    }
  }
  // fib_metrics_match
  if (r.mtu_w && fa.mtu != r.mtu) return false;
  return true;
}

void fib_delroute(Ctx& c, const RouteReq& r) {
  HostConfig& h = c.h();
  const FibView v(h);
  const SourceLoc dst_loc = r.dst_w->loc;
  if (r.tos & 0x03) extack(r.tos_w->loc, "Invalid dsfield (tos): ECN bits must be 0");
  const uint32_t table = r.table ? r.table : RT_TABLE_MAIN;
  if (!v.table_exists(table))
    extack(loc_of({r.table_w}, dst_loc), "FIB table does not exist", fmt::format("table {} has no routes", table_name(h, table)));
  const Prefix dst{r.dst.addr, r.dst.bitlen};
  if (dst.addr.v & ~dst.mask()) extack(dst_loc, "Invalid prefix for given prefix length", fmt::format("the prefix is {}", dst.canonical()));
  for (const FibAlias& k : v.magic) {
    if (k.table != table || k.dst != dst || k.tos != r.tos) continue;
    if (del_matches(r, k)) {
      h.deleted_kernel_routes.push_back(k);
      return;
    }
  }
  for (size_t i = 0; i < h.routes.size(); ++i) {
    const FibAlias& fa = h.routes[i];
    if (fa.table != table || fa.dst != dst || fa.tos != r.tos) continue;
    if (del_matches(r, fa)) {
      h.routes.erase(h.routes.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
  rtnl_error(dst_loc, Errno::ESRCH_, fmt::format("no route {}/{} in table {} matches", dst.addr, dst.len, table_name(h, table)));
}

// iproute_list_flush_or_save(FLUSH): dump every route, delete those the filter keeps.
void iproute_flush(Ctx& c, Args& a, const Word& cmdw) {
  if (a.done()) fail(cmdw.loc, "\"ip route flush\" requires arguments.; expected table T, dev IFNAME, proto P, scope S or a prefix");
  HostConfig& h = c.h();
  std::optional<uint32_t> tb = RT_TABLE_MAIN;  // nullopt = all
  std::optional<uint8_t> proto, scope, tos;
  std::optional<int> type;
  int oif = 0;
  bool cache = false;
  std::optional<InetPrefix> rdst, mdst, via, prefsrc;
  while (!a.done()) {
    const Word& w = a.w();
    if (a.pre("table")) {
      const Word& v = a.next_arg();
      if (auto t = rt_table_a2n(h, v.text)) tb = *t;
      else if (v.text == "all") tb = std::nullopt;
      else if (v.text == "cache") cache = true;
      else invarg(v, "table id value is invalid", "a table number or name, or \"all\"");
    } else if (a.pre("cached") || a.pre("cloned")) {
      cache = true;
    } else if (a.is("tos") || a.pre("dsfield")) {
      const Word& v = a.next_arg();
      auto t = dsfield_a2n(v.text);
      if (!t) invarg(v, "TOS value is invalid");
      tos = *t;
    } else if (a.pre("protocol")) {
      const Word& v = a.next_arg();
      auto p = rtprot_a2n(v.text);
      if (!p && v.text != "all") invarg(v, "invalid \"protocol\"", "a protocol name or number, or \"all\"");
      proto = p ? std::optional<uint8_t>(*p) : std::nullopt;
    } else if (a.pre("scope")) {
      const Word& v = a.next_arg();
      auto s = rtscope_a2n(v.text);
      if (!s && v.text != "all") invarg(v, "invalid \"scope\"", "global, site, link, host, nowhere or all");
      scope = s ? std::optional<uint8_t>(*s) : std::nullopt;
    } else if (a.pre("type")) {
      const Word& v = a.next_arg();
      auto t = rtntype_a2n(v.text);
      if (!t) invarg(v, "node type value is invalid");
      type = *t;
    } else if (a.is("dev") || a.is("oif")) {
      const Word& v = a.next_arg();
      const NetDevice* d = h.find_dev(v.text);
      if (!d) nodev(v);
      oif = d->ifindex;
    } else if (a.is("iif") || a.is("mark") || a.pre("realms") || a.pre("vrf")) {
      not_modelled(w.loc, fmt::format("ip route flush ... {}", w.text));
    } else if (a.is("via")) {
      const Word* v = &a.next_arg();
      if (v->text == "inet") v = &a.next_arg();
      via = get_prefix(c, *v);
    } else if (a.is("src")) {
      prefsrc = get_prefix(c, a.next_arg());
    } else if (a.pre("from")) {
      not_modelled(w.loc, "ip route flush ... from (IPv4 routes have no source prefix)");
    } else {
      const Word* v = &w;
      if (a.pre("to")) v = &a.next_arg();
      if (matches(v->text, "root")) { rdst = get_prefix(c, a.next_arg()); }
      else if (matches(v->text, "match")) { mdst = get_prefix(c, a.next_arg()); }
      else {
        if (matches(v->text, "exact")) v = &a.next_arg();
        rdst = mdst = get_prefix(c, *v);
      }
    }
    a.next();
  }
  if (cache) return;  // the IPv4 routing cache is not modelled (and holds no configuration)
  auto keep = [&](const FibAlias& fa) {
    if (tb && fa.table != *tb) return false;
    if (proto && fa.protocol != *proto) return false;
    if (scope && fa.scope != *scope) return false;
    if (type && fa.type != *type) return false;
    if (tos && fa.tos != *tos) return false;
    // filter_nlmsg: root P = routes inside P; match P = routes covering P; exact = both
    if (rdst && (rdst->bitlen > fa.dst.len || ((fa.dst.addr.v ^ rdst->addr.v) & inet_make_mask(rdst->bitlen)))) return false;
    if (mdst && (mdst->bitlen < fa.dst.len || ((fa.dst.addr.v ^ mdst->addr.v) & inet_make_mask(fa.dst.len)))) return false;
    const int rta_oif = fa.nhs.size() == 1 ? fa.nhs[0].dev : 0;
    if (oif && rta_oif != oif) return false;
    if (via && (fa.nhs.size() != 1 || ((fa.nhs[0].gw.v ^ via->addr.v) & inet_make_mask(via->bitlen)))) return false;
    if (prefsrc && ((fa.prefsrc.v ^ prefsrc->addr.v) & inet_make_mask(prefsrc->bitlen))) return false;
    return true;
  };
  const FibView v(h);
  for (const FibAlias& k : v.magic)
    if (keep(k)) h.deleted_kernel_routes.push_back(k);
  std::erase_if(h.routes, keep);
}

void iproute_modify(Ctx& c, Args& a, const Word& cmdw, unsigned flags, bool del) {
  RouteReq r = parse_route(c, a, del);
  if (del) fib_delroute(c, r);
  else fib_newroute(c, r, flags);
  (void)cmdw;
}

}  // namespace

void do_iproute(Ctx& c, Args a) {
  if (a.done()) { c.note(a.last().loc, "ip route (list): listing commands have no effect; ignored"); return; }
  const Word& cmdw = a.w();
  const std::string& s = cmdw.text;
  a.next();
  if (matches(s, "add")) return iproute_modify(c, a, cmdw, F_CREATE | F_EXCL, false);
  if (matches(s, "change") || s == "chg") return iproute_modify(c, a, cmdw, F_REPLACE, false);
  if (matches(s, "replace")) return iproute_modify(c, a, cmdw, F_CREATE | F_REPLACE, false);
  if (matches(s, "prepend")) return iproute_modify(c, a, cmdw, F_CREATE, false);
  if (matches(s, "append")) return iproute_modify(c, a, cmdw, F_CREATE | F_APPEND, false);
  if (matches(s, "test")) return iproute_modify(c, a, cmdw, F_EXCL, false);
  if (matches(s, "delete")) return iproute_modify(c, a, cmdw, 0, true);
  if (matches(s, "list") || matches(s, "show") || matches(s, "lst") || matches(s, "get") || matches(s, "save") || matches(s, "showdump")) {
    c.note(cmdw.loc, fmt::format("ip route {}: listing commands have no effect; ignored", s));
    return;
  }
  if (matches(s, "flush")) return iproute_flush(c, a, cmdw);
  if (matches(s, "restore")) not_modelled(cmdw.loc, "ip route restore (binary dumps)");
  fail(cmdw.loc, fmt::format("Command \"{}\" is unknown, try \"ip route help\".; expected add, del, change, append, replace, flush or show", s));
}

}  // namespace kpath::ip

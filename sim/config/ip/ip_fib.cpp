#include "sim/config/ip/ip_fib.hpp"
#include <algorithm>
#include "sim/config/ip/ip_common.hpp"

namespace kpath {

using namespace kernel;

namespace {

// fib_magic() for one address of `dev`, as fib_add_ifaddr issues it (net/ipv4/fib_frontend.c).
void fib_add_ifaddr(const NetDevice& dev, const InIfaddr& ifa, std::vector<FibAlias>& out) {
  const uint32_t mask = inet_make_mask(ifa.prefixlen);
  const Ipv4Addr address = ifa.peer.is_zero() ? ifa.local : ifa.peer;  // ifa_address
  const Ipv4Addr prefix{address.v & mask};
  // A secondary's routes take the subnet's primary as prefsrc (inet_ifa_byprefix).
  Ipv4Addr src = ifa.local;
  if (ifa.secondary) {
    for (const InIfaddr& p : dev.addrs) {
      const Ipv4Addr pa = p.peer.is_zero() ? p.local : p.peer;
      if (!p.secondary && p.prefixlen == ifa.prefixlen && ((pa.v ^ prefix.v) & mask) == 0) { src = p.local; break; }
    }
  }
  auto magic = [&](RtnType type, Ipv4Addr dst, uint8_t len, uint32_t priority) {
    FibAlias fa;
    fa.dst = Prefix{dst, len}.canonical();
    fa.type = type;
    fa.table = type == RTN_UNICAST ? RT_TABLE_MAIN : RT_TABLE_LOCAL;
    fa.scope = type == RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_LINK;
    fa.protocol = RTPROT_KERNEL;
    fa.priority = priority;
    fa.prefsrc = src;
    FibNh nh;
    nh.dev = dev.ifindex;
    nh.scope = type == RTN_LOCAL ? RT_SCOPE_NOWHERE : RT_SCOPE_HOST;
    nh.linkdown = !dev.carrier && nh.scope != RT_SCOPE_NOWHERE;  // NETDEV_CHANGE skips scope-NOWHERE nexthops
    fa.nhs.push_back(nh);
    fa.origin = ifa.origin;
    fa.kernel_created = true;
    // NLM_F_CREATE|NLM_F_APPEND: an identical route already there makes this a no-op (EEXIST).
    for (const FibAlias& e : out)
      if (e.table == fa.table && e.dst == fa.dst && e.type == fa.type && e.priority == fa.priority && e.prefsrc == fa.prefsrc &&
          e.nhs.size() == 1 && e.nhs[0].dev == nh.dev)
        return;
    out.push_back(std::move(fa));
  };
  magic(RTN_LOCAL, ifa.local, 32, 0);
  if (!dev.up) return;
  if (!ifa.broadcast.is_zero() && !ifa.broadcast.is_lbcast()) magic(RTN_BROADCAST, ifa.broadcast, 32, 0);
  if (!prefix.is_zeronet() && !ifa.secondary && (prefix != ifa.local || ifa.prefixlen < 32)) {
    if (!ifa.noprefixroute) magic(dev.is_loopback() ? RTN_LOCAL : RTN_UNICAST, prefix, ifa.prefixlen, ifa.rt_priority);
    if (ifa.prefixlen < 31) magic(RTN_BROADCAST, Ipv4Addr{prefix.v | ~mask}, 32, 0);
  }
}

}  // namespace

bool same_kernel_route(const FibAlias& a, const FibAlias& b) {
  return a.table == b.table && a.dst == b.dst && a.type == b.type && a.prefsrc == b.prefsrc && a.nhs.size() == b.nhs.size() &&
         (a.nhs.empty() || a.nhs[0].dev == b.nhs[0].dev);
}

std::vector<FibAlias> fib_magic_routes(const HostConfig& h) {
  std::vector<FibAlias> all;
  for (const NetDevice& d : h.devices)
    for (const InIfaddr& a : d.addrs) fib_add_ifaddr(d, a, all);
  if (h.deleted_kernel_routes.empty()) return all;
  std::vector<FibAlias> out;
  for (FibAlias& fa : all) {
    bool gone = false;
    for (const FibAlias& t : h.deleted_kernel_routes) gone = gone || same_kernel_route(fa, t);
    if (!gone) out.push_back(std::move(fa));
  }
  return out;
}

}  // namespace kpath

namespace kpath::ip {

using namespace kernel;

std::vector<const FibAlias*> FibView::table(uint32_t id) const {
  std::vector<const FibAlias*> r;
  for (const FibAlias& fa : magic) if (fa.table == id) r.push_back(&fa);
  for (const FibAlias& fa : h.routes) if (fa.table == id) r.push_back(&fa);
  return r;
}

bool FibView::table_exists(uint32_t id) const {
  // fib_new_table creates a table on its first route; kpath has no record of emptied tables,
  // so a table exists while it holds a route (local and main always on the script's host).
  if ((id == RT_TABLE_LOCAL || id == RT_TABLE_MAIN) && h.name.empty()) return true;
  for (const FibAlias& fa : magic) if (fa.table == id) return true;
  for (const FibAlias& fa : h.routes) if (fa.table == id) return true;
  return false;
}

FibResult fib_table_lookup(const std::vector<const FibAlias*>& routes, Ipv4Addr daddr, uint8_t scope, int oif) {
  // Longest prefix first; within a prefix the kernel keeps aliases by tos (desc) then priority.
  std::vector<const FibAlias*> c;
  for (const FibAlias* fa : routes) if (fa->dst.contains(daddr)) c.push_back(fa);
  std::stable_sort(c.begin(), c.end(), [](const FibAlias* a, const FibAlias* b) {
    if (a->dst.len != b->dst.len) return a->dst.len > b->dst.len;
    return a->priority < b->priority;
  });
  for (const FibAlias* fa : c) {
    if (fa->tos) continue;                  // flow tos 0
    if (fa->all_dead()) continue;           // fib_dead
    if (fa->scope < scope) continue;
    if (rtn_is_error_type(fa->type)) return {fa, 0, fib_props[fa->type].error};
    for (size_t i = 0; i < fa->nhs.size(); ++i) {
      const FibNh& nh = fa->nhs[i];
      if (nh.dead) continue;
      if (oif && nh.dev != oif) continue;
      return {fa, i, 0};
    }
  }
  return {};
}

namespace {

// fib_rule_match + fib4_rule_match for the flow fib_check_nh builds: iif lo, saddr 0, tos 0,
// mark 0, uid 0, no L4 keys.
bool rule_matches(const FibView& v, const FibRule& r, Ipv4Addr daddr, int oif) {
  bool m = true;
  if (!r.iifname.empty()) m = m && r.iifname == "lo" && v.h.find_dev("lo");
  if (!r.oifname.empty()) {
    const NetDevice* d = v.h.find_dev(r.oifname);
    m = m && oif && d && d->ifindex == oif;
  }
  if (r.mark_mask) m = m && (r.mark & r.mark_mask) == 0;
  if (r.has_uidrange) m = m && r.uid_start == 0;
  if (r.l3mdev) m = false;
  if (r.has_src && r.src.len) m = m && r.src.contains(Ipv4Addr{0});
  if (r.has_dst && r.dst.len) m = m && r.dst.contains(daddr);
  if (r.tos) m = false;
  if (r.dscp && *r.dscp) m = false;
  if (r.ipproto) m = false;
  if (r.sport.set()) m = m && r.sport.contains(0);
  if (r.dport.set()) m = m && r.dport.contains(0);
  return r.invert ? !m : m;
}

}  // namespace

FibResult fib_lookup(const FibView& v, Ipv4Addr daddr, uint8_t scope, int oif) {
  if (!v.h.fib_has_custom_rules) {
    // local and main share one trie (fib_unmerge has not run); then table default.
    std::vector<const FibAlias*> merged = v.table(RT_TABLE_LOCAL);
    for (const FibAlias* fa : v.table(RT_TABLE_MAIN)) merged.push_back(fa);
    FibResult r = fib_table_lookup(merged, daddr, scope, oif);
    if (r.err == 0) return r;
    if (v.table_exists(RT_TABLE_DEFAULT)) r = fib_table_lookup(v.table(RT_TABLE_DEFAULT), daddr, scope, oif);
    if (r.err == -EAGAIN) r.err = -ENETUNREACH;
    return r;
  }
  const auto& rules = v.h.rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    const FibRule& r = rules[i];
    if (!rule_matches(v, r, daddr, oif)) continue;
    switch (r.action) {
      case FR_ACT_GOTO: {
        for (size_t j = i + 1; j < rules.size(); ++j)
          if (rules[j].pref == r.goto_pref) { i = j - 1; break; }
        continue;  // unresolved: a no-op
      }
      case FR_ACT_NOP: continue;
      case FR_ACT_BLACKHOLE: return {nullptr, 0, -EINVAL};
      case FR_ACT_UNREACHABLE: return {nullptr, 0, -ENETUNREACH};
      case FR_ACT_PROHIBIT: return {nullptr, 0, -EACCES};
      case FR_ACT_TO_TBL: {
        FibResult res = fib_table_lookup(v.table(r.table), daddr, scope, oif);
        if (res.err == -EAGAIN) continue;
        if (res.err == 0 && r.suppress_prefixlen >= 0 && res.fa->dst.len <= r.suppress_prefixlen) continue;
        if (res.err == 0 && r.suppress_ifgroup >= 0) {
          const NetDevice* d = nullptr;
          for (const NetDevice& x : v.h.devices) if (x.ifindex == res.fa->nhs[res.nh].dev) d = &x;
          if (d && d->group == static_cast<uint32_t>(r.suppress_ifgroup)) continue;
        }
        return res;
      }
      default: continue;
    }
  }
  return {nullptr, 0, -ENETUNREACH};
}

RtnType inet_dev_addr_type(const FibView& v, int dev, Ipv4Addr addr, uint32_t tb_id) {
  if (addr.is_zeronet() || addr.is_lbcast()) return RTN_BROADCAST;
  if (addr.is_multicast()) return RTN_MULTICAST;
  FibResult r = fib_table_lookup(v.table(tb_id), addr, RT_SCOPE_UNIVERSE, 0);
  if (r.err != 0 || !r.fa) return RTN_UNICAST;
  if (dev && (r.fa->nhs.empty() || r.fa->nhs[r.nh].dev != dev)) return RTN_UNICAST;
  return r.fa->type;
}

void fib_sync_down_dev(HostConfig& h, int ifindex, bool force) {
  auto& routes = h.routes;
  for (auto it = routes.begin(); it != routes.end();) {
    FibAlias& fa = *it;
    bool touched = false;
    size_t dead = 0;
    for (FibNh& nh : fa.nhs) {
      if (nh.dead) { ++dead; continue; }
      // a host-scope route's nexthop has scope NOWHERE: only a forced sync (unregister, last
      // address gone) kills it
      if (nh.dev == ifindex && (force || fa.scope != RT_SCOPE_HOST)) { nh.dead = true; ++dead; touched = true; }
    }
    if (touched && dead == fa.nhs.size() && !rtn_is_error_type(fa.type)) it = routes.erase(it);
    else ++it;
  }
}

void fib_sync_up(HostConfig& h, int ifindex) {
  for (FibAlias& fa : h.routes)
    for (FibNh& nh : fa.nhs)
      if (nh.dead && nh.dev == ifindex) nh.dead = false;
  forget_deleted_kernel_routes(h, ifindex, std::nullopt);
}

void fib_sync_down_addr(HostConfig& h, Ipv4Addr local) {
  // only fib_infos of the device's l3mdev table, i.e. table main without VRFs
  std::erase_if(h.routes, [&](const FibAlias& fa) {
    return fa.table == RT_TABLE_MAIN && fa.prefsrc == local && !rtn_is_error_type(fa.type);
  });
}

void forget_deleted_kernel_routes(HostConfig& h, int ifindex, std::optional<Ipv4Addr> local) {
  std::erase_if(h.deleted_kernel_routes, [&](const FibAlias& t) {
    if (t.nhs.empty() || t.nhs[0].dev != ifindex) return false;
    return !local || t.prefsrc == *local || t.dst.addr == *local;
  });
}

}  // namespace kpath::ip

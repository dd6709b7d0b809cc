#include "sim/live/apply.hpp"
#include <algorithm>
#include <set>
#include <fmt/format.h>
#include "sim/config/iptables/iptables_cmd.hpp"
#include "sim/live/sockets.hpp"

namespace kpath::live {

using namespace kernel;

namespace {

std::string dev_name(const HostConfig& h, int ifindex) {
  for (auto& d : h.devices) if (d.ifindex == ifindex) return d.name;
  return fmt::format("if{}", ifindex);
}

// Devices routes point out of (user routes' nexthops and the prefix routes of addresses).
std::set<std::string> route_devices(const HostConfig& h) {
  std::set<std::string> s;
  for (auto& r : h.routes)
    for (auto& nh : r.nhs) if (nh.dev) s.insert(dev_name(h, nh.dev));
  for (auto& d : h.devices)
    if (!d.is_loopback() && !d.addrs.empty()) s.insert(d.name);
  return s;
}

bool same_rule(const FibRule& a, const FibRule& b) {
  return a.pref == b.pref && a.action == b.action && a.table == b.table && a.goto_pref == b.goto_pref && a.invert == b.invert &&
         a.has_src == b.has_src && a.src == b.src && a.has_dst == b.has_dst && a.dst == b.dst && a.iifname == b.iifname &&
         a.oifname == b.oifname && a.mark == b.mark && a.mark_mask == b.mark_mask && a.tos == b.tos && a.dscp == b.dscp &&
         a.ipproto == b.ipproto && a.sport == b.sport && a.dport == b.dport && a.has_uidrange == b.has_uidrange &&
         a.uid_start == b.uid_start && a.uid_end == b.uid_end && a.l3mdev == b.l3mdev && a.suppress_prefixlen == b.suppress_prefixlen &&
         a.suppress_ifgroup == b.suppress_ifgroup;
}

std::vector<std::string> rule_args(const FibRule& r) {
  std::vector<std::string> v = {"pref", std::to_string(r.pref)};
  if (r.invert) v.push_back("not");
  if (r.has_src) v.insert(v.end(), {"from", to_string(r.src)});
  if (r.has_dst) v.insert(v.end(), {"to", to_string(r.dst)});
  if (r.tos) v.insert(v.end(), {"tos", fmt::format("0x{:02x}", r.tos)});
  if (r.dscp) throw Unsupported(fmt::format("rule {} selects dscp, which iproute2 6.1 cannot write; kpath live cannot rebuild it", r.pref));
  if (r.mark_mask) v.insert(v.end(), {"fwmark", r.mark_mask == 0xffffffffu ? fmt::format("0x{:x}", r.mark) : fmt::format("0x{:x}/0x{:x}", r.mark, r.mark_mask)});
  if (!r.iifname.empty()) v.insert(v.end(), {"iif", r.iifname});
  if (!r.oifname.empty()) v.insert(v.end(), {"oif", r.oifname});
  if (r.l3mdev) v.push_back("l3mdev");
  if (r.has_uidrange) v.insert(v.end(), {"uidrange", fmt::format("{}-{}", r.uid_start, r.uid_end)});
  if (r.ipproto) v.insert(v.end(), {"ipproto", std::to_string(r.ipproto)});
  auto range = [](const PortRange& p) { return p.start == p.end ? std::to_string(p.start) : fmt::format("{}-{}", p.start, p.end); };
  if (r.sport.set()) v.insert(v.end(), {"sport", range(r.sport)});
  if (r.dport.set()) v.insert(v.end(), {"dport", range(r.dport)});
  if (r.protocol) v.insert(v.end(), {"protocol", std::to_string(r.protocol)});
  switch (r.action) {
    case FR_ACT_TO_TBL: if (!r.l3mdev) v.insert(v.end(), {"table", std::to_string(r.table)}); break;
    case FR_ACT_GOTO: v.insert(v.end(), {"goto", std::to_string(r.goto_pref)}); break;
    case FR_ACT_NOP: v.push_back("nop"); break;
    case FR_ACT_BLACKHOLE: v.push_back("blackhole"); break;
    case FR_ACT_UNREACHABLE: v.push_back("unreachable"); break;
    case FR_ACT_PROHIBIT: v.push_back("prohibit"); break;
    default: throw Unsupported(fmt::format("rule {} has an action kpath live cannot write ({})", r.pref, static_cast<int>(r.action)));
  }
  if (r.suppress_prefixlen >= 0) v.insert(v.end(), {"suppress_prefixlength", std::to_string(r.suppress_prefixlen)});
  if (r.suppress_ifgroup >= 0) v.insert(v.end(), {"suppress_ifgroup", std::to_string(r.suppress_ifgroup)});
  return v;
}

std::vector<std::string> route_args(const HostConfig& h, const FibAlias& fa) {
  std::vector<std::string> v = {std::string(kRtnNames[fa.type]), to_string(fa.dst)};
  v.insert(v.end(), {"table", std::to_string(fa.table), "proto", std::to_string(fa.protocol), "scope", std::to_string(fa.scope)});
  if (fa.tos) v.insert(v.end(), {"tos", fmt::format("0x{:02x}", fa.tos)});
  if (fa.priority) v.insert(v.end(), {"metric", std::to_string(fa.priority)});
  if (!fa.prefsrc.is_zero()) v.insert(v.end(), {"src", to_string(fa.prefsrc)});
  if (fa.mtu) v.insert(v.end(), {"mtu", std::to_string(fa.mtu)});
  if (fa.nhs.size() == 1) {
    const FibNh& nh = fa.nhs[0];
    if (!nh.gw.is_zero()) v.insert(v.end(), {"via", to_string(nh.gw)});
    if (nh.dev) v.insert(v.end(), {"dev", dev_name(h, nh.dev)});
    if (nh.onlink) v.push_back("onlink");
  } else {
    for (const FibNh& nh : fa.nhs) {
      v.push_back("nexthop");
      if (!nh.gw.is_zero()) v.insert(v.end(), {"via", to_string(nh.gw)});
      if (nh.dev) v.insert(v.end(), {"dev", dev_name(h, nh.dev)});
      v.insert(v.end(), {"weight", std::to_string(nh.weight)});
      if (nh.onlink) v.push_back("onlink");
    }
  }
  return v;
}

bool xt_table_used(const XtTable& t) {
  for (auto& c : t.chains)
    if (!c.builtin || !c.rules.empty() || c.policy != XtVerdict::ACCEPT) return true;
  return false;
}

std::string policy_name(XtVerdict v) { return v == XtVerdict::DROP ? "DROP" : "ACCEPT"; }

// iptables-save format of one table, rule texts regenerated for the final chain names.
std::string xt_restore_text(const XtTable& t, bool legacy) {
  std::string s = fmt::format("*{}\n", kXtTableNames[static_cast<size_t>(t.id)]);
  for (auto& c : t.chains) s += fmt::format(":{} {} [0:0]\n", c.name, c.builtin ? policy_name(c.policy) : "-");
  for (auto& c : t.chains)
    for (auto& e : c.rules) s += iptables_rule_text(c.name, e, legacy) + "\n";
  return s + "COMMIT\n";
}

std::string nft_script(const NftTable& t) {
  std::string s = fmt::format("add table {} {}\n", t.family, t.name);
  for (auto& c : t.chains) {
    if (c.base)
      s += fmt::format("add chain {} {} {} {{ type {} hook {} priority {}; policy {}; }}\n", t.family, t.name, c.name, c.type,
                       [&] {
                         static constexpr const char* hooks[] = {"prerouting", "input", "forward", "output", "postrouting"};
                         return hooks[c.hook];
                       }(),
                       c.priority, c.policy == XtVerdict::DROP ? "drop" : "accept");
    else
      s += fmt::format("add chain {} {} {}\n", t.family, t.name, c.name);
  }
  for (auto& c : t.chains)
    for (auto& r : c.rules) {
      if (r.text.empty()) throw Unsupported(fmt::format("nft table {} chain {} has a rule without its text; kpath live cannot rebuild it", t.name, c.name));
      s += fmt::format("add rule {} {} {} {}\n", t.family, t.name, c.name, r.text);
    }
  return s;
}

}  // namespace

const DevPlan* Topology::find(const std::string& dut_dev) const {
  for (auto& d : devs) if (d.name == dut_dev) return &d;
  return nullptr;
}

const DevPlan* Topology::find_peer(const std::string& up_dev) const {
  for (auto& d : devs) if (d.peer_ns == up && d.peer == up_dev) return &d;
  return nullptr;
}

std::vector<std::string> Topology::describe() const {
  std::vector<std::string> v;
  for (auto& d : devs) {
    switch (d.role) {
      case DevPlan::Role::loopback: break;
      case DevPlan::Role::in_dev: v.push_back(fmt::format("{} ({}): in-device, veth; peer {} in {}", d.name, d.config_kind, d.peer, d.peer_ns)); break;
      case DevPlan::Role::upstream: v.push_back(fmt::format("{} ({}): veth; peer {} in {}", d.name, d.config_kind, d.peer, d.peer_ns)); break;
      case DevPlan::Role::pair_in_dut: v.push_back(fmt::format("{} ({}): veth pair inside the DUT with {}", d.name, d.config_kind, d.peer)); break;
      case DevPlan::Role::bridge: v.push_back(fmt::format("{}: bridge", d.name)); break;
      case DevPlan::Role::ifb: v.push_back(fmt::format("{}: ifb", d.name)); break;
    }
  }
  return v;
}

Topology plan_topology(const HostConfig& h, const std::string& in_dev, const std::string& tag, int pid) {
  Topology t;
  t.dut = tag + "-dut";
  t.cli = tag + "-cli";
  t.up = tag + "-up";
  t.in_dev = in_dev;
  t.cli_dev = fmt::format("kpl{}c", pid);
  const std::set<std::string> routed = route_devices(h);
  int n = 0;
  for (const NetDevice& d : h.devices) {
    DevPlan p;
    p.name = d.name;
    p.config_kind = std::string(dev_kind_name(d.kind));
    if (d.is_loopback()) p.role = DevPlan::Role::loopback;
    else if (d.name == in_dev) { p.role = DevPlan::Role::in_dev; p.peer = t.cli_dev; p.peer_ns = t.cli; }
    else if (d.kind == DevKind::bridge) p.role = DevPlan::Role::bridge;
    else if (d.kind == DevKind::ifb) p.role = DevPlan::Role::ifb;
    else if (d.kind == DevKind::veth && d.peer_netns.empty() && !d.peer.empty() && d.peer != in_dev && h.find_dev(d.peer) &&
             !routed.count(d.name) && !routed.count(d.peer)) {
      p.role = DevPlan::Role::pair_in_dut;
      p.peer = d.peer;
    } else {
      p.role = DevPlan::Role::upstream;
      p.peer = fmt::format("kpu{}", ++n);
      p.peer_ns = t.up;
    }
    t.devs.push_back(std::move(p));
  }
  return t;
}

std::vector<Step> quiet_steps(const std::string& ns) {
  return {Step{{"ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                "net.ipv6.conf.lo.disable_ipv6=1"}, {}, true}};
}

std::vector<Step> dut_steps(const HostConfig& h, const Topology& t) {
  if (!h.ipsets.empty())
    throw Unsupported(fmt::format("cannot rebuild ipsets yet (the config creates {}, ...): kpath live does not run `ipset` for it", h.ipsets.begin()->first));
  std::vector<Step> s;
  const std::string& ns = t.dut;
  auto ip = [&](std::vector<std::string> args, bool may_fail = false) {
    std::vector<std::string> v = {"ip", "-n", ns};
    v.insert(v.end(), args.begin(), args.end());
    s.push_back(Step{std::move(v), {}, may_fail});
  };

  // Devices, in the config's order (a pair is made once, at its first end).
  std::set<std::string> made;
  for (const DevPlan& p : t.devs) {
    if (p.role == DevPlan::Role::loopback || made.count(p.name)) continue;
    made.insert(p.name);
    switch (p.role) {
      case DevPlan::Role::in_dev:
      case DevPlan::Role::upstream: ip({"link", "add", p.name, "type", "veth", "peer", "name", p.peer, "netns", p.peer_ns}); break;
      case DevPlan::Role::pair_in_dut: ip({"link", "add", p.name, "type", "veth", "peer", "name", p.peer}); made.insert(p.peer); break;
      case DevPlan::Role::bridge: ip({"link", "add", p.name, "type", "bridge"}); break;
      case DevPlan::Role::ifb: ip({"link", "add", p.name, "type", "ifb"}); break;
      case DevPlan::Role::loopback: break;
    }
  }
  for (const NetDevice& d : h.devices) {
    if (d.mtu != (d.is_loopback() ? 65536u : 1500u)) ip({"link", "set", "dev", d.name, "mtu", std::to_string(d.mtu)});
    if (d.group) ip({"link", "set", "dev", d.name, "group", std::to_string(d.group)});
  }
  for (const NetDevice& d : h.devices)
    if (d.master) ip({"link", "set", "dev", d.name, "master", dev_name(h, d.master)});

  // Addresses; lo gets 127.0.0.1/8 from the kernel when it comes up.
  const NetDevice* lo = h.find_dev("lo");
  if (lo && lo->up) ip({"link", "set", "dev", "lo", "up"});
  for (const NetDevice& d : h.devices) {
    for (const InIfaddr& a : d.addrs) {
      if (d.is_loopback() && a.local.v == 0x7f000001 && a.prefixlen == 8 && d.up) continue;
      std::vector<std::string> v = {"addr", "add"};
      if (!a.peer.is_zero()) v.insert(v.end(), {to_string(a.local), "peer", fmt::format("{}/{}", a.peer, a.prefixlen)});
      else v.push_back(fmt::format("{}/{}", a.local, a.prefixlen));
      if (!a.broadcast.is_zero()) v.insert(v.end(), {"broadcast", to_string(a.broadcast)});
      v.insert(v.end(), {"scope", std::to_string(a.scope)});
      if (!a.label.empty() && a.label != d.name) v.insert(v.end(), {"label", a.label});
      if (a.rt_priority) v.insert(v.end(), {"metric", std::to_string(a.rt_priority)});
      if (a.noprefixroute) v.push_back("noprefixroute");
      v.insert(v.end(), {"dev", d.name});
      ip(v);
    }
  }
  if (lo && !lo->up) {
    // lo down keeps whatever the config gave it; nothing to do.
  } else if (lo) {
    bool has = false;
    for (auto& a : lo->addrs) has = has || (a.local.v == 0x7f000001 && a.prefixlen == 8);
    if (!has) ip({"addr", "del", "127.0.0.1/8", "dev", "lo"});
  }
  // Every device up while routes are added (a route needs its device up); the config's down
  // devices go down at the end, which flushes their routes as the kernel did when the config
  // downed them.
  for (const NetDevice& d : h.devices)
    if (!d.is_loopback()) ip({"link", "set", "dev", d.name, "up"});

  // Netfilter before routing state: order does not matter to the kernel, and a refused rule
  // fails early.
  for (const XtTable& tbl : h.xt)
    if (xt_table_used(tbl))
      s.push_back(Step{{"ip", "netns", "exec", ns, h.xt_legacy ? "iptables-legacy-restore" : "iptables-restore", "--noflush"},
                       xt_restore_text(tbl, h.xt_legacy), false});
  for (const NftTable& tbl : h.nft) s.push_back(Step{{"ip", "netns", "exec", ns, "nft", "-f", "-"}, nft_script(tbl), false});

  // Rules: untouched when the config never added or deleted one (the kernel then keeps using
  // the merged local/main trie, fib_has_custom_rules = false).
  if (h.fib_has_custom_rules) {
    const auto dflt = fib_default_rules();
    const bool keep_local = !h.rules.empty() && same_rule(h.rules[0], dflt[0]);
    if (!keep_local) ip({"rule", "del", "pref", "0"});
    ip({"rule", "del", "pref", "32766", "table", "main"});
    ip({"rule", "del", "pref", "32767", "table", "default"});
    bool any = false;
    for (size_t i = keep_local ? 1 : 0; i < h.rules.size(); ++i) {
      std::vector<std::string> v = {"rule", "add"};
      auto a = rule_args(h.rules[i]);
      v.insert(v.end(), a.begin(), a.end());
      ip(v);
      any = true;
    }
    if (!any && keep_local) {
      // Only the local rule is left: still mark the rule list as changed, as the config did.
      ip({"rule", "add", "pref", "1", "table", "1"});
      ip({"rule", "del", "pref", "1", "table", "1"});
    }
  }

  for (const FibAlias& fa : h.routes) {
    std::vector<std::string> v = {"route", "append"};
    auto a = route_args(h, fa);
    v.insert(v.end(), a.begin(), a.end());
    ip(v);
  }
  for (const FibAlias& fa : h.deleted_kernel_routes) {
    std::vector<std::string> v = {"route", "del", std::string(kRtnNames[fa.type]), to_string(fa.dst), "table", std::to_string(fa.table)};
    if (!fa.nhs.empty() && fa.nhs[0].dev) v.insert(v.end(), {"dev", dev_name(h, fa.nhs[0].dev)});
    if (!fa.prefsrc.is_zero()) v.insert(v.end(), {"src", to_string(fa.prefsrc)});
    ip(v, true);
  }
  for (const NetDevice& d : h.devices)
    if (!d.is_loopback() && !d.up) ip({"link", "set", "dev", d.name, "down"});

  // Sysctls, every one kpath models. ip_forward first (it rewrites every device's forwarding
  // and conf.all.accept_redirects), then conf.all, conf.default, each device: the final values
  // are exactly the config's. mc_forwarding is read-only.
  std::vector<std::string> w = {"ip", "netns", "exec", ns, "sysctl", "-q", "-w"};
  w.push_back(fmt::format("net/ipv4/ip_forward={}", h.conf_all.get(DevConfKey::forwarding)));
  for (size_t i = 0; i < kNetSysctlCount; ++i) w.push_back(fmt::format("net/ipv4/{}={}", kNetSysctlNames[i], h.sysctl.v[i]));
  auto conf = [&](const std::string& who, const DevConf& c) {
    for (size_t i = 0; i < kDevConfCount; ++i) {
      if (static_cast<DevConfKey>(i) == DevConfKey::mc_forwarding) continue;
      w.push_back(fmt::format("net/ipv4/conf/{}/{}={}", who, kDevConfNames[i], c.v[i]));
    }
  };
  conf("all", h.conf_all);
  conf("default", h.conf_dflt);
  for (const NetDevice& d : h.devices) conf(d.name, d.conf);
  s.push_back(Step{w, {}, true});
  return s;
}

std::vector<Step> peer_steps(const HostConfig& h, const Topology& t) {
  std::vector<Step> s;
  for (const DevPlan& p : t.devs) {
    if (p.peer_ns.empty()) continue;
    const NetDevice* d = h.find_dev(p.name);
    const bool carrier = p.role == DevPlan::Role::in_dev || (d && d->carrier);
    if (p.role == DevPlan::Role::in_dev && d && d->mtu != 1500)
      s.push_back(Step{{"ip", "-n", p.peer_ns, "link", "set", "dev", p.peer, "mtu", std::to_string(d->mtu)}, {}, false});
    if (carrier) s.push_back(Step{{"ip", "-n", p.peer_ns, "link", "set", "dev", p.peer, "up"}, {}, false});
  }
  for (const std::string& ns : {t.cli, t.up})
    s.push_back(Step{{"ip", "netns", "exec", ns, "iptables", "-t", "raw", "-A", "PREROUTING", "-j", "DROP"}, {}, false});
  return s;
}

std::vector<Neighbour> plan_neighbours(const HostConfig& h, const Topology& t, const Packet& p, const std::string& client_mac) {
  std::vector<Neighbour> v;
  std::vector<Ipv4Addr> hops = {p.daddr};
  for (auto& r : h.routes)
    for (auto& nh : r.nhs)
      if (!nh.gw.is_zero() && std::find(hops.begin(), hops.end(), nh.gw) == hops.end()) hops.push_back(nh.gw);
  int k = 0;
  for (const DevPlan& d : t.devs) {
    if (d.role == DevPlan::Role::loopback) continue;
    const NetDevice* nd = h.find_dev(d.name);
    if (!nd || !nd->up) continue;
    if (d.role == DevPlan::Role::in_dev) v.push_back({d.name, p.saddr, client_mac});
    for (Ipv4Addr a : hops) {
      if (d.role == DevPlan::Role::in_dev && a == p.saddr) continue;
      if (a.is_multicast() || a.is_lbcast() || a.is_zero()) continue;
      ++k;
      v.push_back({d.name, a, fmt::format("02:6b:70:{:02x}:{:02x}:{:02x}", (k >> 16) & 255, (k >> 8) & 255, k & 255)});
    }
  }
  return v;
}

std::vector<Step> neighbour_steps(const Topology& t, const std::vector<Neighbour>& n) {
  std::vector<Step> s;
  for (auto& x : n)
    s.push_back(Step{{"ip", "-n", t.dut, "neigh", "replace", to_string(x.addr), "lladdr", x.mac, "dev", x.dev, "nud", "permanent"}, {}, true});
  return s;
}

std::vector<Step> mark_steps(const Topology& t, uint32_t mark) {
  const std::string script = fmt::format(
      "add table ip kpath_live_mark\n"
      "add chain ip kpath_live_mark pre {{ type filter hook prerouting priority -400; policy accept; }}\n"
      "add rule ip kpath_live_mark pre iifname \"{}\" meta mark set 0x{:x}\n",
      t.in_dev, mark);
  return {Step{{"ip", "netns", "exec", t.dut, "nft", "-f", "-"}, script, false}};
}

}  // namespace kpath::live

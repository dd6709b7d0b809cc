// ip/iplink.c (iplink_parse, iplink_modify) and the kernel's rtnl_newlink / do_setlink /
// rtnl_dellink for the device kinds kpath models: dummy, veth, bridge, ifb (and lo).
#include <fmt/format.h>
#include <algorithm>
#include "sim/config/ip/ip_common.hpp"

namespace kpath::ip {

using namespace kernel;

namespace {

// What iplink_parse collected for one device (the main one or a veth peer).
struct LinkReq {
  std::optional<bool> up;
  const Word* name = nullptr;   // `name X`
  const Word* dev = nullptr;    // `dev X` or a bare word
  const Word* link = nullptr;
  const Word* address = nullptr;
  uint64_t mac = 0;
  int mac_len = 0;
  const Word* mtu = nullptr;
  int64_t mtu_v = 0;
  const Word* netns = nullptr;
  const Word* master = nullptr;
  const Word* nomaster = nullptr;
  const Word* group = nullptr;
  uint32_t group_v = 0;
  const Word* carrier = nullptr;
  bool carrier_on = true;
  const Word* index = nullptr;
  int index_v = 0;
  const Word* type = nullptr;
  std::vector<std::pair<SourceLoc, std::string>> ignored;
};

void on_off(Args& a, LinkReq& r, std::string_view key) {
  const Word& kw = a.w();
  const Word& v = a.next_arg();
  if (v.text != "on" && v.text != "off")
    fail(v.loc, fmt::format("Error: argument of \"{}\" must be \"on\" or \"off\", not \"{}\"", key, v.text));
  r.ignored.emplace_back(kw.loc, fmt::format("ip link: `{} {}` is accepted but not modelled (no effect on the IPv4 path kpath explains)", key, v.text));
}

void ignore_with_arg(Args& a, LinkReq& r) {
  const Word& kw = a.w();
  const Word& v = a.next_arg();
  r.ignored.emplace_back(kw.loc, fmt::format("ip link: `{} {}` is accepted but not modelled", kw.text, v.text));
}

// ll_addr_a2n (lib/ll_addr.c)
std::optional<std::pair<uint64_t, int>> ll_addr_a2n(std::string_view s) {
  if (s.find('.') != std::string_view::npos) {
    auto v = get_addr_ipv4(s);
    if (!v) return std::nullopt;
    return std::pair<uint64_t, int>{v->v, 4};
  }
  uint64_t mac = 0;
  int n = 0;
  while (true) {
    const auto colon = s.find(':');
    const std::string_view part = s.substr(0, colon);
    auto v = strtoul_base(part, 16);
    if (!v || *v > 255 || n >= 32) return std::nullopt;
    mac = (mac << 8) | *v;
    ++n;
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  return std::pair<uint64_t, int>{mac, n};
}

// iplink_parse(): stops after `type KIND` (the kind's own options follow).
void iplink_parse(Ctx& c, Args& a, LinkReq& r) {
  while (!a.done()) {
    const Word& w = a.w();
    if (a.is("up")) {
      r.up = true;
    } else if (a.is("down")) {
      r.up = false;
    } else if (a.is("name")) {
      const Word& v = a.next_arg();
      if (r.name) duparg(v, "name");
      if (!check_ifname(v.text)) invarg(v, "\"name\" not a valid ifname", "1 to 15 characters without '/' or spaces");
      r.name = &v;
      if (!r.dev) r.dev = &v;
    } else if (a.is("index")) {
      const Word& v = a.next_arg();
      if (r.index) duparg(v, "index");
      auto n = get_integer(v.text);
      if (!n || *n <= 0) invarg(v, "Invalid \"index\" value", "a positive interface index");
      r.index = &v;
      r.index_v = static_cast<int>(*n);
    } else if (a.pre("link")) {
      r.link = &a.next_arg();
    } else if (a.pre("address")) {
      const Word& v = a.next_arg();
      auto m = ll_addr_a2n(v.text);
      if (!m) fail(v.loc, fmt::format("\"{}\" is invalid lladdr.; expected a MAC address like 02:00:00:00:00:01", v.text));
      r.address = &v;
      r.mac = m->first;
      r.mac_len = m->second;
    } else if (a.pre("broadcast") || a.is("brd")) {
      ignore_with_arg(a, r);
    } else if (a.pre("txqueuelen") || a.is("qlen") || a.pre("txqlen")) {
      ignore_with_arg(a, r);
    } else if (a.is("mtu")) {
      const Word& v = a.next_arg();
      if (r.mtu) duparg(v, "mtu");
      auto n = get_integer(v.text);
      if (!n) invarg(v, "Invalid \"mtu\" value", "a number of bytes");
      r.mtu = &v;
      r.mtu_v = *n;
    } else if (a.is("xdpgeneric") || a.is("xdpdrv") || a.is("xdpoffload") || a.is("xdp")) {
      not_modelled(w.loc, "ip link ... xdp (XDP programs)");
    } else if (a.is("netns")) {
      const Word& v = a.next_arg();
      if (r.netns) duparg(v, "netns");
      r.netns = &v;
    } else if (a.is("multicast") || a.is("allmulticast") || a.is("promisc") || a.is("trailers") || a.is("arp")) {
      on_off(a, r, w.text);
    } else if (a.is("carrier")) {
      const Word& v = a.next_arg();
      if (v.text != "on" && v.text != "off") fail(v.loc, fmt::format("Error: argument of \"carrier\" must be \"on\" or \"off\", not \"{}\"", v.text));
      r.carrier = &v;
      r.carrier_on = v.text == "on";
    } else if (a.is("vf")) {
      not_modelled(w.loc, "ip link ... vf (SR-IOV virtual functions)");
    } else if (a.pre("master")) {
      const Word& v = a.next_arg();
      if (!c.h().find_dev(v.text)) invarg(v, "Device does not exist", "the name of an existing bridge");
      r.master = &v;
    } else if (a.is("vrf")) {
      not_modelled(w.loc, "ip link ... vrf (VRFs)");
    } else if (a.pre("nomaster")) {
      r.nomaster = &w;
    } else if (a.pre("dynamic")) {
      on_off(a, r, "dynamic");
    } else if (a.pre("type")) {
      r.type = &a.next_arg();
      a.next();
      return;
    } else if (a.pre("alias")) {
      ignore_with_arg(a, r);
    } else if (a.is("group")) {
      const Word& v = a.next_arg();
      if (r.group) duparg(v, "group");
      auto g = group_a2n(v.text);
      if (!g) invarg(v, "Invalid \"group\" value", "a group number or a name from /etc/iproute2/group");
      r.group = &v;
      r.group_v = *g;
    } else if (a.is("mode") || a.is("state") || a.pre("numtxqueues") || a.pre("numrxqueues") || a.pre("addrgenmode") ||
               a.pre("link-netns") || a.is("link-netnsid") || a.is("protodown") || a.is("protodown_reason") ||
               a.is("gso_max_size") || a.is("gso_max_segs") || a.is("gro_max_size") || a.is("gso_ipv4_max_size") ||
               a.is("gro_ipv4_max_size") || a.is("parentdev")) {
      ignore_with_arg(a, r);
    } else {
      if (a.pre("help")) fail(w.loc, "Usage: ip link add|set|delete ...; see `ip link help`");
      const Word* v = &w;
      if (a.is("dev")) v = &a.next_arg();
      if (r.dev != r.name) duparg2(*v, "dev", "one device name");
      if (v->text.empty() || v->text.size() >= 128 || v->text.find('/') != std::string::npos)
        invarg(*v, "\"dev\" not a valid ifname");
      r.dev = v;
    }
    a.next();
  }
}

// The kinds kpath creates (net/core/rtnetlink.c rtnl_link_ops of each driver).
std::optional<DevKind> kind_of(std::string_view t) {
  if (t == "dummy") return DevKind::dummy;
  if (t == "veth") return DevKind::veth;
  if (t == "bridge") return DevKind::bridge;
  if (t == "ifb") return DevKind::ifb;
  return std::nullopt;
}

// dev->min_mtu / max_mtu (0 = no maximum) as the drivers set them.
std::pair<int64_t, int64_t> mtu_bounds(DevKind k) {
  switch (k) {
    case DevKind::veth:
    case DevKind::bridge: return {68, 65535};  // ether_setup / ETH_MAX_MTU
    default: return {0, 0};                    // lo, dummy, ifb
  }
}

constexpr std::string_view kBridgeOpts[] = {
    "forward_delay", "hello_time", "max_age", "ageing_time", "stp_state", "priority", "group_fwd_mask", "group_address",
    "no_linklocal_learn", "vlan_filtering", "vlan_protocol", "vlan_default_pvid", "vlan_stats_enabled", "vlan_stats_per_port",
    "mcast_snooping", "mcast_vlan_snooping", "mcast_router", "mcast_query_use_ifaddr", "mcast_querier", "mcast_hash_elasticity",
    "mcast_hash_max", "mcast_last_member_count", "mcast_startup_query_count", "mcast_last_member_interval",
    "mcast_membership_interval", "mcast_querier_interval", "mcast_query_interval", "mcast_query_response_interval",
    "mcast_startup_query_interval", "mcast_stats_enabled", "mcast_igmp_version", "mcast_mld_version", "nf_call_iptables",
    "nf_call_ip6tables", "nf_call_arptables"};

// The kind-specific options after `type KIND` (link_veth.c, iplink_bridge.c, generic kinds).
void parse_kind_opts(Ctx& c, Args& a, DevKind kind, const Word& typew, LinkReq& peer, bool& has_peer) {
  if (a.done()) return;
  if (kind == DevKind::veth) {
    if (!a.is("peer")) fail(a.w().loc, "Usage: ip link <options> type veth [peer <options>]; expected \"peer\"");
    has_peer = true;
    a.next();
    iplink_parse(c, a, peer);
    if (peer.type) duparg(*peer.type, "type");
    if (!a.done()) duparg2(a.w(), "dev");
    return;
  }
  if (kind == DevKind::bridge) {
    while (!a.done()) {
      const Word& k = a.w();
      if (a.is("fdb_flush")) { c.note(k.loc, "ip link type bridge: fdb_flush has no effect on kpath's model"); a.next(); continue; }
      if (std::find(std::begin(kBridgeOpts), std::end(kBridgeOpts), k.text) == std::end(kBridgeOpts))
        fail(k.loc, fmt::format("bridge: unknown command \"{}\"?; expected a bridge option such as stp_state or vlan_filtering", k.text));
      const Word& v = a.next_arg();
      c.note(k.loc, fmt::format("ip link type bridge: `{} {}` is accepted but not modelled{}", k.text, v.text,
                                k.text.starts_with("nf_call_") ? " (bridged IPv4 traffic is not run through iptables by kpath)" : ""));
      a.next();
    }
    return;
  }
  fail(a.w().loc, fmt::format("Garbage instead of arguments \"{} ...\". Try \"ip link help\".; type {} takes no options", a.s(), typew.text));
}

int alloc_ifindex(HostConfig& h) {
  // dev_index_reserve: the namespace's cyclic counter, skipping indexes in use
  while (h.find_dev(h.next_ifindex)) ++h.next_ifindex;
  return h.next_ifindex++;
}

uint64_t make_mac(const HostConfig& h, int ifindex) {
  // locally administered, derived from the namespace name and the ifindex (deterministic)
  uint32_t hash = 2166136261u;
  for (unsigned char ch : h.name) hash = (hash ^ ch) * 16777619u;
  return 0x020000000000ull | (static_cast<uint64_t>(hash & 0xffffu) << 24) | static_cast<uint64_t>(ifindex & 0xffffff);
}

// dev_alloc_name: "veth%d" → the first free vethN.
std::string alloc_name(const HostConfig& h, const std::string& pattern) {
  const auto p = pattern.find("%d");
  if (p == std::string::npos) return pattern;
  for (int n = 0;; ++n) {
    std::string s = pattern.substr(0, p) + std::to_string(n) + pattern.substr(p + 2);
    if (!h.find_dev(s)) return s;
  }
}

HostConfig* netns_host(Ctx& c, const Word& w) {
  if (HostConfig* h = c.set.find_host(w.text); h && !w.text.empty()) return h;
  if (w.text == "1") {
    c.note(w.loc, "netns 1 (the namespace of PID 1) is taken as the script's own host");
    return &c.set.hosts.at(0);
  }
  invarg(w, "Invalid \"netns\" value", "a namespace created earlier with `ip netns add`");
}

void unlink_topology(ConfigSet& set, const std::string& host, const std::string& dev) {
  std::erase_if(set.links, [&](const TopologyLink& l) {
    return (l.host_a == host && l.dev_a == dev) || (l.host_b == host && l.dev_b == dev);
  });
}

void link_topology(ConfigSet& set, const HostConfig& ha, const NetDevice& a, const HostConfig& hb, const NetDevice& b, SourceLoc loc) {
  unlink_topology(set, ha.name, a.name);
  unlink_topology(set, hb.name, b.name);
  if (ha.name != hb.name) set.links.push_back(TopologyLink{ha.name, a.name, hb.name, b.name, loc});
}

void refresh_all_carriers(Ctx& c) {
  bool in_set = false;
  for (HostConfig& h : c.set.hosts) {
    in_set = in_set || &h == c.host;
    refresh_carriers(c.set, h);
  }
  if (!in_set) refresh_carriers(c.set, c.h());
}

// dev_open: IFF_UP, NETDEV_UP (inetdev_event adds lo's 127.0.0.1/8; fib_netdev_event re-adds
// the kernel routes of every address and revives dead nexthops).
void dev_open(Ctx& c, HostConfig& h, int ifindex) {
  NetDevice* d = h.find_dev(ifindex);
  d->up_origin = c.cmd.loc;
  if (d->up) return;
  d->up = true;
  if (d->is_loopback()) inet_add_loopback(h, *d, c.cmd.loc);
  fib_sync_up(h, ifindex);
}

// dev_close: NETDEV_DOWN → fib_disable_ip(dev, NETDEV_DOWN, false).
void dev_close(Ctx& c, HostConfig& h, int ifindex) {
  NetDevice* d = h.find_dev(ifindex);
  d->up_origin = c.cmd.loc;
  if (!d->up) return;
  d->up = false;
  fib_sync_down_dev(h, ifindex, false);
}

// What leaving a namespace does to a device there (unregister or netns move): close, drop
// every IPv4 address, kill every nexthop through it, leave its master.
void detach_from_host(Ctx& c, HostConfig& h, int ifindex) {
  dev_close(c, h, ifindex);
  inetdev_destroy(h, ifindex, c.cmd.loc);
  fib_sync_down_dev(h, ifindex, true);
  forget_deleted_kernel_routes(h, ifindex, std::nullopt);
  for (NetDevice& p : h.devices)
    if (p.master == ifindex) p.master = 0;  // a bridge going away releases its ports
  h.find_dev(ifindex)->master = 0;
}

void unregister_one(Ctx& c, HostConfig& h, int ifindex) {
  detach_from_host(c, h, ifindex);
  const std::string name = h.find_dev(ifindex)->name;
  unlink_topology(c.set, h.name, name);
  std::erase_if(h.devices, [&](const NetDevice& d) { return d.ifindex == ifindex; });
}

void set_mtu(const NetDevice& d, const Word& w, int64_t mtu) {
  auto [lo, hi] = mtu_bounds(d.kind);
  if (mtu < 0 || mtu < lo) extack(w.loc, "mtu less than device minimum", fmt::format("{} allows {} to {}", d.name, lo, hi ? hi : 2147483647));
  if (hi > 0 && mtu > hi) extack(w.loc, "mtu greater than device maximum", fmt::format("{} allows {} to {}", d.name, lo, hi));
}

void set_address(const NetDevice& d, const LinkReq& r) {
  if (r.mac_len != 6) fail(r.address->loc, fmt::format("Invalid address length {} - must be 6 bytes", r.mac_len));
  const uint64_t mac = r.mac;
  if (mac == 0 || (mac >> 40) & 1) rtnl_error(r.address->loc, Errno::EADDRNOTAVAIL_, "the address must be unicast and non-zero");
  (void)d;
}

// do_set_master (net/core/rtnetlink.c) with br_add_if's checks.
void set_master(Ctx& c, HostConfig& h, int ifindex, const Word* master_w) {
  NetDevice* d = h.find_dev(ifindex);
  if (!master_w) { d->master = 0; return; }
  const NetDevice* m = h.find_dev(master_w->text);
  if (!m) invarg(*master_w, "Device does not exist", "the name of an existing bridge");
  if (m->kind != DevKind::bridge) rtnl_error(master_w->loc, Errno::EOPNOTSUPP_, fmt::format("{} is not a bridge", m->name));
  if (d->kind == DevKind::bridge) extack(master_w->loc, "Can not enslave a bridge to a bridge");
  if (d->is_loopback()) rtnl_error(master_w->loc, Errno::EINVAL_, "a bridge port must be an Ethernet device");
  d->master = m->ifindex;
  (void)c;
}

void apply_common(Ctx& c, HostConfig& h, int ifindex, const LinkReq& r) {
  NetDevice* d = h.find_dev(ifindex);
  if (r.address) { set_address(*d, r); d->mac = r.mac; }
  if (r.mtu) {
    set_mtu(*d, *r.mtu, r.mtu_v);
    d->mtu = static_cast<uint32_t>(r.mtu_v);
  }
  if (r.group) d->group = r.group_v;
  for (const auto& [loc, msg] : r.ignored) c.note(loc, msg);
}

void apply_flags_master(Ctx& c, HostConfig& h, int ifindex, const LinkReq& r) {
  if (r.up) {
    if (*r.up) dev_open(c, h, ifindex);
    else dev_close(c, h, ifindex);
  }
  if (r.master) set_master(c, h, ifindex, r.master);
  if (r.nomaster) set_master(c, h, ifindex, nullptr);
  if (r.carrier) {
    NetDevice* d = h.find_dev(ifindex);
    if (d->kind != DevKind::dummy) rtnl_error(r.carrier->loc, Errno::EOPNOTSUPP_, "only dummy devices change carrier on request");
    d->carrier = r.carrier_on;
  }
}

NetDevice new_device(Ctx& c, HostConfig& h, std::string name, DevKind kind, int ifindex) {
  NetDevice d;
  d.ifindex = ifindex ? ifindex : alloc_ifindex(h);
  d.name = std::move(name);
  d.kind = kind;
  d.up = false;
  d.mtu = 1500;
  d.mac = make_mac(h, d.ifindex);
  d.conf = h.conf_dflt;  // inetdev_init copies the namespace's conf.default
  d.conf.state = {};     // ...but nothing is "explicitly set" on the new device yet
  d.origin = c.cmd.loc;
  d.carrier = kind == DevKind::dummy || kind == DevKind::ifb;  // veth/bridge: off until linked up
  return d;
}

void check_new_name(const HostConfig& h, const Word& w, const std::string& name) {
  if (!dev_valid_name(name)) rtnl_error(w.loc, Errno::EINVAL_, "an interface name has 1-15 characters without '/', ':' or spaces");
  if (h.find_dev(name)) rtnl_error(w.loc, Errno::EEXIST_, fmt::format("a device named {} already exists{}", name, h.name.empty() ? "" : " in netns " + h.name));
}

void link_add(Ctx& c, Args& a, const Word& cmdw, bool replace) {
  LinkReq r;
  iplink_parse(c, a, r);
  if (r.name && r.dev && r.dev->text != r.name->text)
    fail(r.name->loc, "both \"name\" and \"dev\" cannot be used when creating devices.");
  const Word* namew = r.name ? r.name : r.dev;
  if (replace && namew && c.h().find_dev(namew->text)) {
    // NLM_F_REPLACE on an existing device: rtnl_newlink changes it like `ip link set`
    not_modelled(cmdw.loc, "ip link replace of an existing device (use ip link set)");
  }
  if (!r.type) fail(cmdw.loc, "Not enough information: \"type\" argument is required; expected type dummy, veth, bridge or ifb");
  if (r.link && !c.h().find_dev(r.link->text)) nodev(*r.link);
  const auto kind = kind_of(r.type->text);
  if (!kind) {
    not_modelled(r.type->loc, fmt::format("ip link add type {} (kpath creates dummy, veth, bridge and ifb devices{})", r.type->text,
                                          r.type->text == "vrf" ? "; VRFs are not modelled" : ""));
  }
  LinkReq peer;
  bool has_peer = false;
  parse_kind_opts(c, a, *kind, *r.type, peer, has_peer);

  HostConfig& src = c.h();
  HostConfig& dst = r.netns ? *netns_host(c, *r.netns) : src;
  const SourceLoc name_loc = namew ? namew->loc : r.type->loc;
  const Word name_word{namew ? namew->text : std::string(dev_kind_name(*kind)) + "%d", name_loc};
  const std::string name = alloc_name(dst, name_word.text);
  check_new_name(dst, name_word, name);
  if (r.index && dst.find_dev(r.index_v)) rtnl_error(r.index->loc, Errno::EEXIST_, fmt::format("ifindex {} is in use", r.index_v));
  if (r.mtu) set_mtu(new_device(c, dst, name, *kind, 1), *r.mtu, r.mtu_v);

  if (*kind == DevKind::veth) {
    // veth_newlink: the peer is registered first, in its netns (default: the request's netns)
    HostConfig& ph = peer.netns ? *netns_host(c, *peer.netns) : src;
    const Word* pw = peer.name ? peer.name : peer.dev;
    const Word pword{pw ? pw->text : "veth%d", pw ? pw->loc : r.type->loc};
    const std::string pname = alloc_name(ph, pword.text);
    check_new_name(ph, pword, pname);
    if (&ph == &dst && pname == name) rtnl_error(pword.loc, Errno::EEXIST_, "the two ends of a veth need different names");
    if (peer.mtu) set_mtu(new_device(c, ph, pname, DevKind::veth, 1), *peer.mtu, peer.mtu_v);
    if (peer.index && ph.find_dev(peer.index_v)) rtnl_error(peer.index->loc, Errno::EEXIST_, fmt::format("ifindex {} is in use", peer.index_v));
    NetDevice pd = new_device(c, ph, pname, DevKind::veth, peer.index ? peer.index_v : 0);
    NetDevice md = new_device(c, dst, name, DevKind::veth, r.index ? r.index_v : 0);
    pd.peer = md.name;
    pd.peer_netns = dst.name;
    md.peer = pd.name;
    md.peer_netns = ph.name;
    const int pidx = pd.ifindex, midx = md.ifindex;
    ph.devices.push_back(std::move(pd));
    dst.devices.push_back(std::move(md));
    apply_common(c, ph, pidx, peer);
    apply_common(c, dst, midx, r);
    if (ph.name != dst.name) link_topology(c.set, dst, *dst.find_dev(midx), ph, *ph.find_dev(pidx), c.cmd.loc);
    apply_flags_master(c, ph, pidx, peer);
    apply_flags_master(c, dst, midx, r);
  } else {
    NetDevice d = new_device(c, dst, name, *kind, r.index ? r.index_v : 0);
    const int idx = d.ifindex;
    dst.devices.push_back(std::move(d));
    apply_common(c, dst, idx, r);
    apply_flags_master(c, dst, idx, r);
  }
  refresh_all_carriers(c);
}

// dev_change_net_namespace: the device leaves `from` like an unregister (down, addresses and
// routes gone) and registers in `to` with the same name and, when free there, the same ifindex.
int move_netns(Ctx& c, HostConfig& from, int ifindex, HostConfig& to, const Word& nsw) {
  NetDevice* d = from.find_dev(ifindex);
  if (d->is_loopback() || d->kind == DevKind::bridge) extack(nsw.loc, "The interface netns is immutable", fmt::format("{} cannot leave its namespace", d->name));
  if (&from == &to || from.name == to.name) return ifindex;
  if (to.find_dev(d->name)) rtnl_error(nsw.loc, Errno::EEXIST_, fmt::format("netns {} already has a device named {}", to.name, d->name));
  detach_from_host(c, from, ifindex);
  unlink_topology(c.set, from.name, from.find_dev(ifindex)->name);
  NetDevice moved = std::move(*from.find_dev(ifindex));
  std::erase_if(from.devices, [&](const NetDevice& x) { return x.ifindex == ifindex; });
  if (to.find_dev(moved.ifindex)) moved.ifindex = alloc_ifindex(to);
  moved.conf = to.conf_dflt;
  moved.conf.state = {};
  moved.addrs.clear();
  moved.up = false;
  const int nidx = moved.ifindex;
  to.devices.push_back(std::move(moved));
  NetDevice& nd = *to.find_dev(nidx);
  if (nd.kind == DevKind::veth) {
    HostConfig* ph = c.set.find_host(nd.peer_netns);
    if (nd.peer_netns == from.name) ph = &from;
    if (ph) {
      if (NetDevice* p = ph->find_dev(nd.peer)) {
        p->peer_netns = to.name;
        link_topology(c.set, to, nd, *ph, *p, c.cmd.loc);
      }
    }
  }
  return nidx;
}

void rename_dev(Ctx& c, HostConfig& h, int ifindex, const Word& w) {
  NetDevice* d = h.find_dev(ifindex);
  if (d->name == w.text) return;
  if (!dev_valid_name(w.text)) rtnl_error(w.loc, Errno::EINVAL_, "an interface name has 1-15 characters without '/', ':' or spaces");
  if (h.find_dev(w.text)) rtnl_error(w.loc, Errno::EEXIST_, fmt::format("a device named {} already exists", w.text));
  const std::string old = d->name;
  d->name = w.text;
  // inetdev_changename: labels follow the new name; the 2nd.. address keep their ":suffix"
  int named = 0;
  for (InIfaddr& ifa : d->addrs) {
    const std::string prev = ifa.label;
    ifa.label = d->name;
    if (named++ == 0) continue;
    auto colon = prev.find(':');
    std::string dot = colon == std::string::npos ? fmt::format(":{}", named) : prev.substr(colon);
    if (dot.size() + d->name.size() < 16) ifa.label += dot;
    else ifa.label = ifa.label.substr(0, 16 - dot.size() - 1) + dot;
  }
  for (auto& l : c.set.links) {
    if (l.host_a == h.name && l.dev_a == old) l.dev_a = d->name;
    if (l.host_b == h.name && l.dev_b == old) l.dev_b = d->name;
  }
  if (d->kind == DevKind::veth) {
    HostConfig* ph = d->peer_netns == h.name ? &h : c.set.find_host(d->peer_netns);
    if (ph)
      if (NetDevice* p = ph->find_dev(d->peer)) p->peer = d->name;
  }
}

void link_set(Ctx& c, Args& a, const Word& cmdw) {
  LinkReq r;
  iplink_parse(c, a, r);
  if (r.type) {
    const Word& t = *r.type;
    if (t.text == "bridge" || t.text == "bridge_slave") {
      std::string rest;
      while (!a.done()) { rest += (rest.empty() ? "" : " ") + a.s(); a.next(); }
      c.note(t.loc, fmt::format("ip link set ... type {} {}: bridge options are not modelled; ignored", t.text, rest));
    } else {
      not_modelled(t.loc, fmt::format("ip link set ... type {}", t.text));
    }
  }
  if (!r.dev) fail(cmdw.loc, "Not enough information: \"dev\" argument is required.");
  HostConfig* h = c.host;
  NetDevice* d = h->find_dev(r.dev->text);
  if (!d) nodev(*r.dev);
  if (r.index) fail(r.index->loc, "ip link set ... index: the kernel does not change an existing device's ifindex");
  int idx = d->ifindex;
  // do_setlink order: netns, address, mtu, group, name, flags, master, carrier
  if (r.netns) {
    HostConfig& to = *netns_host(c, *r.netns);
    idx = move_netns(c, *h, idx, to, *r.netns);
    h = &to;
  }
  apply_common(c, *h, idx, r);
  if (r.name && r.name != r.dev) rename_dev(c, *h, idx, *r.name);
  apply_flags_master(c, *h, idx, r);
  refresh_all_carriers(c);
}

void link_del(Ctx& c, Args& a, const Word& cmdw) {
  LinkReq r;
  iplink_parse(c, a, r);
  if (!r.dev) fail(cmdw.loc, "Not enough information: \"dev\" argument is required.");
  HostConfig& h = c.h();
  NetDevice* d = h.find_dev(r.dev->text);
  if (!d) nodev(*r.dev);
  if (d->is_loopback()) rtnl_error(r.dev->loc, Errno::EOPNOTSUPP_, "the loopback device cannot be deleted");
  const int idx = d->ifindex;
  if (d->kind == DevKind::veth) {
    // veth_dellink: the peer goes too, wherever it lives
    HostConfig* ph = peer_host(c.set, h, *d);
    const std::string pname = d->peer;
    if (ph)
      if (NetDevice* p = ph->find_dev(pname)) unregister_one(c, *ph, p->ifindex);
  }
  unregister_one(c, h, idx);
  refresh_all_carriers(c);
}

}  // namespace

HostConfig* peer_host(ConfigSet& set, HostConfig& h, const NetDevice& d) {
  if (d.peer.empty()) return nullptr;
  if (d.peer_netns == h.name) return &h;
  return set.find_host(d.peer_netns);
}

void refresh_carriers(ConfigSet& set, HostConfig& h) {
  for (NetDevice& d : h.devices) {
    if (d.kind != DevKind::veth) continue;
    HostConfig* ph = peer_host(set, h, d);
    const NetDevice* p = ph ? ph->find_dev(d.peer) : nullptr;
    d.carrier = d.up && p && p->up;  // veth_open/veth_close: carrier on only with both ends up
  }
  for (NetDevice& br : h.devices) {
    if (br.kind != DevKind::bridge) continue;
    bool any = false;
    for (const NetDevice& p : h.devices)
      if (p.master == br.ifindex && p.up && p.carrier) any = true;
    br.carrier = any;
  }
}

void unregister_all(Ctx& c, HostConfig& h) {
  std::vector<int> idx;
  for (const NetDevice& d : h.devices)
    if (!d.is_loopback()) idx.push_back(d.ifindex);
  for (int i : idx) {
    NetDevice* d = h.find_dev(i);
    if (!d) continue;  // a veth peer already gone with its other end
    if (d->kind == DevKind::veth) {
      HostConfig* ph = peer_host(c.set, h, *d);
      if (ph && ph != &h)
        if (NetDevice* p = ph->find_dev(d->peer)) unregister_one(c, *ph, p->ifindex);
    }
    unregister_one(c, h, i);
  }
  refresh_all_carriers(c);
}

void do_iplink(Ctx& c, Args a) {
  if (a.done()) { c.note(a.last().loc, "ip link (list): listing commands have no effect; ignored"); return; }
  const Word& cmdw = a.w();
  a.next();
  if (matches(cmdw.text, "add")) return link_add(c, a, cmdw, false);
  if (matches(cmdw.text, "set") || matches(cmdw.text, "change")) return link_set(c, a, cmdw);
  if (matches(cmdw.text, "replace")) return link_add(c, a, cmdw, true);
  if (matches(cmdw.text, "delete")) return link_del(c, a, cmdw);
  if (matches(cmdw.text, "show") || matches(cmdw.text, "lst") || matches(cmdw.text, "list") || matches(cmdw.text, "xstats") ||
      matches(cmdw.text, "afstats")) {
    c.note(cmdw.loc, fmt::format("ip link {}: listing commands have no effect; ignored", cmdw.text));
    return;
  }
  if (matches(cmdw.text, "property")) { not_modelled(cmdw.loc, "ip link property (alternative names)"); }
  fail(cmdw.loc, fmt::format("Command \"{}\" is unknown, try \"ip link help\".; expected add, set, delete or show", cmdw.text));
}

}  // namespace kpath::ip

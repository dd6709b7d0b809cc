// ip/ipaddress.c (ipaddr_modify, ipaddr_list_flush_or_save) and net/ipv4/devinet.c
// (inet_rtm_newaddr / __inet_insert_ifa, inet_rtm_deladdr / __inet_del_ifa, inetdev_destroy)
// with the FIB side of fib_inetaddr_event (net/ipv4/fib_frontend.c).
#include <fmt/format.h>
#include <algorithm>
#include "sim/config/ip/ip_common.hpp"
#include "sim/config/ip/ip_fib.hpp"

namespace kpath::ip {

using namespace kernel;

namespace {

Ipv4Addr ifa_address(const InIfaddr& a) { return a.peer.is_zero() ? a.local : a.peer; }

// inet_ifa_match(addr, ifa): addr is in ifa's subnet
bool inet_ifa_match(Ipv4Addr addr, const InIfaddr& ifa) {
  return ((addr.v ^ ifa_address(ifa).v) & inet_make_mask(ifa.prefixlen)) == 0;
}

bool same_subnet(const InIfaddr& a, const InIfaddr& b) { return a.prefixlen == b.prefixlen && inet_ifa_match(ifa_address(a), b); }

bool promote_secondaries(const HostConfig& h, const NetDevice& d) {
  // IN_DEV_PROMOTE_SECONDARIES is IN_DEV_ORCONF
  return h.conf_all.get(DevConfKey::promote_secondaries) || d.conf.get(DevConfKey::promote_secondaries);
}

// fib_del_ifaddr's last step: once no local route for the address is left (no device has it),
// routes of table main using it as prefsrc are flushed (fib_sync_down_addr).
void address_gone(HostConfig& h, int ifindex, Ipv4Addr local) {
  forget_deleted_kernel_routes(h, ifindex, local);
  FibView v(h);
  if (inet_dev_addr_type(v, 0, local, RT_TABLE_LOCAL) != RTN_LOCAL) fib_sync_down_addr(h, local);
}

// __inet_insert_ifa: duplicates, the secondary flag, and the kernel's list order (a primary goes
// after the last primary of equal or wider scope; a secondary at the end). Returns false when the
// same address is already there (EEXIST).
bool insert_ifa(const NetDevice& dev, std::vector<InIfaddr>& list, InIfaddr ifa, SourceLoc scope_loc) {
  ifa.secondary = false;
  size_t last_primary = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const InIfaddr& a = list[i];
    if (!a.secondary && ifa.scope <= a.scope) last_primary = i + 1;
    if (same_subnet(a, ifa)) {
      if (a.local == ifa.local) return false;
      if (a.scope != ifa.scope)
        extack(scope_loc, "ipv4: Invalid scope value",
               fmt::format("{}/{} on {} has scope {}; addresses of one subnet share a scope", a.local, a.prefixlen, dev.name, rt_scope_name(a.scope)));
      ifa.secondary = true;
    }
  }
  if (ifa.secondary) list.push_back(std::move(ifa));
  else list.insert(list.begin() + static_cast<std::ptrdiff_t>(last_primary), std::move(ifa));
  return true;
}

}  // namespace

void inet_add_loopback(HostConfig& h, NetDevice& lo, SourceLoc loc) {
  InIfaddr a;
  a.local = Ipv4Addr{0x7f000001};
  a.prefixlen = 8;
  a.scope = RT_SCOPE_HOST;
  a.label = lo.name;
  a.origin = loc;
  if (insert_ifa(lo, lo.addrs, a, loc)) forget_deleted_kernel_routes(h, lo.ifindex, a.local);
}

void inet_del_ifa(HostConfig& h, int ifindex, size_t idx, SourceLoc loc) {
  NetDevice* d = h.find_dev(ifindex);
  auto& list = d->addrs;
  const InIfaddr ifa1 = list[idx];
  std::vector<Ipv4Addr> removed;
  std::optional<size_t> promote;
  if (!ifa1.secondary) {
    // the primary's secondaries: deleted, or the first one promoted (promote_secondaries)
    const bool do_promote = promote_secondaries(h, *d);
    for (size_t i = idx + 1; i < list.size();) {
      if (!list[i].secondary || !same_subnet(list[i], ifa1)) { ++i; continue; }
      if (do_promote) { promote = i; break; }
      removed.push_back(list[i].local);
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(idx));
  removed.push_back(ifa1.local);
  if (promote) {
    size_t p = *promote - 1;  // index after removing ifa1
    size_t last_prim = idx;
    for (size_t i = idx; i < p; ++i)
      if (!list[i].secondary && ifa1.scope <= list[i].scope) last_prim = i + 1;
    InIfaddr pr = list[p];
    pr.secondary = false;
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(p));
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(std::min(last_prim, list.size())), std::move(pr));
  }
  for (Ipv4Addr a : removed) address_gone(h, ifindex, a);
  // fib_inetaddr_event(NETDEV_DOWN): the last address gone disables IP on the device
  if (h.find_dev(ifindex)->addrs.empty()) fib_sync_down_dev(h, ifindex, true);
  (void)loc;
}

void inetdev_destroy(HostConfig& h, int ifindex, SourceLoc loc) {
  NetDevice* d = h.find_dev(ifindex);
  if (d->addrs.empty()) return;
  std::vector<Ipv4Addr> locals;
  for (const InIfaddr& a : d->addrs) locals.push_back(a.local);
  d->addrs.clear();
  for (Ipv4Addr a : locals) address_gone(h, ifindex, a);
  fib_sync_down_dev(h, ifindex, true);
  (void)loc;
}

namespace {

enum class AddrCmd { add, change, replace, del };

void ipaddr_modify(Ctx& c, Args& a, const Word& cmdw, AddrCmd cmd) {
  bool family_known = c.inet4_only;
  const Word* d = nullptr;
  const Word* label = nullptr;
  const Word* lcl_w = nullptr;
  const Word* peer_w = nullptr;
  const Word* brd_w = nullptr;
  const Word* scope_w = nullptr;
  InetPrefix lcl, peer;
  int brd_mode = 0;  // 0 none, 1 address, -1 "+", -2 "-"
  Ipv4Addr brd;
  uint8_t scope = 0;
  uint32_t metric = 0;
  bool noprefixroute = false;
  std::optional<uint64_t> valid_lft, preferred_lft;
  std::vector<std::pair<SourceLoc, std::string>> ignored;

  while (!a.done()) {
    const Word& w = a.w();
    if (a.is("peer") || a.is("remote")) {
      const Word& v = a.next_arg();
      if (peer_w) duparg(v, "peer");
      peer = get_prefix(c, v, family_known, "the peer's IPv4 address, optionally with /len");
      peer_w = &v;
      family_known = family_known || !peer.any;
    } else if (a.pre("broadcast") || a.is("brd")) {
      const Word& v = a.next_arg();
      if (brd_w) duparg(v, "broadcast");
      brd_w = &v;
      if (v.text == "+") brd_mode = -1;
      else if (v.text == "-") brd_mode = -2;
      else { brd = get_addr(c, v, family_known); brd_mode = 1; family_known = true; }
    } else if (a.is("anycast")) {
      const Word& v = a.next_arg();
      get_addr(c, v, family_known);
      family_known = true;
      ignored.emplace_back(w.loc, "ip address: anycast applies to IPv6 only; ignored by the IPv4 kernel");
    } else if (a.is("scope")) {
      const Word& v = a.next_arg();
      auto s = rtscope_a2n(v.text);
      if (!s) invarg(v, "invalid scope value.", "global, site, link, host, nowhere or a number");
      scope = *s;
      scope_w = &v;
    } else if (a.is("dev")) {
      d = &a.next_arg();
    } else if (a.is("label")) {
      label = &a.next_arg();
    } else if (a.pre("metric") || a.pre("priority") || a.pre("preference")) {
      const Word& v = a.next_arg();
      auto m = get_u32(v.text);
      if (!m) invarg(v, "\"metric\" value is invalid", "a number 0-4294967295");
      metric = *m;
    } else if (a.pre("valid_lft") || a.pre("preferred_lft")) {
      const bool valid = a.pre("valid_lft");
      const Word& v = a.next_arg();
      std::optional<uint64_t> t;
      if (v.text == "forever") t = 0xffffffffull;
      else if (auto n = get_u32(v.text)) t = *n;
      if (!t) invarg(v, valid ? "valid_lft value" : "preferred_lft value", "a number of seconds or \"forever\"");
      (valid ? valid_lft : preferred_lft) = t;
      if (*t != 0xffffffffull) ignored.emplace_back(w.loc, "ip address: address lifetimes are not modelled (the address is taken as permanent)");
    } else if (a.is("home") || a.is("nodad") || a.is("optimistic") || a.is("mngtmpaddr") || a.is("autojoin")) {
      ignored.emplace_back(w.loc, fmt::format("ip address: flag {} has no effect on an IPv4 address in kpath's model", w.text));
    } else if (a.is("noprefixroute")) {
      noprefixroute = true;
    } else {
      const Word* v = &w;
      if (a.is("local")) v = &a.next_arg();
      if (matches(v->text, "help")) fail(v->loc, "Usage: ip address {add|change|replace|del} IFADDR dev IFNAME [ LIFETIME ] [ CONFFLAG-LIST ]");
      if (lcl_w) duparg2(*v, "local", "one local address");
      lcl = get_prefix(c, *v, family_known, "an IPv4 address with its prefix length, like 192.0.2.1/24");
      lcl_w = v;
      family_known = family_known || !lcl.any;
    }
    a.next();
  }
  if (valid_lft && preferred_lft && *preferred_lft > *valid_lft) fail(cmdw.loc, "preferred_lft is greater than valid_lft");
  if (!d) fail(cmdw.loc, "Not enough information: \"dev\" argument is required.");

  // ipaddr_modify: the prefix length comes from the peer when given, else from the local prefix
  uint8_t prefixlen = peer_w ? peer.bitlen : 0;
  bool wildcard = false;
  if (!peer_w && lcl_w) {
    if (cmd == AddrCmd::del && !lcl.len_given) wildcard = true;
    else peer = lcl;
  }
  if (prefixlen == 0) prefixlen = lcl_w ? lcl.bitlen : 0;
  if (brd_mode < 0 && cmd != AddrCmd::del) {
    if (peer.bitlen <= 30) {
      const uint32_t host = ~inet_make_mask(peer.bitlen);
      brd = Ipv4Addr{brd_mode == -1 ? (peer.addr.v | host) : (peer.addr.v & ~host)};
    } else {
      brd_mode = 0;
    }
  }
  if (!scope_w && cmd != AddrCmd::del) scope = lcl_w && (lcl.addr.v >> 24) == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;

  HostConfig& h = c.h();
  NetDevice* dev = h.find_dev(d->text);
  if (!dev) nodev(*d);
  const SourceLoc addr_loc = lcl_w ? lcl_w->loc : cmdw.loc;
  // no address given: the request has family AF_UNSPEC, which no rtnetlink handler takes
  if (!family_known) rtnl_error(cmdw.loc, Errno::EOPNOTSUPP_, "expected an IPv4 address, like 192.0.2.1/24");

  if (cmd == AddrCmd::del) {
    if (wildcard)
      c.note(lcl_w->loc, fmt::format("Warning: Executing wildcard deletion to stay compatible with old scripts. Explicitly specify the "
                                     "prefix length ({}/32) to avoid this warning.", lcl_w->text));
    // inet_rtm_deladdr: first address matching every attribute sent
    for (size_t i = 0; i < dev->addrs.size(); ++i) {
      const InIfaddr& ifa = dev->addrs[i];
      if (lcl_w && ifa.local != lcl.addr) continue;
      if (label && ifa.label != label->text) continue;
      const bool has_address = peer_w || (lcl_w && !wildcard);  // IFA_ADDRESS sent
      if (has_address && (prefixlen != ifa.prefixlen || !inet_ifa_match(peer.addr, ifa))) continue;
      inet_del_ifa(h, dev->ifindex, i, cmdw.loc);
      return;
    }
    extack(addr_loc, "ipv4: Address not found", fmt::format("{} has no such address", dev->name));
  }

  if (!lcl_w) extack(cmdw.loc, "ipv4: Local address is not supplied", "expected the local address, like 192.0.2.1/24");
  if (label && label->text.size() >= 16) invarg(*label, "\"label\" is too long", "at most 15 characters");
  for (const auto& [loc, msg] : ignored) c.note(loc, msg);
  InIfaddr ifa;
  ifa.local = lcl.addr;
  ifa.prefixlen = prefixlen;
  ifa.peer = peer_w && peer.addr != lcl.addr ? peer.addr : Ipv4Addr{};
  ifa.broadcast = brd_mode ? brd : Ipv4Addr{};
  ifa.scope = scope;
  ifa.label = label ? label->text : dev->name;
  ifa.origin = c.cmd.loc;
  ifa.rt_priority = metric;
  ifa.noprefixroute = noprefixroute;
  if (ifa.local.is_zero()) return;  // __inet_insert_ifa ignores 0.0.0.0
  // find_matching_ifa: same local, same mask, same subnet
  for (InIfaddr& e : dev->addrs) {
    if (e.prefixlen == ifa.prefixlen && inet_ifa_match(ifa_address(e), ifa) && e.local == ifa.local) {
      if (cmd == AddrCmd::add)
        extack(addr_loc, "ipv4: Address already assigned", fmt::format("{}/{} is already on {}", e.local, e.prefixlen, dev->name));
      // NLM_F_REPLACE on an existing address updates only its metric and lifetimes
      e.rt_priority = metric;
      return;
    }
  }
  if (!insert_ifa(*dev, dev->addrs, ifa, scope_w ? scope_w->loc : addr_loc))
    rtnl_error(addr_loc, Errno::EEXIST_, fmt::format("{} is already on {}", ifa.local, dev->name));
  forget_deleted_kernel_routes(h, dev->ifindex, ifa.local);
}

// fnmatch(pattern, s, 0) for the label filter
bool glob(std::string_view p, std::string_view s) {
  if (p.empty()) return s.empty();
  if (p[0] == '*') return glob(p.substr(1), s) || (!s.empty() && glob(p, s.substr(1)));
  if (s.empty()) return false;
  if (p[0] == '?' || p[0] == s[0]) return glob(p.substr(1), s.substr(1));
  return false;
}

void ipaddr_flush(Ctx& c, Args& a, const Word& cmdw) {
  if (a.done()) fail(cmdw.loc, "Flush requires arguments.; expected dev IFNAME, scope SCOPE, to PREFIX or label PATTERN");
  const Word* dev_w = nullptr;
  std::optional<InetPrefix> to;
  std::optional<uint8_t> scope;
  bool up = false;
  const Word* label = nullptr;
  std::optional<bool> want_secondary, want_noprefixroute;
  bool want_dynamic = false;
  while (!a.done()) {
    const Word& w = a.w();
    std::string_view flag = w.text;
    const bool neg = !flag.empty() && flag[0] == '-';
    if (neg) flag.remove_prefix(1);
    if (a.is("to")) {
      to = get_prefix(c, a.next_arg());
    } else if (a.is("scope")) {
      const Word& v = a.next_arg();
      auto s = rtscope_a2n(v.text);
      if (!s && v.text != "all") invarg(v, "invalid \"scope\"", "global, site, link, host, nowhere, all or a number");
      if (s) scope = *s;
    } else if (a.is("up")) {
      up = true;
    } else if (flag == "primary") {
      want_secondary = neg;
    } else if (flag == "secondary" || flag == "temporary") {
      want_secondary = !neg;
    } else if (flag == "permanent") {
      want_dynamic = neg;
    } else if (flag == "dynamic") {
      want_dynamic = !neg;
    } else if (flag == "noprefixroute") {
      want_noprefixroute = !neg;
    } else if (flag == "tentative" || flag == "deprecated" || flag == "home" || flag == "nodad" || flag == "mngtmpaddr" ||
               flag == "autojoin" || flag == "optimistic" || flag == "dadfailed") {
      // IPv6-only states: no IPv4 address has them
      if (!neg) want_dynamic = true;
    } else if (a.is("label")) {
      label = &a.next_arg();
    } else if (a.is("group") || a.is("master") || a.is("vrf") || a.is("type") || a.is("nomaster")) {
      not_modelled(w.loc, fmt::format("ip address flush ... {}", w.text));
    } else {
      const Word* v = &w;
      if (a.is("dev")) v = &a.next_arg();
      else if (matches(w.text, "help")) fail(w.loc, "Usage: ip address flush [ dev IFNAME ] [ scope SCOPE-ID ] [ to PREFIX ] [ label PATTERN ]");
      if (dev_w) duparg2(*v, "dev", "one device name");
      dev_w = v;
    }
    a.next();
  }
  HostConfig& h = c.h();
  if (dev_w && !h.find_dev(dev_w->text)) fail(dev_w->loc, fmt::format("Device \"{}\" does not exist.", dev_w->text));
  if (want_dynamic) return;  // every IPv4 address kpath knows is permanent
  auto match = [&](const NetDevice& d, const InIfaddr& ifa) {
    if (dev_w && d.name != dev_w->text) return false;
    if (up && !d.up) return false;
    if (to && ((ifa.local.v ^ to->addr.v) & inet_make_mask(to->bitlen))) return false;
    if (scope && ifa.scope != *scope) return false;
    if (label && !glob(label->text, ifa.label)) return false;
    if (want_secondary && ifa.secondary != *want_secondary) return false;
    if (want_noprefixroute && ifa.noprefixroute != *want_noprefixroute) return false;
    return true;
  };
  // ipaddr_flush: dump, delete every match, repeat until a round deletes nothing
  for (int round = 0; round < 10; ++round) {
    bool any = false;
    for (size_t di = 0; di < h.devices.size(); ++di) {
      for (size_t i = 0; i < h.devices[di].addrs.size();) {
        if (match(h.devices[di], h.devices[di].addrs[i])) {
          inet_del_ifa(h, h.devices[di].ifindex, i, cmdw.loc);
          any = true;
        } else {
          ++i;
        }
      }
    }
    if (!any) break;
  }
}

}  // namespace

void do_ipaddr(Ctx& c, Args a) {
  if (a.done()) { c.note(a.last().loc, "ip address (list): listing commands have no effect; ignored"); return; }
  const Word& cmdw = a.w();
  a.next();
  const std::string& s = cmdw.text;
  if (matches(s, "add")) return ipaddr_modify(c, a, cmdw, AddrCmd::add);
  if (matches(s, "change") || s == "chg") return ipaddr_modify(c, a, cmdw, AddrCmd::change);
  if (matches(s, "replace")) return ipaddr_modify(c, a, cmdw, AddrCmd::replace);
  if (matches(s, "delete")) return ipaddr_modify(c, a, cmdw, AddrCmd::del);
  if (matches(s, "list") || matches(s, "show") || matches(s, "lst") || matches(s, "save") || matches(s, "showdump")) {
    c.note(cmdw.loc, fmt::format("ip address {}: listing commands have no effect; ignored", s));
    return;
  }
  if (matches(s, "flush")) return ipaddr_flush(c, a, cmdw);
  if (matches(s, "restore")) not_modelled(cmdw.loc, "ip address restore (binary dumps)");
  fail(cmdw.loc, fmt::format("Command \"{}\" is unknown, try \"ip address help\".; expected add, change, replace, del, flush or show", s));
}

}  // namespace kpath::ip

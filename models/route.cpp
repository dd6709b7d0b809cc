// ip_route_input_noref/_rcu/_slow, ip_route_input_mc, __mkroute_input, ip_route_output_key
// (net/ipv4/route.c). Two-phase structure as in the kernel: a lookup with "no usable route"
// attaches an ip_error route and succeeds; martians, rp_filter and local sources fail here.
#include "models/route.hpp"
#include <fmt/format.h>
#include "models/instantiate.hpp"

namespace kpath::kernel {

Ipv4Addr inet_select_addr(const Net& net, const NetDevice& dev, Ipv4Addr dst) {
  // Prefer a primary address on the same subnet as dst, else the first primary of scope < link.
  for (auto& a : dev.addrs)
    if (!a.secondary && a.prefix().contains(dst) && a.scope <= RT_SCOPE_LINK) return a.local;
  for (auto& a : dev.addrs)
    if (!a.secondary && a.scope < RT_SCOPE_LINK) return a.local;
  // Then any device's address (inet_select_addr falls back to other devices, scope universe).
  for (auto& d : net.devices)
    for (auto& a : d.addrs)
      if (!a.secondary && a.scope == RT_SCOPE_UNIVERSE) return a.local;
  return {};
}

static bool martian_loopback_ok(const Net& net, const NetDevice& in, DevConfKey k) { return net.conf(in, k).value != 0; }

template <typename T>
static DropReason local_input(const Net& net, const NetDevice& in, const FibResult& res, RtnType type, int err, uint8_t flags,
                              Dst& dst, T& t) {
  dst = Dst{};
  dst.rt_type = type;
  dst.dev = LOOPBACK_IFINDEX;
  dst.flags = flags | RTCF_LOCAL;
  dst.table = res.table;
  dst.route = res.fa;
  dst.rule_index = res.rule_index;
  if (type == RTN_UNREACHABLE) {
    dst.input = DstInput::ip_error;
    dst.error = -err;
    dst.flags &= static_cast<uint8_t>(~RTCF_LOCAL);
    t.step("ip_route_input_slow", {}, [&] {
      return fmt::format("attach an error route: rt_type RTN_UNREACHABLE, dst.input = ip_error, dst.error = {} (the lookup itself succeeds; the drop happens in ip_error)",
                         errno_name(-err).substr(1));
    }, StepKind::Verdict);
  } else {
    dst.input = DstInput::ip_local_deliver;
    t.step("ip_route_input_slow", res.fa ? res.fa->origin : Origin{}, [&] {
      return fmt::format("input route: {} on lo, dst.input = ip_local_deliver", kRtnKernelNames[type]);
    }, StepKind::Verdict);
  }
  return DropReason::NOT_DROPPED;
}

template <typename T>
static DropReason no_route(const Net& net, const NetDevice& in, const FibResult& res, int err, Dst& dst, T& t) {
  FibResult r = res;  // kernel clears fi and table; kpath keeps the deciding table for explanations
  return local_input(net, in, r, RTN_UNREACHABLE, err, 0, dst, t);
}

// fib_select_multipath-lite: a stable hash of the L3 tuple over the weights (the kernel keys its
// hash with a random seed, so which nexthop a flow takes is not predictable from the config).
static int fib_select_path(const FibAlias& fa, const RouteInputKey& key) {
  if (fa.nhs.size() <= 1) return 0;
  uint32_t total = 0;
  for (auto& n : fa.nhs) if (!n.dead) total += n.weight;
  if (!total) return 0;
  uint32_t h = (key.saddr.v * 2654435761u) ^ (key.daddr.v * 2246822519u);
  h %= total;
  for (size_t i = 0; i < fa.nhs.size(); ++i) {
    if (fa.nhs[i].dead) continue;
    if (h < fa.nhs[i].weight) return static_cast<int>(i);
    h -= fa.nhs[i].weight;
  }
  return 0;
}

template <typename T>
static DropReason ip_mkroute_input(const Net& net, const RouteInputKey& key, const NetDevice& in, const FibResult& res, Dst& dst,
                                   Origin& blame, T& t) {
  int nh_i = res.fa->nhs.size() > 1 ? fib_select_path(*res.fa, key) : (res.nh >= 0 ? res.nh : 0);
  const FibNh& nh = res.fa->nhs[static_cast<size_t>(nh_i)];
  const NetDevice* out = net.dev(nh.dev);
  if (!out) return DropReason::NOT_SPECIFIED;
  DropReason reason = DropReason::NOT_DROPPED;
  SkBuffView v{key.mark, key.proto, key.sport, key.dport};
  t.step("__mkroute_input", res.fa->origin, [&] {
    return fmt::format("forwarding route: out via {}{}; validating the source against the out-device", out->name,
                       nh.gw.is_zero() ? "" : fmt::format(" gateway {}", nh.gw));
  });
  t.push();
  int err = fib_validate_source(net, v, key.saddr, key.daddr, key.tos, out->ifindex, in, reason, t);
  t.pop();
  if (err < 0) {
    blame = res.fa->origin;
    return reason;
  }
  dst = Dst{};
  dst.rt_type = res.type;
  dst.input = DstInput::ip_forward;
  dst.dev = out->ifindex;
  dst.table = res.table;
  dst.route = res.fa;
  dst.rule_index = res.rule_index;
  dst.mtu = res.fa->mtu ? res.fa->mtu : out->mtu;
  if (!nh.gw.is_zero() && nh.scope == RT_SCOPE_LINK) dst.gw = nh.gw;
  // do_redirect: back out of the in-dev towards an on-link source
  if (out->ifindex == in.ifindex && err == 1 && net.conf(*out, DevConfKey::send_redirects).value) {
    bool onlink = net.conf(*out, DevConfKey::shared_media).value != 0;
    if (!onlink)
      for (auto& a : out->addrs) if (a.prefix().contains(key.saddr) && (nh.gw.is_zero() || a.prefix().contains(nh.gw))) onlink = true;
    if (onlink) dst.flags |= RTCF_DOREDIRECT;
  }
  t.step("ip_mkroute_input", res.fa->origin, [&] {
    return fmt::format("input route: RTN_UNICAST via {}{}, dst.input = ip_forward{}", out->name,
                       dst.gw.is_zero() ? "" : fmt::format(" gateway {}", dst.gw),
                       dst.flags & RTCF_DOREDIRECT ? " (IPSKB_DOREDIRECT: out-dev == in-dev)" : "");
  }, StepKind::Verdict);
  return DropReason::NOT_DROPPED;
}

template <typename T>
static DropReason ip_route_input_slow(const Net& net, const RouteInputKey& key, const NetDevice& in, Dst& dst, Origin& blame, T& t) {
  const Ipv4Addr s = key.saddr, d = key.daddr;
  // Martian source / destination checks before any lookup (§8.3 steps 2-7).
  if (s.is_multicast() || s.is_lbcast()) {
    t.step("ip_route_input_slow", {}, [&] { return fmt::format("martian source {}: multicast or limited broadcast", s); }, StepKind::Drop);
    return DropReason::IP_INVALID_SOURCE;
  }
  FibResult brd_res;
  bool brd = d.is_lbcast() || (s.is_zero() && d.is_zero());
  if (!brd) {
    if (s.is_zeronet()) {
      t.step("ip_route_input_slow", {}, [&] { return fmt::format("martian source 0.0.0.0 to unicast {}", d); }, StepKind::Drop);
      return DropReason::IP_INVALID_SOURCE;
    }
    if (d.is_zeronet()) {
      t.step("ip_route_input_slow", {}, [&] { return std::string("martian destination 0.0.0.0"); }, StepKind::Drop);
      return DropReason::IP_INVALID_DEST;
    }
    if (d.is_loopback() && !martian_loopback_ok(net, in, DevConfKey::route_localnet)) {
      t.step("ip_route_input_slow", net.conf(in, DevConfKey::route_localnet).origin, [&] {
        return fmt::format("martian destination {}: 127.0.0.0/8 from the outside and route_localnet is off on {}", d, in.name);
      }, StepKind::Drop);
      return DropReason::IP_LOCALNET;
    }
    if (s.is_loopback() && !martian_loopback_ok(net, in, DevConfKey::route_localnet)) {
      t.step("ip_route_input_slow", net.conf(in, DevConfKey::route_localnet).origin, [&] {
        return fmt::format("martian source {}: 127.0.0.0/8 from the outside and route_localnet is off on {}", s, in.name);
      }, StepKind::Drop);
      return DropReason::IP_LOCALNET;
    }
    Flowi4 fl;
    fl.iif = in.ifindex;
    fl.mark = key.mark;
    fl.tos = key.tos & 0xfc;
    fl.daddr = d;
    fl.saddr = s;
    if (net.fib_rules_require_fldissect) { fl.proto = key.proto; fl.sport = key.sport; fl.dport = key.dport; }
    t.step("fib_lookup", {}, [&] {
      return fmt::format("flow: {} -> {} iif {} mark 0x{:x} tos 0x{:02x}{}", s, d, in.name, fl.mark, fl.tos,
                         fl.proto ? fmt::format(" ipproto {} sport {} dport {}", fl.proto, fl.sport, fl.dport) : "");
    });
    t.push();
    FibResult res = fib_lookup(net, fl, t, LookupKind::input);
    t.pop();
    const auto fwd = net.conf(in, DevConfKey::forwarding);
    if (res.err) {
      int err = res.err;
      if (!fwd.value) {
        t.step("ip_route_input_slow", fwd.origin, [&] {
          return fmt::format("lookup failed ({}) and forwarding is off on {}: error becomes -EHOSTUNREACH", errno_name(-err), in.name);
        });
        err = -EHOSTUNREACH;
      }
      if (res.fa) blame = res.fa->origin;
      return no_route(net, in, res, err, dst, t);
    }
    if (res.type == RTN_BROADCAST) {
      if (net.conf(in, DevConfKey::bc_forwarding).value) return ip_mkroute_input(net, key, in, res, dst, blame, t);
      brd = true;
      brd_res = res;
    } else if (res.type == RTN_LOCAL) {
      DropReason reason = DropReason::NOT_DROPPED;
      SkBuffView v{key.mark, key.proto, key.sport, key.dport};
      t.push();
      int r = fib_validate_source(net, v, s, d, key.tos, 0, in, reason, t);
      t.pop();
      if (r < 0) {
        blame = res.fa ? res.fa->origin : Origin{};
        return reason;
      }
      return local_input(net, in, res, RTN_LOCAL, 0, 0, dst, t);
    } else {
      if (!fwd.value) {
        t.step("ip_route_input_slow", fwd.origin, [&] {
          return fmt::format("{} route, but forwarding is off on {} (net.ipv4.conf.{}.forwarding=0): err = -EHOSTUNREACH, no_route",
                             kRtnKernelNames[res.type], in.name, in.name);
        }, StepKind::Verdict);
        if (res.fa) blame = res.fa->origin;
        return no_route(net, in, res, -EHOSTUNREACH, dst, t);
      }
      if (res.type != RTN_UNICAST) {
        t.step("ip_route_input_slow", res.fa ? res.fa->origin : Origin{}, [&] {
          return fmt::format("martian destination {}: route type {} cannot be forwarded", d, kRtnKernelNames[res.type]);
        }, StepKind::Drop);
        if (res.fa) blame = res.fa->origin;
        return DropReason::IP_INVALID_DEST;
      }
      return ip_mkroute_input(net, key, in, res, dst, blame, t);
    }
  }
  // brd_input
  if (!s.is_zeronet()) {
    DropReason reason = DropReason::NOT_DROPPED;
    SkBuffView v{key.mark, key.proto, key.sport, key.dport};
    t.push();
    int r = fib_validate_source(net, v, s, Ipv4Addr{}, key.tos, 0, in, reason, t);
    t.pop();
    if (r < 0) return reason;
  }
  t.step("ip_route_input_slow", brd_res.fa ? brd_res.fa->origin : Origin{}, [&] {
    return fmt::format("{} is a broadcast address: brd_input", d);
  });
  return local_input(net, in, brd_res, RTN_BROADCAST, 0, RTCF_BROADCAST, dst, t);
}

template <typename T>
static DropReason ip_route_input_mc(const Net& net, const RouteInputKey& key, const NetDevice& in, Dst& dst, T& t) {
  const Ipv4Addr s = key.saddr, d = key.daddr;
  // Every IPv4 device is a member of 224.0.0.1 (all hosts); kpath models no other joins.
  const bool our = d == Ipv4Addr{0xe0000001u} && in.up;
  if (!our && !(net.conf(in, DevConfKey::mc_forwarding).value && !d.is_local_multicast())) {
    t.step("ip_route_input_rcu", {}, [&] { return fmt::format("multicast {}: group not joined on {} and no multicast forwarding", d, in.name); }, StepKind::Drop);
    return DropReason::NOT_SPECIFIED;
  }
  if (s.is_multicast() || s.is_lbcast()) return DropReason::IP_INVALID_SOURCE;
  if (s.is_loopback() && !net.conf(in, DevConfKey::route_localnet).value) return DropReason::IP_LOCALNET;
  if (s.is_zeronet()) {
    if (!d.is_local_multicast() && key.proto != 2) return DropReason::IP_INVALID_SOURCE;
  } else {
    DropReason reason = DropReason::NOT_DROPPED;
    SkBuffView v{key.mark, key.proto, key.sport, key.dport};
    if (fib_validate_source(net, v, s, Ipv4Addr{}, key.tos, 0, in, reason, t) < 0) return reason;
  }
  dst = Dst{};
  dst.rt_type = RTN_MULTICAST;
  dst.dev = LOOPBACK_IFINDEX;
  dst.flags = RTCF_MULTICAST | (our ? RTCF_LOCAL : 0);
  dst.input = DstInput::ip_local_deliver;
  t.step("ip_route_input_mc", {}, [&] { return fmt::format("multicast {} for us: dst.input = ip_local_deliver", d); }, StepKind::Verdict);
  return DropReason::NOT_DROPPED;
}

template <typename T>
DropReason ip_route_input_noref(const Net& net, const RouteInputKey& key, Dst& dst, Origin& blame, T& t) {
  const NetDevice* in = net.dev(key.iif);
  if (!in) return DropReason::NOT_SPECIFIED;
  if (key.daddr.is_multicast()) return ip_route_input_mc(net, key, *in, dst, t);
  return ip_route_input_slow(net, key, *in, dst, blame, t);
}

// ip_route_output_key_hash_rcu + __mkroute_output, for what the host itself sends.
template <typename T>
int ip_route_output_key(const Net& net, Flowi4& fl, Dst& dst, bool anysrc, T& t) {
  const NetDevice* dev_out = fl.oif ? net.dev(fl.oif) : nullptr;
  if (fl.oif && !dev_out) return -ENODEV;
  dst = Dst{};
  auto make_special = [&](const NetDevice& d) {
    // __mkroute_output: limited broadcast and multicast get no gateway and no fib_info
    dst.dev = d.ifindex;
    if (fl.daddr.is_lbcast()) { dst.rt_type = RTN_BROADCAST; dst.flags = RTCF_BROADCAST | RTCF_LOCAL; }
    else { dst.rt_type = RTN_MULTICAST; dst.flags = RTCF_MULTICAST | (fl.daddr == Ipv4Addr{0xe0000001u} ? RTCF_LOCAL : 0); }
    if (fl.saddr.is_zero()) fl.saddr = inet_select_addr(net, d, Ipv4Addr{});
    return 0;
  };
  if (!fl.saddr.is_zero()) {
    if (fl.saddr.is_multicast() || fl.saddr.is_lbcast()) return -EINVAL;
    if (!fl.oif && (fl.daddr.is_multicast() || fl.daddr.is_lbcast())) {
      // the device comes from the source address (__ip_dev_find), no FIB lookup
      for (auto& d : net.devices)
        for (auto& a : d.addrs)
          if (a.local == fl.saddr) return make_special(d);
      return -ENETUNREACH;
    }
    if (!anysrc && !net.addr_is_configured(fl.saddr)) {
      t.step("ip_route_output_key", {}, [&] {
        return fmt::format("source {} is not a local address (and the socket is not transparent): -ENETUNREACH", fl.saddr);
      }, StepKind::Drop);
      return -ENETUNREACH;
    }
  }
  if (dev_out && (fl.daddr.is_local_multicast() || fl.daddr.is_lbcast())) return make_special(*dev_out);
  fl.iif = LOOPBACK_IFINDEX;
  t.push();
  FibResult res = fib_lookup(net, fl, t, LookupKind::output);
  t.pop();
  if (res.err) {
    if (dev_out) {  // "routing tables are wrong": assume the destination is on link
      dst.rt_type = RTN_UNICAST;
      dst.dev = dev_out->ifindex;
      if (fl.saddr.is_zero()) fl.saddr = inet_select_addr(net, *dev_out, fl.daddr);
      return 0;
    }
    return res.err == -EAGAIN ? -ENETUNREACH : res.err;
  }
  dst.rt_type = res.type;
  dst.table = res.table;
  dst.route = res.fa;
  dst.rule_index = res.rule_index;
  if (res.type == RTN_LOCAL) {
    dst.dev = LOOPBACK_IFINDEX;
    dst.input = DstInput::ip_local_deliver;
    dst.flags = RTCF_LOCAL;
    if (fl.saddr.is_zero()) fl.saddr = res.fa && !res.fa->prefsrc.is_zero() ? res.fa->prefsrc : fl.daddr;
    return 0;
  }
  if (!res.fa || res.nh < 0) return -ENETUNREACH;
  const FibNh& nh = res.fa->nhs[static_cast<size_t>(res.nh)];
  if (fl.daddr.is_lbcast() || fl.daddr.is_multicast()) {
    const NetDevice* d = net.dev(nh.dev);
    if (!d) return -ENETUNREACH;
    if (fl.saddr.is_zero() && !res.fa->prefsrc.is_zero()) fl.saddr = res.fa->prefsrc;
    int r = make_special(*d);
    dst.table = res.table;
    return r;
  }
  dst.dev = nh.dev;
  dst.gw = nh.gw;
  if (res.type == RTN_BROADCAST) {  // __mkroute_output: a broadcast route is local, without gateway
    dst.flags |= RTCF_BROADCAST | RTCF_LOCAL;
    dst.gw = Ipv4Addr{};
  }
  if (fl.saddr.is_zero()) {
    if (!res.fa->prefsrc.is_zero()) fl.saddr = res.fa->prefsrc;
    else if (const NetDevice* od = net.dev(nh.dev)) fl.saddr = inet_select_addr(net, *od, nh.gw.is_zero() ? fl.daddr : nh.gw);
  }
  return 0;
}

#define X(T)                                                                                              \
  template DropReason ip_route_input_noref<T>(const Net&, const RouteInputKey&, Dst&, Origin&, T&);      \
  template int ip_route_output_key<T>(const Net&, Flowi4&, Dst&, bool, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

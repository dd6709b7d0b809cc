// fib_validate_source / __fib_validate_source and inet_addr_type (net/ipv4/fib_frontend.c).
#include <fmt/format.h>
#include "models/fib/fib_frontend.hpp"
#include "models/instantiate.hpp"

namespace kpath::kernel {

std::string errno_name(int err) {
  switch (err) {
    case 0: return "0";
    case EHOSTUNREACH: return "-EHOSTUNREACH";
    case ENETUNREACH: return "-ENETUNREACH";
    case EACCES: return "-EACCES";
    case EINVAL: return "-EINVAL";
    case EAGAIN: return "-EAGAIN";
    case EXDEV: return "-EXDEV";
    case ESRCH: return "-ESRCH";
  }
  return fmt::format("-{}", err);
}

std::string fib_table_name(uint32_t id) {
  switch (id) {
    case RT_TABLE_LOCAL: return "local";
    case RT_TABLE_MAIN: return "main";
    case RT_TABLE_DEFAULT: return "default";
  }
  return std::to_string(id);
}

static std::string_view devname_cb(const void* ctx, int ifindex) { return static_cast<const Net*>(ctx)->dev_name(ifindex); }

std::string fib_route_to_string(const Net& net, const FibAlias& fa, bool with_table) {
  return fib_alias_to_string(fa, devname_cb, &net, with_table);
}

// ip/iprule.c print_rule, after "PREF:\t"
std::string fib_rule_to_string(const Net& net, const FibRule& r) {
  std::string s;
  if (r.invert) s += "not ";
  s += r.has_src && r.src.len ? fmt::format("from {} ", r.src.len == 32 ? to_string(r.src.addr) : to_string(r.src)) : "from all ";
  if (r.has_dst && r.dst.len) s += fmt::format("to {} ", r.dst.len == 32 ? to_string(r.dst.addr) : to_string(r.dst));
  if (r.tos) s += fmt::format("tos 0x{:02x} ", r.tos);
  if (r.dscp) s += fmt::format("dscp {} ", *r.dscp);
  if (r.mark_mask) {
    s += r.mark_mask == 0xffffffffu ? fmt::format("fwmark 0x{:x} ", r.mark) : fmt::format("fwmark 0x{:x}/0x{:x} ", r.mark, r.mark_mask);
  }
  if (!r.iifname.empty()) s += fmt::format("iif {} {}", r.iifname, r.iif < 0 ? "[detached] " : "");
  if (!r.oifname.empty()) s += fmt::format("oif {} {}", r.oifname, r.oif < 0 ? "[detached] " : "");
  if (r.l3mdev) s += "lookup [l3mdev-table] ";
  if (r.has_uidrange) s += fmt::format("uidrange {}-{} ", r.uid_start, r.uid_end);
  if (r.ipproto) s += fmt::format("ipproto {} ", r.ipproto == 6 ? "tcp" : r.ipproto == 17 ? "udp" : r.ipproto == 1 ? "icmp" : std::to_string(r.ipproto));
  if (r.sport.set()) s += r.sport.start == r.sport.end ? fmt::format("sport {} ", r.sport.start) : fmt::format("sport {}-{} ", r.sport.start, r.sport.end);
  if (r.dport.set()) s += r.dport.start == r.dport.end ? fmt::format("dport {} ", r.dport.start) : fmt::format("dport {}-{} ", r.dport.start, r.dport.end);
  switch (r.action) {
    case FR_ACT_TO_TBL: s += fmt::format("lookup {} ", fib_table_name(r.table)); break;
    case FR_ACT_GOTO: s += fmt::format("goto {}{} ", r.goto_pref, r.goto_index < 0 ? " [unresolved]" : ""); break;
    case FR_ACT_NOP: s += "nop "; break;
    case FR_ACT_BLACKHOLE: s += "blackhole "; break;
    case FR_ACT_UNREACHABLE: s += "unreachable "; break;
    case FR_ACT_PROHIBIT: s += "prohibit "; break;
    default: break;
  }
  if (r.suppress_prefixlen >= 0) s += fmt::format("suppress_prefixlength {} ", r.suppress_prefixlen);
  if (r.suppress_ifgroup >= 0) s += fmt::format("suppress_ifgroup {} ", r.suppress_ifgroup);
  if (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

RtnType inet_addr_type(const Net& net, Ipv4Addr a) {
  if (a.is_zeronet() || a.is_lbcast()) return RTN_BROADCAST;
  if (a.is_multicast()) return RTN_MULTICAST;
  const FibTable* local = net.fib_has_custom_rules ? net.table(RT_TABLE_LOCAL) : &net.merged_main;
  if (!local) return RTN_UNICAST;
  Flowi4 fl;
  fl.daddr = a;
  FibResult r = local->lookup(fl, [](int) { return false; });
  if (r.err == 0 && r.fa && (net.fib_has_custom_rules || r.fa->table == RT_TABLE_LOCAL)) return r.type;
  return RTN_UNICAST;
}

template <typename T>
static int fib_validate_source_full(const Net& net, const SkBuffView& v, Ipv4Addr src, Ipv4Addr dst, uint8_t tos, int oif,
                                    const NetDevice& in_dev, int rpf, bool accept_local, bool src_valid_mark,
                                    DropReason& reason, T& t) {
  // __fib_validate_source: reverse flow (daddr = packet saddr) from oif or loopback
  Flowi4 fl;
  fl.iif = oif ? oif : LOOPBACK_IFINDEX;
  fl.daddr = src;
  fl.saddr = dst;
  fl.tos = tos;
  fl.mark = src_valid_mark ? v.mark : 0;
  if (net.fib_rules_require_fldissect) {  // ports swapped for the reverse direction
    fl.proto = v.proto;
    fl.sport = v.dport;
    fl.dport = v.sport;
  }
  t.step("__fib_validate_source", {}, [&] {
    return fmt::format("reverse lookup of source {} (iif {}, mark 0x{:x}{}), rp_filter={}", src, net.dev_name(fl.iif), fl.mark,
                       src_valid_mark ? ", src_valid_mark=1" : "", rpf);
  });
  t.push();
  FibResult res = fib_lookup(net, fl, t, LookupKind::reverse);
  t.pop();
  bool last_resort = false;
  if (res.err) {
    last_resort = true;
  } else {
    if (res.type != RTN_UNICAST) {
      if (res.type != RTN_LOCAL || !accept_local) {
        reason = res.type == RTN_LOCAL ? DropReason::IP_LOCAL_SOURCE : DropReason::IP_INVALID_SOURCE;
        t.step("__fib_validate_source", res.fa ? res.fa->origin : Origin{}, [&] {
          return res.type == RTN_LOCAL ? fmt::format("source {} routes back as a local address and accept_local is off: martian source", src)
                                       : fmt::format("source {} routes back as {}: martian source", src, kRtnKernelNames[res.type]);
        }, StepKind::Drop);
        return -1;
      }
    }
    bool dev_match = false;
    int nh_scope_host = 0;
    if (res.fa) {
      for (auto& nh : res.fa->nhs)
        if (nh.dev == in_dev.ifindex) { dev_match = true; nh_scope_host = nh.scope >= RT_SCOPE_HOST; break; }
      if (res.type == RTN_LOCAL && in_dev.is_loopback()) dev_match = true;
    }
    if (dev_match) {
      t.step("__fib_validate_source", res.fa ? res.fa->origin : Origin{}, [&] {
        return fmt::format("reverse route uses the in-device {}: source valid", in_dev.name);
      });
      return nh_scope_host;
    }
    if (in_dev.addrs.empty()) last_resort = true;
    else if (rpf == 1) {
      reason = DropReason::IP_RPFILTER;
      t.step("__fib_validate_source", res.fa ? res.fa->origin : Origin{}, [&] {
        return fmt::format("strict rp_filter: the route back to {} leaves by {}, not by the in-device {}", src,
                           res.fa && res.nh >= 0 ? std::string(net.dev_name(res.fa->nhs[static_cast<size_t>(res.nh)].dev)) : "?", in_dev.name);
      }, StepKind::Drop);
      return -1;
    } else {
      t.step("__fib_validate_source", {}, [&] { return fmt::format("rp_filter {}: some route back to {} exists: source valid", rpf, src); });
      return 0;
    }
  }
  if (last_resort) {
    if (rpf) {
      reason = DropReason::IP_RPFILTER;
      t.step("__fib_validate_source", {}, [&] { return fmt::format("no usable route back to {} and rp_filter={}: reverse path check fails", src, rpf); }, StepKind::Drop);
      return -1;
    }
    t.step("__fib_validate_source", {}, [&] { return fmt::format("no route back to {}, but rp_filter is off: accepted", src); });
  }
  return 0;
}

template <typename T>
int fib_validate_source(const Net& net, const SkBuffView& v, Ipv4Addr src, Ipv4Addr dst, uint8_t tos, int oif,
                        const NetDevice& in_dev, DropReason& reason, T& t) {
  const auto rpf_c = net.conf(in_dev, DevConfKey::rp_filter);
  const int rpf = rpf_c.value;
  const bool accept_local = net.conf(in_dev, DevConfKey::accept_local).value;
  const bool src_valid_mark = net.conf(in_dev, DevConfKey::src_valid_mark).value;
  const bool send_redirects = net.conf(in_dev, DevConfKey::send_redirects).value;
  // Fast path: rp_filter off and (not forwarding back out the in-dev or no redirects)
  if (!rpf && (in_dev.ifindex != oif || !send_redirects)) {
    if (accept_local) {
      t.step("fib_validate_source", {}, [&] { return std::string("rp_filter off, accept_local on: source accepted"); });
      return 0;
    }
    if (net.fib_has_custom_local_routes || net.fib_has_custom_rules) {
      t.step("fib_validate_source", {}, [&] {
        return fmt::format("rp_filter off, but {} force the full check (fib_has_custom_rules / fib_has_custom_local_routes)", net.fib_has_custom_rules ? "the custom ip rules" : "custom local routes");
      });
      return fib_validate_source_full(net, v, src, dst, tos, oif, in_dev, 0, accept_local, src_valid_mark, reason, t);
    }
    if (net.addr_is_configured(src)) {
      reason = DropReason::IP_LOCAL_SOURCE;
      t.step("fib_validate_source", {}, [&] { return fmt::format("source {} is one of our own addresses and accept_local is off: martian source", src); }, StepKind::Drop);
      return -1;
    }
    t.step("fib_validate_source", {}, [&] { return std::string("rp_filter off: source accepted (fast path)"); });
    return 0;
  }
  return fib_validate_source_full(net, v, src, dst, tos, oif, in_dev, rpf, accept_local, src_valid_mark, reason, t);
}

#define X(T) template int fib_validate_source<T>(const Net&, const SkBuffView&, Ipv4Addr, Ipv4Addr, uint8_t, int, const NetDevice&, DropReason&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

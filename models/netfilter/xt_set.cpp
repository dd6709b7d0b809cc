// xt_set's match (net/netfilter/xt_set.c set_match_v4 -> match_set) and ip_set_test
// (net/netfilter/ipset/ip_set_core.c) with the kadt functions of the modelled set types.
#include <fmt/format.h>
#include "models/instantiate.hpp"
#include "models/netfilter/xt_ext.hpp"
#include "models/sock.hpp"

namespace kpath::kernel {

namespace {

constexpr uint8_t IPPROTO_SCTP_ = 132, IPPROTO_UDPLITE_ = 136;

std::string_view proto_name(uint8_t p) {
  switch (p) {
    case IPPROTO_ICMP_: return "icmp";
    case IPPROTO_TCP_: return "tcp";
    case IPPROTO_UDP_: return "udp";
    case IPPROTO_SCTP_: return "sctp";
    case IPPROTO_UDPLITE_: return "udplite";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    default: return {};
  }
}

// ip_set_get_ip4_port + get_port (ip_set_getport.c): the port of dimension `src`, the protocol;
// false when a TCP/UDP/SCTP/UDPLITE/ICMP fragment has no header to read.
bool ip_set_get_ip4_port(const Packet& p, bool src, uint16_t& port, uint8_t& proto) {
  if (p.protocol == 0) return false;
  const bool l4 = p.protocol == IPPROTO_TCP_ || p.protocol == IPPROTO_UDP_ || p.protocol == IPPROTO_SCTP_ ||
                  p.protocol == IPPROTO_UDPLITE_ || p.protocol == IPPROTO_ICMP_;
  if ((p.frag_off & IP_OFFSET) && l4) return false;
  port = 0;
  if (p.protocol == IPPROTO_ICMP_) port = static_cast<uint16_t>(p.icmp_type << 8 | p.icmp_code);
  else if (l4) port = src ? p.sport : p.dport;
  proto = p.protocol;
  return true;
}

}  // namespace

std::string ip_set_elem_string(const IpSet& set, const IpSetElem& e) {
  switch (set.type) {
    case IpSetType::hash_net: return fmt::format("{}/{}{}", e.ip, e.cidr, e.nomatch ? " nomatch" : "");
    case IpSetType::hash_ip_port: {
      const std::string_view pn = proto_name(e.proto);
      const std::string proto = pn.empty() ? std::to_string(e.proto) : std::string(pn);
      if (e.proto == IPPROTO_ICMP_) return fmt::format("{},icmp:{}/{}", e.ip, e.port >> 8, e.port & 0xff);
      return fmt::format("{},{}:{}", e.ip, proto, e.port);
    }
    case IpSetType::bitmap_port: return std::to_string(e.port);
    default: return fmt::format("{}", e.ip);
  }
}

IpSetTestResult ip_set_test(const IpSet& set, const Packet& p, uint8_t dim, uint8_t flags, bool return_nomatch) {
  IpSetTestResult r;
  const IpSetTypeInfo* info = set.info();
  if (!info) {
    r.why = "the set's type is not modelled";
    return r;
  }
  // ip_set_test: the match must give at least the set's dimensions; the family must fit.
  if (dim < info->dimension) {
    r.why = "the match gives fewer src/dst directions than the set's dimension";
    return r;
  }
  if (set.family == IpSetFamily::inet6) {
    r.why = "an IPv6 set never matches an IPv4 packet";
    return r;
  }
  const bool one_src = flags & (1 << 1), two_src = flags & (1 << 2);
  IpSetElem& key = r.key;
  switch (set.type) {
    case IpSetType::hash_ip:  // hash_ip4_kadt: a zero address after the netmask is -EINVAL
      key.ip = one_src ? p.saddr : p.daddr;
      key.ip.v &= inet_make_mask(set.netmask);
      if (key.ip.is_zero()) {
        r.kadt = -2;
        r.why = "a zero address cannot be in a hash set (-EINVAL)";
        return r;
      }
      break;
    case IpSetType::hash_net:  // hash_net4_kadt: IPSET_TEST of a host tries every prefix length
      key.ip = one_src ? p.saddr : p.daddr;
      break;
    case IpSetType::hash_ip_port:  // hash_ipport4_kadt
      if (!ip_set_get_ip4_port(p, two_src, key.port, key.proto)) {
        r.kadt = -2;
        r.why = "a non-first fragment has no port to test (-EINVAL)";
        return r;
      }
      key.ip = one_src ? p.saddr : p.daddr;
      break;
    case IpSetType::bitmap_port: {  // bitmap_port_kadt: ip_set_get_ip_port accepts TCP and UDP only
      uint8_t proto = 0;
      if (!ip_set_get_ip4_port(p, one_src, key.port, proto) || (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)) {
        r.kadt = -2;
        r.why = "bitmap:port tests TCP and UDP ports only (-EINVAL)";
        return r;
      }
      if (key.port < set.first_port || key.port > set.last_port) {
        r.kadt = -2;
        r.why = "the port is outside the set's range (-IPSET_ERR_BITMAP_RANGE)";
        return r;
      }
      break;
    }
    default: break;
  }
  r.kadt = set.lookup(key, &r.found);
  int ret = r.kadt;  // -1 stands for -ENOTEMPTY
  // --return-nomatch: invert the matched element (ip_set_test)
  if (return_nomatch && info->nomatch && ret != 0) ret = -ret;
  r.ret = ret < 0 ? 0 : ret;
  return r;
}

template <typename T>
bool set_match_v4(const SkBuff& skb, const XtSetMatch& info, Origin origin, std::string& why, T& t) {
  const XtSetInfo& ms = info.match_set;
  if (!ms.set) {  // only when a model was built without binding the rule to its set
    why = fmt::format("set {} is not bound to this rule", ms.name);
    return false;
  }
  const IpSet& set = *ms.set;
  const IpSetTestResult r = ip_set_test(set, skb.pkt, ms.dim, ms.flags, info.return_nomatch);
  const bool ok = (r.ret > 0) != info.invert;  // match_set: the test result, inverted by `!`
  auto dirs = [&] {
    std::string s;
    for (int i = 1; i <= ms.dim; ++i) s += fmt::format("{}{}", i == 1 ? "" : ",", (ms.flags & (1 << i)) ? "src" : "dst");
    return s;
  };
  auto what = [&]() -> std::string {
    // the packet's element: an address for hash:net (it is tested against every prefix length)
    const std::string key = r.kadt == -2 || r.why ? std::string()
                            : set.type == IpSetType::hash_net ? fmt::format("{}", r.key.ip) : ip_set_elem_string(set, r.key);
    std::string s = fmt::format("{}{} ({} {}, {} entries) tested with {}", info.invert ? "! " : "", set.name, set.type_name,
                                set.family == IpSetFamily::inet6 ? "inet6" : "inet", set.size(), dirs());
    if (r.why) return s + fmt::format(": {}", r.why);
    if (r.kadt > 0) s += fmt::format(": {} is in the set (entry {})", key, ip_set_elem_string(set, r.found));
    else if (r.kadt < 0) s += fmt::format(": {} falls in the nomatch entry {}/{} (not a member)", key, r.found.ip, r.found.cidr);
    else s += fmt::format(": {} is not in the set", key);
    if (info.return_nomatch && set.info()->nomatch && r.kadt != 0) s += " (--return-nomatch inverts the entry)";
    return s;
  };
  if (!ok) {
    why = "set " + what();
    return false;
  }
  t.step("set_match_v4", origin, [&] { return "set " + what() + ": matched"; });
  return true;
}

#define X(T) template bool set_match_v4<T>(const SkBuff&, const XtSetMatch&, Origin, std::string&, T&);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

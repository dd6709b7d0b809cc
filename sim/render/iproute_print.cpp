// `ip route get`: iproute2's iproute_get and print_route (ip/iproute.c, iproute2 6.1) around the
// kernel's inet_rtm_getroute / rt_fill_info / fib_dump_info (net/ipv4/route.c, fib_semantics.c).
// See iproute_print.hpp for the flow; kernel-path.md §20 for the kernel side.
#include "sim/render/iproute_print.hpp"
#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <fmt/format.h>
#include "models/route.hpp"
#include "models/trace.hpp"
#include "sim/config/ip/ip_common.hpp"

namespace kpath {

using kernel::Ipv4Addr;

namespace {

// ---- lib/rt_names.c: numbers to names (Debian's /etc/iproute2 files, iproute2 6.1) ----

struct IdName { uint32_t id; std::string_view name; };
constexpr IdName kRtProtos[] = {
    {0, "unspec"}, {1, "redirect"}, {2, "kernel"}, {3, "boot"}, {4, "static"}, {8, "gated"}, {9, "ra"}, {10, "mrt"},
    {11, "zebra"}, {12, "bird"}, {13, "dnrouted"}, {14, "xorp"}, {15, "ntk"}, {16, "dhcp"}, {18, "keepalived"},
    {42, "babel"}, {99, "openr"}, {186, "bgp"}, {187, "isis"}, {188, "ospf"}, {189, "rip"}, {192, "eigrp"}};
constexpr IdName kRtScopes[] = {{0, "global"}, {200, "site"}, {253, "link"}, {254, "host"}, {255, "nowhere"}};
// /etc/iproute2/rt_dsfield (0x0 "default" is never printed: tos 0 is omitted)
constexpr IdName kDsfields[] = {
    {0x28, "AF11"}, {0x30, "AF12"}, {0x38, "AF13"}, {0x48, "AF21"}, {0x50, "AF22"}, {0x58, "AF23"}, {0x68, "AF31"},
    {0x70, "AF32"}, {0x78, "AF33"}, {0x88, "AF41"}, {0x90, "AF42"}, {0x98, "AF43"}, {0x20, "CS1"}, {0x40, "CS2"},
    {0x60, "CS3"}, {0x80, "CS4"}, {0xA0, "CS5"}, {0xC0, "CS6"}, {0xE0, "CS7"}, {0xB8, "EF"}};

template <size_t N>
std::string id_name(const IdName (&tab)[N], uint32_t id) {
  for (auto& e : tab)
    if (e.id == id) return std::string(e.name);
  return std::to_string(id);
}
std::string rtnl_rtprot_n2a(uint32_t id) { return id_name(kRtProtos, id); }
std::string rtnl_rtscope_n2a(uint32_t id) { return id_name(kRtScopes, id); }
std::string rtnl_dsfield_n2a(uint32_t id) {
  for (auto& e : kDsfields)
    if (e.id == id) return std::string(e.name);
  return fmt::format("0x{:02x}", id);
}
std::string rtnl_rttable_n2a(uint32_t id, const RtTableNames* names) {
  if (names) {
    for (auto& [n, v] : *names)
      if (v == id) return n;
    return std::to_string(id);
  }
  return kernel::fib_table_name(id);
}
// lib/rt_names.c rtnl_rtntype_n2a
std::string rtnl_rtntype_n2a(uint8_t t) {
  return t <= kernel::RTN_MAX ? std::string(kernel::kRtnNames[t]) : std::to_string(t);
}

// ---- include/json_print.h: one call prints text, JSON, or both ----

enum PrintMode { PRINT_FP = 1, PRINT_JSON = 2, PRINT_ANY = 3 };

// json_writer.c in compact form: iproute2's -j output has no spaces.
class JsonPrint {
 public:
  explicit JsonPrint(bool json) : json_(json) {}
  bool is_json_context() const { return json_; }

  void open_json_object(const char* key = nullptr) {
    if (!json_) return;
    name(key);
    out_ += '{';
    first_.push_back(true);
  }
  void close_json_object() {
    if (!json_) return;
    out_ += '}';
    first_.pop_back();
  }
  void open_json_array(PrintMode m, const char* key) {
    if (!json_ || !(m & PRINT_JSON)) return;
    name(key);
    out_ += '[';
    first_.push_back(true);
  }
  void close_json_array(PrintMode m) {
    if (!json_ || !(m & PRINT_JSON)) return;
    out_ += ']';
    first_.pop_back();
  }
  // `text` is the whole text-mode output of the call (iproute2's format already applied).
  void print_string(PrintMode m, const char* key, std::string_view text, std::string_view value) {
    if (json_) {
      if (!(m & PRINT_JSON)) return;
      name(key);
      quoted(value);
    } else if (m & PRINT_FP) {
      out_ += text;
    }
  }
  void print_uint(PrintMode m, const char* key, std::string_view text, uint64_t value) {
    if (json_) {
      if (!(m & PRINT_JSON)) return;
      name(key);
      out_ += std::to_string(value);
    } else if (m & PRINT_FP) {
      out_ += text;
    }
  }
  void print_fp(std::string_view text) {
    if (!json_) out_ += text;
  }
  std::string take() { return std::move(out_); }

 private:
  void name(const char* key) {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
    if (key) {
      quoted(key);
      out_ += ':';
    }
  }
  // jsonw_puts
  void quoted(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      switch (c) {
        case '\t': out_ += "\\t"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\f': out_ += "\\f"; break;
        case '\b': out_ += "\\b"; break;
        case '\\': out_ += "\\\\"; break;
        case '"': out_ += "\\\""; break;
        default: out_ += c;
      }
    }
    out_ += '"';
  }
  bool json_;
  std::string out_;
  std::vector<bool> first_;
};

std::string devname(const kernel::Net& net, int ifindex) {
  const kernel::NetDevice* d = net.dev(ifindex);
  return d ? d->name : fmt::format("if{}", ifindex);
}

// ip/iproute.c print_rt_flags
void print_rt_flags(JsonPrint& p, uint32_t flags) {
  p.open_json_array(PRINT_JSON, "flags");
  constexpr std::pair<uint32_t, std::string_view> kFlags[] = {
      {RTNH_F_DEAD, "dead"}, {RTNH_F_ONLINK, "onlink"}, {RTNH_F_PERVASIVE, "pervasive"}, {RTNH_F_OFFLOAD, "offload"},
      {RTNH_F_TRAP, "trap"}, {RTM_F_NOTIFY, "notify"}, {RTNH_F_LINKDOWN, "linkdown"}, {RTNH_F_UNRESOLVED, "unresolved"},
      {RTM_F_OFFLOAD, "rt_offload"}, {RTM_F_TRAP, "rt_trap"}, {RTM_F_OFFLOAD_FAILED, "rt_offload_failed"}};
  // RTM_F_OFFLOAD_FAILED shares its bit with RTCF_MULTICAST, so a cached multicast route prints
  // "rt_offload_failed" (observed on 6.18 with iproute2 6.1).
  for (auto& [bit, nm] : kFlags)
    if (flags & bit) p.print_string(PRINT_ANY, nullptr, fmt::format("{} ", nm), nm);
  p.close_json_array(PRINT_JSON);
}

// ip/iproute.c print_cache_flags (the JSON side writes through the json_writer directly)
void print_cache_flags(JsonPrint& p, uint32_t flags, const char* sl) {
  flags &= ~0xFFFFu;
  if (p.is_json_context()) {
    p.open_json_array(PRINT_JSON, "cache");
  } else {
    p.print_fp(fmt::format("{}    cache ", sl));
    if (flags == 0) return;
    p.print_fp("<");
  }
  constexpr std::pair<uint32_t, std::string_view> kCacheFlags[] = {
      {RTCF_LOCAL, "local"}, {RTCF_REJECT, "reject"}, {RTCF_MULTICAST, "mc"}, {RTCF_BROADCAST, "brd"},
      {RTCF_DNAT, "dst-nat"}, {RTCF_SNAT, "src-nat"}, {RTCF_MASQ, "masq"}, {RTCF_DIRECTDST, "dst-direct"},
      {RTCF_DIRECTSRC, "src-direct"}, {RTCF_REDIRECTED, "redirected"}, {RTCF_DOREDIRECT, "redirect"},
      {RTCF_FAST, "fastroute"}, {RTCF_NOTIFY, "notify"}, {RTCF_TPROXY, "proxy"}};
  for (auto& [bit, nm] : kCacheFlags) {
    if (!(flags & bit)) continue;
    flags &= ~bit;
    p.print_string(PRINT_JSON, nullptr, "", nm);
    p.print_fp(fmt::format("{}{}", nm, flags ? "," : "> "));
  }
  if (flags) p.print_string(PRINT_ANY, "flags", fmt::format("{:x}> ", flags), fmt::format("{:x}", flags));
  p.close_json_array(PRINT_JSON);
}

}  // namespace

std::string print_route(const kernel::Net& net, const RtmRoute& r, const IpOptions& o, const RtTableNames* names) {
  JsonPrint p(o.json);
  const char* sl = o.oneline ? "\\" : "\n";  // _SL_
  const int host_len = 32;
  p.open_json_object();
  if (r.type != kernel::RTN_UNICAST || o.details > 0) {
    const std::string t = rtnl_rtntype_n2a(r.type);
    p.print_string(PRINT_ANY, "type", t + " ", t);
  }
  std::string dst;
  if (r.dst) dst = r.dst_len != host_len ? fmt::format("{}/{}", *r.dst, r.dst_len) : fmt::format("{}", *r.dst);
  else if (r.dst_len) dst = fmt::format("0/{} ", r.dst_len);
  else dst = "default";
  p.print_string(PRINT_ANY, "dst", dst + " ", dst);
  if (r.src) {
    const std::string s = fmt::format("{}", *r.src);
    p.print_string(PRINT_ANY, "from", fmt::format("from {} ", s), s);
  }
  if (r.tos) {
    const std::string t = rtnl_dsfield_n2a(r.tos);
    p.print_string(PRINT_ANY, "tos", fmt::format("tos {} ", t), t);
  }
  if (r.gateway) {  // print_rta_gateway
    const std::string g = fmt::format("{}", *r.gateway);
    p.print_string(PRINT_ANY, "gateway", fmt::format("via {} ", g), g);
  }
  if (r.oif) {  // print_rta_if
    const std::string d = devname(net, r.oif);
    p.print_string(PRINT_ANY, "dev", fmt::format("dev {} ", d), d);
  }
  if (r.table && (r.table != kernel::RT_TABLE_MAIN || o.details > 0)) {
    const std::string t = rtnl_rttable_n2a(r.table, names);
    p.print_string(PRINT_ANY, "table", fmt::format("table {} ", t), t);
  }
  if (!r.cloned()) {
    if (r.protocol != kernel::RTPROT_BOOT || o.details > 0) {
      const std::string s = rtnl_rtprot_n2a(r.protocol);
      p.print_string(PRINT_ANY, "protocol", fmt::format("proto {} ", s), s);
    }
    if (r.scope != kernel::RT_SCOPE_UNIVERSE || o.details > 0) {
      const std::string s = rtnl_rtscope_n2a(r.scope);
      p.print_string(PRINT_ANY, "scope", fmt::format("scope {} ", s), s);
    }
  }
  if (r.prefsrc) {
    const std::string s = fmt::format("{}", *r.prefsrc);
    p.print_string(PRINT_ANY, "prefsrc", fmt::format("src {} ", s), s);
  }
  if (r.priority) p.print_uint(PRINT_ANY, "metric", fmt::format("metric {} ", *r.priority), *r.priority);
  print_rt_flags(p, r.flags);
  if (r.mark && *r.mark) {
    // JSON: the number; text: decimal below 16, else 0x hex
    p.print_uint(PRINT_JSON, "mark", "", *r.mark);
    p.print_fp(*r.mark >= 16 ? fmt::format("mark 0x{:x} ", *r.mark) : fmt::format("mark {} ", *r.mark));
  }
  if (r.uid) p.print_uint(PRINT_ANY, "uid", fmt::format("uid {} ", *r.uid), *r.uid);
  if (r.cloned()) print_cache_flags(p, r.flags, sl);
  if (r.mtu) {  // print_rta_metrics
    p.open_json_array(PRINT_JSON, "metrics");
    p.open_json_object();
    p.print_fp("mtu ");
    p.print_uint(PRINT_ANY, "mtu", fmt::format("{} ", r.mtu), r.mtu);
    p.close_json_object();
    p.close_json_array(PRINT_JSON);
  }
  if (r.iif) {
    const std::string d = devname(net, r.iif);
    p.print_string(PRINT_ANY, "iif", fmt::format("iif {} ", d), d);
  }
  if (!r.multipath.empty()) {  // print_rta_multipath
    p.open_json_array(PRINT_JSON, "nexthops");
    for (const auto& nh : r.multipath) {
      p.open_json_object();
      p.print_fp(fmt::format("{}\tnexthop ", sl));
      if (!nh.gw.is_zero()) {
        const std::string g = fmt::format("{}", nh.gw);
        p.print_string(PRINT_ANY, "gateway", fmt::format("via {} ", g), g);
      }
      const std::string d = devname(net, nh.dev);
      p.print_string(PRINT_ANY, "dev", fmt::format("dev {} ", d), d);
      p.print_uint(PRINT_ANY, "weight", fmt::format("weight {} ", nh.weight), nh.weight);
      print_rt_flags(p, nh.flags);
      p.close_json_object();
    }
    p.close_json_array(PRINT_JSON);
  }
  p.print_fp("\n");
  p.close_json_object();
  return p.take();
}

namespace {

// net/ipv4/fib_semantics.c fib_nexthop_info: the flags a nexthop reports.
uint32_t fib_nexthop_flags(const kernel::Net& net, const kernel::FibNh& nh) {
  uint32_t f = 0;
  if (nh.dead) f |= RTNH_F_DEAD;
  if (nh.linkdown) {
    f |= RTNH_F_LINKDOWN;
    if (const kernel::NetDevice* d = net.dev(nh.dev); d && net.conf(*d, kernel::DevConfKey::ignore_routes_with_linkdown).value)
      f |= RTNH_F_DEAD;
  }
  if (nh.onlink) f |= RTNH_F_ONLINK;
  return f;
}

// net/ipv4/fib_semantics.c fib_dump_info for `fibmatch`: the FIB entry that matched, with the
// table that produced it (main for a local route found in the merged trie) and the route type of
// the cached dst (fri.type = rt->rt_type).
RtmRoute fib_dump_info(const kernel::Net& net, const kernel::Dst& dst) {
  const kernel::FibAlias& fa = *dst.route;
  RtmRoute m;
  m.type = dst.rt_type;
  m.dst_len = fa.dst.len;
  if (fa.dst.len) m.dst = fa.dst.addr;
  m.tos = fa.tos;
  m.table = dst.table;
  m.protocol = fa.protocol;
  m.scope = fa.scope;
  if (fa.priority) m.priority = fa.priority;
  if (!fa.prefsrc.is_zero()) m.prefsrc = fa.prefsrc;
  m.mtu = fa.mtu;
  if (fa.nhs.size() == 1) {
    const kernel::FibNh& nh = fa.nhs[0];
    m.flags = fib_nexthop_flags(net, nh);
    if (!nh.gw.is_zero()) m.gateway = nh.gw;
    m.oif = nh.dev;
  } else {
    for (const auto& nh : fa.nhs) m.multipath.push_back(RtNexthop{nh.gw, nh.dev, nh.weight, fib_nexthop_flags(net, nh)});
  }
  return m;
}

// The route's RTCF_* flags as rt_fill_info reports them (rtm_flags high half).
uint32_t rt_flags(const kernel::Dst& dst, bool input) {
  uint32_t f = 0;
  if (input) {
    if (dst.flags & kernel::RTCF_LOCAL) f |= RTCF_LOCAL;
    if (dst.flags & kernel::RTCF_BROADCAST) f |= RTCF_BROADCAST;
    if (dst.flags & kernel::RTCF_MULTICAST) f |= RTCF_MULTICAST;
    if (dst.flags & kernel::RTCF_DOREDIRECT) f |= RTCF_DOREDIRECT;  // IPSKB_DOREDIRECT
  } else {
    // __mkroute_output sets them in the model (ip_route_output_key)
    if (dst.flags & kernel::RTCF_LOCAL) f |= RTCF_LOCAL;
    if (dst.flags & kernel::RTCF_BROADCAST) f |= RTCF_BROADCAST;
    if (dst.flags & kernel::RTCF_MULTICAST) f |= RTCF_MULTICAST;
  }
  return f;
}

}  // namespace

RtmRoute inet_rtm_getroute(const kernel::Net& net, const RtmGetRoute& req) {
  using namespace kernel;
  RtmRoute m;
  NullTracer t;
  Dst dst;
  const uint8_t ip_proto = req.ipproto ? *req.ipproto : 17;  // the fake skb is UDP by default
  // uid: the caller's (root: 0) for output lookups, none for input ones unless given
  std::optional<uint32_t> uid = req.uid;
  Ipv4Addr selected_src = req.src;
  if (req.iif) {
    if (!net.dev(req.iif)) {
      m.error = -ENODEV;
      return m;
    }
    RouteInputKey key;
    key.daddr = req.dst;
    key.saddr = req.src;
    key.tos = req.tos;
    key.iif = req.iif;
    key.mark = req.mark;
    key.proto = ip_proto;
    key.sport = req.sport;
    key.dport = req.dport;
    Origin blame;
    const DropReason reason = ip_route_input_noref(net, key, dst, blame, t);
    if (reason != DropReason::NOT_DROPPED) {
      // 6.13+: any failure of ip_route_input_rcu is -EINVAL; before, the errno itself (-EXDEV
      // for rp_filter, -EINVAL for the rest).
      m.error = !net.profile.route_input_reasons && reason == DropReason::IP_RPFILTER ? -EXDEV : -EINVAL;
      return m;
    }
    if (dst.error) {  // an ip_error route: the lookup "succeeded", the answer is its error
      m.error = -dst.error;
      return m;
    }
  } else {
    if (!uid) uid = 0;
    Flowi4 fl;
    fl.daddr = req.dst;
    fl.saddr = req.src;
    fl.tos = req.tos;
    fl.oif = req.oif;
    fl.mark = req.mark;
    fl.uid = *uid;
    fl.proto = ip_proto;
    fl.sport = req.sport;
    fl.dport = req.dport;
    const int err = ip_route_output_key(net, fl, dst, false, t);
    if (err) {
      m.error = err;
      return m;
    }
    selected_src = fl.saddr;
  }
  if (req.fibmatch) {
    if (!dst.route) {  // no fib_info (limited broadcast, multicast): fib_props[type].error or this
      m.error = -EHOSTUNREACH;
      return m;
    }
    return fib_dump_info(net, dst);
  }
  // rt_fill_info
  const bool input = req.iif != 0;
  m.type = dst.rt_type;
  m.flags = RTM_F_CLONED | rt_flags(dst, input);
  m.tos = dst.route ? dst.route->tos : 0;  // res.dscp: the matched alias's, not the request's
  m.table = dst.table;
  m.dst = req.dst;
  if (!req.src.is_zero()) m.src = req.src;
  m.oif = dst.dev;
  if (!input && selected_src != req.src) m.prefsrc = selected_src;
  if (!dst.gw.is_zero()) m.gateway = dst.gw;
  // dst metrics come from the fib_info for forwarding and output routes (rt_set_nexthop); local
  // input routes and broadcasts carry none
  const bool has_metrics = input ? dst.input == DstInput::ip_forward
                                 : dst.rt_type != RTN_BROADCAST && dst.rt_type != RTN_MULTICAST;
  if (dst.route && has_metrics) m.mtu = dst.route->mtu;
  if (req.mark) m.mark = req.mark;
  m.uid = uid;
  if (input) m.iif = req.iif;
  return m;
}

namespace {

// strerror(3) of glibc for the errnos a route lookup answers.
std::string errno_text(int e) {
  switch (e) {
    case EHOSTUNREACH: return "No route to host";
    case ENETUNREACH: return "Network is unreachable";
    case EACCES: return "Permission denied";
    case EINVAL: return "Invalid argument";
    case EXDEV: return "Invalid cross-device link";
    case ENODEV: return "No such device";
  }
  return std::strerror(e);
}

// An argument error: what iproute2 prints before exit(-1) (status 255) or exit(1).
struct ArgError {
  std::string msg;
  int status;
};
ArgError invarg(std::string_view msg, std::string_view arg) {
  return {fmt::format("Error: argument \"{}\" is wrong: {}\n", arg, msg), 255};
}

}  // namespace

IpOutput iproute_get(const kernel::Net& net, const std::vector<std::string>& args, const IpOptions& o,
                     const RtTableNames* names) {
  using ip::matches;
  IpOutput res;
  RtmGetRoute req;
  std::string idev, odev;
  bool address_found = false, family_inet = false;
  int src_len = 0;
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto next_arg = [&]() -> const std::string& {
        if (++i >= args.size()) throw ArgError{"Command line is not complete. Try option \"help\"\n", 255};
        return args[i];
      };
      // get_prefix: an IPv4 address with an optional /len
      auto get_prefix = [&](const std::string& s, int& bitlen) {
        std::string_view v = s;
        bitlen = 32;
        bool ok = true;
        if (auto slash = v.find('/'); slash != std::string_view::npos) {
          auto len = ip::get_u32(v.substr(slash + 1));
          ok = len && *len <= 32;
          if (ok) bitlen = static_cast<int>(*len);
          v = v.substr(0, slash);
        }
        auto addr = ip::get_addr_ipv4(v);
        if (!addr || v.empty() || !ok)
          throw ArgError{fmt::format("Error: {} prefix is expected rather than \"{}\".\n", family_inet ? "inet" : "any valid", s), 1};
        family_inet = true;
        return *addr;
      };
      if (a == "tos" || matches(a, "dsfield")) {
        const std::string& v = next_arg();
        auto tos = ip::dsfield_a2n(v);
        if (!tos) throw invarg("TOS value is invalid\n", v);
        req.tos = *tos;
      } else if (matches(a, "from")) {
        const std::string& v = next_arg();
        req.src = get_prefix(v, src_len);
      } else if (matches(a, "iif")) {
        idev = next_arg();
      } else if (matches(a, "mark")) {
        const std::string& v = next_arg();
        auto m = ip::get_u32(v);
        if (!m) throw invarg("invalid mark value", v);
        req.mark = *m;
      } else if (matches(a, "oif") || a == "dev") {
        odev = next_arg();
      } else if (matches(a, "notify") || matches(a, "connected") || matches(a, "vrf") || a == "as") {
        throw ArgError{fmt::format("kpath: route get: \"{}\" is not modelled\n", a), 2};
      } else if (matches(a, "uid")) {
        const std::string& v = next_arg();
        auto u = ip::get_u32(v);
        if (!u) throw invarg("invalid UID\n", v);
        req.uid = *u;
      } else if (matches(a, "fibmatch")) {
        req.fibmatch = true;
      } else if (matches(a, "sport") || matches(a, "dport")) {
        const bool s = matches(a, "sport");
        const std::string& v = next_arg();
        auto p = ip::get_u32(v);
        if (!p || *p > 0xffff) throw invarg(s ? "invalid sport\n" : "invalid dport\n", v);
        (s ? req.sport : req.dport) = static_cast<uint16_t>(*p);
      } else if (matches(a, "ipproto")) {
        const std::string& v = next_arg();
        auto p = ip::inet_proto_a2n(v);
        if (!p) throw invarg("Invalid \"ipproto\" value\n", v);
        req.ipproto = *p;
      } else {
        const std::string& v = a == "to" ? next_arg() : a;
        int dst_len = 32;
        req.dst = get_prefix(v, dst_len);
        if (dst_len != 32) res.err += fmt::format("Warning: /{} as prefix is invalid, only /32 (or none) is supported.\n", dst_len);
        address_found = true;
      }
    }
    if (!address_found) throw ArgError{"need at least a destination address\n", 1};
    if (!idev.empty()) {
      const kernel::NetDevice* d = net.dev_by_name(idev);
      if (!d) throw ArgError{fmt::format("Cannot find device \"{}\"\n", idev), 1};
      req.iif = d->ifindex;
    }
    if (!odev.empty()) {
      const kernel::NetDevice* d = net.dev_by_name(odev);
      if (!d) throw ArgError{fmt::format("Cannot find device \"{}\"\n", odev), 1};
      req.oif = d->ifindex;
    }
  } catch (const ArgError& e) {
    res.err += e.msg;
    res.status = e.status;
    return res;
  }
  if (src_len != 0 && src_len != 32) {  // inet_rtm_valid_getroute_req (strict checking)
    res.err += "Error: ipv4: Invalid values in header for route get request.\n";
    res.status = 2;
    return res;
  }
  const RtmRoute r = inet_rtm_getroute(net, req);
  if (r.error) {
    res.err += fmt::format("RTNETLINK answers: {}\n", errno_text(-r.error));
    res.status = 2;
    return res;
  }
  // new_json_obj / delete_json_obj: the answer is a one-element array
  res.out = o.json ? "[" + print_route(net, r, o, names) + "]\n" : print_route(net, r, o, names);
  return res;
}

IpOutput ip_command_line(const kernel::Net& net, const std::vector<std::string>& words, const RtTableNames* names) {
  using ip::matches;
  IpOptions o;
  size_t i = 0;
  for (; i < words.size() && words[i].size() > 1 && words[i][0] == '-'; ++i) {
    std::string opt = words[i];
    if (opt.size() > 2 && opt[1] == '-') opt.erase(0, 1);  // --json is -json
    if (matches(opt, "-details")) ++o.details;
    else if (matches(opt, "-oneline")) o.oneline = true;
    else if (matches(opt, "-json")) o.json = true;
    else if (opt == "-4" || opt == "-N" || matches(opt, "-Numeric")) {}
    else return IpOutput{"", fmt::format("Option \"{}\" is unknown, try \"ip -help\".\n", words[i]), 255};
  }
  if (i + 1 >= words.size() || !matches(words[i], "route") || !matches(words[i + 1], "get"))
    return IpOutput{"", "kpath: only `ip [-j] [-d] [-o] route get ...` is modelled\n", 2};
  return iproute_get(net, std::vector<std::string>(words.begin() + static_cast<long>(i) + 2, words.end()), o, names);
}

}  // namespace kpath

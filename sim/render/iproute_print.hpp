// `ip route get` against the model, printed exactly as iproute2 6.1 prints it.
//
// The conversation has the kernel's two halves in the middle:
//   iproute_get (ip/iproute.c)           parses the words, resolves device names, sends RTM_GETROUTE
//   inet_rtm_getroute (net/ipv4/route.c) runs ip_route_input_noref (with iif) or
//                                        ip_route_output_key (without), answers an error or one
//                                        route: rt_fill_info (the cached dst) or fib_dump_info
//                                        (fibmatch: the FIB entry)
//   print_route (ip/iproute.c)           prints that message as text or JSON from the same calls
//                                        (include/json_print.h, STYLE.md rule 11)
// kernel-path.md §20 describes each step; tests/route_get/ holds answers captured from 6.18.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "models/net.hpp"

namespace kpath {

// rtm_flags / rt_flags bits as the uapi headers define them (linux/rtnetlink.h, in_route.h).
inline constexpr uint32_t RTNH_F_DEAD = 1, RTNH_F_PERVASIVE = 2, RTNH_F_ONLINK = 4, RTNH_F_OFFLOAD = 8,
                          RTNH_F_LINKDOWN = 16, RTNH_F_UNRESOLVED = 32, RTNH_F_TRAP = 64;
inline constexpr uint32_t RTM_F_NOTIFY = 0x100, RTM_F_CLONED = 0x200, RTM_F_OFFLOAD = 0x4000, RTM_F_TRAP = 0x8000,
                          RTM_F_OFFLOAD_FAILED = 0x20000000;
inline constexpr uint32_t RTCF_NOTIFY = 0x00010000, RTCF_DIRECTDST = 0x00020000, RTCF_REDIRECTED = 0x00040000,
                          RTCF_TPROXY = 0x00080000, RTCF_FAST = 0x00200000, RTCF_MASQ = 0x00400000,
                          RTCF_SNAT = 0x00800000, RTCF_DOREDIRECT = 0x01000000, RTCF_DIRECTSRC = 0x04000000,
                          RTCF_DNAT = 0x08000000, RTCF_BROADCAST = 0x10000000, RTCF_MULTICAST = 0x20000000,
                          RTCF_REJECT = 0x40000000, RTCF_LOCAL = 0x80000000;

// RTM_GETROUTE as iproute_get sends it, device names already resolved to ifindexes.
struct RtmGetRoute {
  kernel::Ipv4Addr dst, src;     // RTA_DST, RTA_SRC (0 = not given; `from 0.0.0.0` is the same)
  uint8_t tos = 0;               // rtm_tos
  int iif = 0, oif = 0;          // RTA_IIF, RTA_OIF
  uint32_t mark = 0;             // RTA_MARK (iproute2 sends it only when non-zero)
  std::optional<uint32_t> uid;   // RTA_UID
  std::optional<uint8_t> ipproto;  // RTA_IP_PROTO (the kernel's fake skb is UDP without it)
  uint16_t sport = 0, dport = 0; // RTA_SPORT, RTA_DPORT
  bool fibmatch = false;         // RTM_F_FIB_MATCH
};

// One nexthop of RTA_MULTIPATH (struct rtnexthop + its RTA_GATEWAY).
struct RtNexthop {
  kernel::Ipv4Addr gw;
  int dev = 0;
  uint8_t weight = 1;            // rtnh_hops + 1
  uint32_t flags = 0;            // RTNH_F_*
};

// The answer: an NLMSG_ERROR (error < 0) or one RTM_NEWROUTE (struct rtmsg + attributes).
struct RtmRoute {
  int error = 0;                 // -errno
  uint8_t type = kernel::RTN_UNICAST;
  uint8_t dst_len = 32, tos = 0, protocol = 0, scope = 0;
  uint32_t flags = 0;            // rtm_flags: RTM_F_* | RTNH_F_* | RTCF_* (cloned routes)
  uint32_t table = 0;            // RTA_TABLE (0: no FIB result, not printed)
  std::optional<kernel::Ipv4Addr> dst, src, gateway, prefsrc;
  int oif = 0, iif = 0;          // 0 = attribute absent
  std::optional<uint32_t> priority, mark, uid;
  uint32_t mtu = 0;              // RTA_METRICS: RTAX_MTU, 0 = absent
  std::vector<RtNexthop> multipath;
  bool cloned() const { return flags & RTM_F_CLONED; }
};

// net/ipv4/route.c inet_rtm_getroute (6.13+; --kernel profiles map the input errno) over the model.
RtmRoute inet_rtm_getroute(const kernel::Net& net, const RtmGetRoute& req);

// ip's global options that change print_route.
struct IpOptions {
  bool json = false;             // -j
  int details = 0;               // -d (counted)
  bool oneline = false;          // -o: the record on one line, "\" for line breaks
};

// Names iproute2 reads from /etc/iproute2/rt_tables (local, main, default, unspec + custom).
using RtTableNames = std::map<std::string, uint32_t>;

// print_route (ip/iproute.c) for one message, text or JSON (one object, no enclosing array).
std::string print_route(const kernel::Net& net, const RtmRoute& r, const IpOptions& o, const RtTableNames* names = nullptr);

// What `ip` wrote and its exit status (0; 1 for userspace errors like an unknown device; 2 when
// the kernel answered an error, "RTNETLINK answers: ..."; 255 for exit(-1) argument errors).
struct IpOutput {
  std::string out, err;
  int status = 0;
};

// iproute_get: `ip [OPTIONS] route get ARGS`, ARGS being the words after "get".
IpOutput iproute_get(const kernel::Net& net, const std::vector<std::string>& args, const IpOptions& o,
                     const RtTableNames* names = nullptr);

// A whole `ip` command line (the words after "ip"): global options (-j, -d, -o, -4), then
// `route get ...` (with iproute2's abbreviations: `r g`, `ro get`). Other commands are refused.
IpOutput ip_command_line(const kernel::Net& net, const std::vector<std::string>& words, const RtTableNames* names = nullptr);

}  // namespace kpath

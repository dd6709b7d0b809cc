// Route types, scopes and the per-type behaviour table fib_props[] (net/ipv4/fib_semantics.c).
#pragma once
#include <array>
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include "models/inet.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

enum RtnType : uint8_t {
  RTN_UNSPEC, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_ANYCAST, RTN_MULTICAST,
  RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW, RTN_NAT, RTN_XRESOLVE, RTN_MAX = RTN_XRESOLVE
};
// iproute2 keywords (lib/rt_names.c rtnl_rtntype_n2a)
inline constexpr std::array<std::string_view, RTN_MAX + 1> kRtnNames = {
    "none", "unicast", "local", "broadcast", "anycast", "multicast",
    "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"};
inline constexpr std::array<std::string_view, RTN_MAX + 1> kRtnKernelNames = {
    "RTN_UNSPEC", "RTN_UNICAST", "RTN_LOCAL", "RTN_BROADCAST", "RTN_ANYCAST", "RTN_MULTICAST",
    "RTN_BLACKHOLE", "RTN_UNREACHABLE", "RTN_PROHIBIT", "RTN_THROW", "RTN_NAT", "RTN_XRESOLVE"};

enum RtScope : uint8_t { RT_SCOPE_UNIVERSE = 0, RT_SCOPE_SITE = 200, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254, RT_SCOPE_NOWHERE = 255 };
std::string_view rt_scope_name(uint8_t scope);  // "global", "link", "host", ... (iproute2)

// fib_props[]: lookup error and minimum scope per route type.
struct FibProp { int error; uint8_t scope; };
inline constexpr std::array<FibProp, RTN_MAX + 1> fib_props = {{
    {0, RT_SCOPE_NOWHERE},             // RTN_UNSPEC
    {0, RT_SCOPE_UNIVERSE},            // RTN_UNICAST
    {0, RT_SCOPE_HOST},                // RTN_LOCAL
    {0, RT_SCOPE_LINK},                // RTN_BROADCAST
    {0, RT_SCOPE_LINK},                // RTN_ANYCAST
    {0, RT_SCOPE_UNIVERSE},            // RTN_MULTICAST
    {-EINVAL, RT_SCOPE_UNIVERSE},      // RTN_BLACKHOLE
    {-EHOSTUNREACH, RT_SCOPE_UNIVERSE},// RTN_UNREACHABLE
    {-EACCES, RT_SCOPE_UNIVERSE},      // RTN_PROHIBIT
    {-EAGAIN, RT_SCOPE_UNIVERSE},      // RTN_THROW
    {-EINVAL, RT_SCOPE_NOWHERE},       // RTN_NAT
    {-EINVAL, RT_SCOPE_NOWHERE},       // RTN_XRESOLVE
}};
constexpr bool rtn_is_error_type(RtnType t) {
  return t == RTN_BLACKHOLE || t == RTN_UNREACHABLE || t == RTN_PROHIBIT || t == RTN_THROW || t == RTN_NAT || t == RTN_XRESOLVE;
}

inline constexpr uint32_t RT_TABLE_UNSPEC = 0, RT_TABLE_DEFAULT = 253, RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255;

// Route protocols (rtnetlink.h RTPROT_*), iproute2 names.
inline constexpr uint8_t RTPROT_UNSPEC = 0, RTPROT_REDIRECT = 1, RTPROT_KERNEL = 2, RTPROT_BOOT = 3, RTPROT_STATIC = 4;

struct FibNh {
  int dev = 0;               // ifindex; 0 = none
  Ipv4Addr gw;               // 0 = directly connected
  uint8_t weight = 1;
  uint8_t scope = RT_SCOPE_UNIVERSE;  // nh_scope: LINK for gateway-less unicast, HOST for a gateway... (fib_check_nh)
  bool dead = false;         // RTNH_F_DEAD
  bool linkdown = false;     // RTNH_F_LINKDOWN
  bool onlink = false;       // RTNH_F_ONLINK
};

// One route: fib_alias + fib_info folded together (kpath keeps no sharing of fib_info).
struct FibAlias {
  Prefix dst;
  uint8_t tos = 0;
  uint32_t priority = 0;     // metric
  RtnType type = RTN_UNICAST;
  uint8_t scope = RT_SCOPE_UNIVERSE;
  uint8_t protocol = RTPROT_BOOT;
  Ipv4Addr prefsrc;
  uint32_t table = RT_TABLE_MAIN;
  std::vector<FibNh> nhs;
  uint32_t mtu = 0;          // RTAX_MTU metric, 0 = device MTU
  Origin origin;
  bool kernel_created = false;  // fib_magic (address-derived) route
  bool all_dead() const {
    if (nhs.empty()) return false;
    for (auto& n : nhs) if (!n.dead) return false;
    return true;
  }
};

// Text as `ip route show` prints it (without table unless asked), for traces.
std::string fib_alias_to_string(const FibAlias& fa, std::string_view (*devname)(const void*, int), const void* ctx, bool with_table);

}  // namespace kpath::kernel

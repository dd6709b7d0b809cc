// struct net_device + struct in_device, reduced to what the IPv4 path reads.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "models/devinet.hpp"
#include "models/inet.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

enum class DevKind : uint8_t { loopback, veth, dummy, bridge, ifb, other };
std::string_view dev_kind_name(DevKind k);

// struct in_ifaddr
struct InIfaddr {
  Ipv4Addr local;
  uint8_t prefixlen = 32;
  Ipv4Addr broadcast;        // 0 = none
  uint8_t scope = 0;         // RT_SCOPE_*
  bool secondary = false;    // IFA_F_SECONDARY
  std::string label;
  Origin origin;
  Ipv4Addr peer;             // IFA_ADDRESS of `ip addr add A peer P/len` (0 = none: IFA_ADDRESS == local)
  uint32_t rt_priority = 0;  // IFA_RT_PRIORITY (`metric N`): metric of the prefix route
  bool noprefixroute = false;  // IFA_F_NOPREFIXROUTE: fib_add_ifaddr adds no prefix route
  Prefix prefix() const { return Prefix{local, prefixlen}.canonical(); }
};

struct NetDevice {
  int ifindex = 0;
  std::string name;
  DevKind kind = DevKind::other;
  bool up = false;            // IFF_UP
  bool carrier = true;        // netif_carrier_ok (veth: peer up; modelled as up)
  uint32_t mtu = 1500;
  uint64_t mac = 0;
  int master = 0;             // bridge/VRF master ifindex
  uint32_t group = 0;         // ifgroup
  std::string peer;           // veth peer name (may live in another namespace)
  std::string peer_netns;
  std::vector<InIfaddr> addrs;  // primary addresses first per subnet, as the kernel keeps them
  DevConf conf;               // net.ipv4.conf.<name>.*
  Origin origin;              // the line that created it (0 for lo)
  Origin up_origin;           // the line that set it up/down
  bool is_loopback() const { return kind == DevKind::loopback; }
  // inet_select_addr-lite: the first primary address (TPROXY's default laddr, REDIRECT's target).
  const InIfaddr* primary_addr() const {
    for (auto& a : addrs) if (!a.secondary) return &a;
    return nullptr;
  }
};

}  // namespace kpath::kernel

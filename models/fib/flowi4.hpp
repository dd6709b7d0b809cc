// struct flowi4: the key of a FIB lookup (include/net/flow.h).
#pragma once
#include <cstdint>
#include "models/inet.hpp"

namespace kpath::kernel {
inline constexpr int LOOPBACK_IFINDEX = 1;

struct Flowi4 {
  int iif = 0;         // flowi4_iif: in-dev for input, LOOPBACK_IFINDEX for output/reverse
  int oif = 0;         // flowi4_oif
  uint32_t mark = 0;   // flowi4_mark
  uint8_t tos = 0;     // DSCP/TOS byte of the packet (ECN bits cleared)
  uint8_t scope = 0;   // RT_SCOPE_UNIVERSE
  uint8_t proto = 0;   // flowi4_proto, only set when rules need flow dissection
  uint16_t sport = 0, dport = 0;
  uint32_t uid = 0;
  Ipv4Addr daddr, saddr;
  bool ignore_linkstate = false;  // FIB_LOOKUP_IGNORE_LINKSTATE
};
}  // namespace kpath::kernel

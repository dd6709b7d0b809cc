// Ethernet frames: the injected packet built byte by byte from a kernel::Packet (the same value
// `kpath explain` runs), with correct IPv4/TCP/UDP/ICMP checksums unless the spec asks for a
// bad one; and the decoding of what came back (reply kind, ICMP type/code, forwarded copies).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "models/skbuff.hpp"

namespace kpath::live {

using Mac = std::array<uint8_t, 6>;
std::string mac_text(const Mac& m);

// Sequence number of an injected TCP segment (its ACK, if any, acknowledges seq + 1).
inline constexpr uint32_t kInjectSeq = 1000;
// IP id of the injected packet when the spec gives none: lets forwarded copies be recognised.
inline constexpr uint16_t kInjectId = 0x4b50;

// `dst` is the DUT's MAC; the spec's otherhost/broadcast/multicast pick another L2 destination.
std::vector<uint8_t> build_frame(const kernel::Packet& p, const Mac& src, const Mac& dst);
// A bare ACK completing a handshake whose SYN-ACK carried server sequence `server_seq`.
std::vector<uint8_t> build_ack(const kernel::Packet& syn, const Mac& src, const Mac& dst, uint32_t server_seq);

struct Decoded {
  bool ipv4 = false;
  uint16_t ethertype = 0;
  Mac dst{}, src{};
  kernel::Ipv4Addr saddr, daddr;
  uint8_t proto = 0, ttl = 0;
  uint16_t id = 0;
  uint16_t sport = 0, dport = 0;
  uint8_t tcp_flags = 0;
  uint32_t seq = 0;
  int icmp_type = -1, icmp_code = -1;
  std::string text;  // pwru-style one-liner for the report
};
Decoded decode_frame(const uint8_t* data, size_t len);

}  // namespace kpath::live

// The simulated sk_buff: the packet as received plus the per-packet state the path changes
// (mark, attached socket, input route, NAT, conntrack) and what happened to it. Everything
// mutable during a run lives here; Net stays read-only.
#pragma once
#include <cstdint>
#include <optional>
#include "models/drop_reason.hpp"
#include "models/fib/fib_semantics.hpp"
#include "models/inet.hpp"
#include "models/origin.hpp"
#include "models/snmp.hpp"
#include "models/stage.hpp"

namespace kpath::kernel {

enum class PktType : uint8_t { HOST, BROADCAST, MULTICAST, OTHERHOST };  // PACKET_*

inline constexpr uint8_t TCPHDR_FIN = 0x01, TCPHDR_SYN = 0x02, TCPHDR_RST = 0x04, TCPHDR_PSH = 0x08, TCPHDR_ACK = 0x10, TCPHDR_URG = 0x20;
inline constexpr uint16_t IP_DF = 0x4000, IP_MF = 0x2000, IP_OFFSET = 0x1fff;

// The packet as it arrives on the wire (what a packet spec describes).
struct Packet {
  int iif = 0;                 // ifindex of the in-dev
  PktType pkt_type = PktType::HOST;
  uint8_t version = 4, ihl = 5, tos = 0, ttl = 64, protocol = 6;
  uint16_t tot_len = 0;        // 0 = computed
  uint16_t frag_off = 0;       // flags + offset (host order)
  uint16_t id = 0;
  bool bad_csum = false;       // IP header checksum wrong
  bool ip_options = false;     // ihl > 5 with options
  bool lsrr = false;           // loose source route option present
  uint32_t frame_len = 0;      // bytes received after L2; 0 = tot_len
  Ipv4Addr saddr, daddr;
  uint16_t sport = 0, dport = 0;
  uint8_t tcp_flags = TCPHDR_SYN;
  uint8_t icmp_type = 8, icmp_code = 0;
  uint16_t payload = 0;        // L4 payload bytes
  uint32_t mark = 0;           // a mark already on the skb (e.g. set by tc/XDP)

  uint16_t l4_hdr_len() const { return protocol == 6 ? 20 : protocol == 17 ? 8 : protocol == 1 ? 8 : 0; }
  uint16_t computed_tot_len() const { return static_cast<uint16_t>(ihl * 4 + l4_hdr_len() + payload); }
};

// The input route attached to the skb (struct rtable as far as the path reads it).
enum class DstInput : uint8_t { none, ip_local_deliver, ip_forward, ip_error, ip_mr_input };
inline constexpr uint8_t RTCF_LOCAL = 1, RTCF_BROADCAST = 2, RTCF_MULTICAST = 4, RTCF_DOREDIRECT = 8;
struct Dst {
  RtnType rt_type = RTN_UNSPEC;
  DstInput input = DstInput::none;
  int error = 0;               // positive errno for ip_error routes
  int dev = 0;                 // lo for local/error routes, out-dev for forwards
  uint8_t flags = 0;
  Ipv4Addr gw;                 // rt_gw4 when rt_uses_gateway
  uint32_t table = 0;          // res.table, 0 = none
  const FibAlias* route = nullptr;  // the FIB entry, if any
  int rule_index = -1;         // the fib rule that decided, if rules were walked
  uint32_t mtu = 0;
};

// What the host sent back, if anything.
enum class ReplyKind : uint8_t { none, syn_ack, rst, icmp, echo_reply };

// Conntrack-lite state of the packet (nf_conntrack as far as matches read it).
enum class CtState : uint8_t { none, NEW, ESTABLISHED, UNTRACKED };

struct SkBuff {
  Packet pkt;                  // header fields; NAT rewrites daddr/dport/saddr/sport in here
  Ipv4Addr orig_daddr;         // before DNAT/REDIRECT
  uint16_t orig_dport = 0;
  int dev = 0;                 // skb->dev (in-dev)
  uint32_t len = 0;            // skb->len
  uint32_t mark = 0;
  int sk = -1;                 // attached socket (index into Net::socks), -1 = none
  Origin sk_origin;            // the rule that attached it (TPROXY)
  bool has_dst = false;
  Dst dst;
  CtState ct = CtState::none;
  uint32_t ctmark = 0;
  bool nat_done = false;

  // Outcome, filled as the packet travels.
  SnmpDelta counters;
  DropReason reason = DropReason::NOT_DROPPED;
  Stage drop_stage = Stage::kfree_skb;
  const char* drop_function = nullptr;  // kernel symbol of the tracepoint location
  Origin drop_origin;                   // config object that caused the drop (rule, route...)
  ReplyKind reply = ReplyKind::none;
  int icmp_type = -1, icmp_code = -1;   // ICMP error/reply sent, -1 = none
  uint32_t icmp_info = 0;               // MTU for frag-needed
  const char* reply_suppressed = nullptr;  // why an expected reply was not sent
  int delivered_sk = -1;                // socket the packet was queued to
  int out_dev = 0;                      // egress device for forwards
  Ipv4Addr out_gw;
  bool forwarded = false;
  bool delivered = false;
  int snat_rule = 0;                    // 1 if SNAT/MASQUERADE recorded in POSTROUTING
  Ipv4Addr snat_addr;
  Origin snat_origin;
};

}  // namespace kpath::kernel

// explain: one packet through one host with the recording tracer, reduced to the closed set
// of outcomes (STYLE.md rule 12): a disposition derived from where the packet stopped, the
// trace of steps, counters, drop reason, ICMP/reply, socket or egress, hints.
#pragma once
#include <optional>
#include <string>
#include <vector>
#include "models/net.hpp"
#include "models/skbuff.hpp"
#include "models/trace.hpp"
#include "sim/core/diag.hpp"
#include "sim/engine/path_graph.hpp"

namespace kpath {

enum class Disposition { deliver, forward, drop };
std::string_view disposition_name(Disposition d);

struct Hint {
  std::string text;
  SourceLoc loc;  // the config object the hint is about
};

struct Verdict {
  Disposition disposition = Disposition::drop;
  kernel::DropReason drop_reason = kernel::DropReason::NOT_DROPPED;
  std::string drop_function;              // tracepoint location
  SourceLoc drop_origin;                  // config object to blame
  kernel::SnmpDelta counters;
  std::optional<std::pair<int, int>> icmp;  // type, code of an ICMP the host sent
  kernel::ReplyKind reply = kernel::ReplyKind::none;
  std::string reply_suppressed;
  struct Socket { std::string proto; kernel::Ipv4Addr addr; uint16_t port; bool transparent; SourceLoc origin; };
  std::optional<Socket> socket;
  struct Egress { std::string dev; std::optional<kernel::Ipv4Addr> via; };
  std::optional<Egress> egress;
  uint32_t mark = 0;
  std::optional<uint32_t> table;          // routing table that decided
  std::optional<uint32_t> rule;           // fib rule priority that decided
  SourceLoc route_origin;
  std::vector<std::string> kernel_stack;  // what a skb:kfree_skb probe would show, innermost first
  bool is_success() const { return disposition != Disposition::drop; }
};

struct Explanation {
  kernel::Packet packet;
  std::string packet_text;
  std::string host;
  Verdict verdict;
  std::vector<kernel::Step> steps;
  std::vector<kernel::Stage> path;
  std::vector<Hint> hints;
};

Explanation explain_packet(const kernel::Net& net, const PathGraph& g, const kernel::Packet& pkt);
Verdict make_verdict(const kernel::Net& net, const kernel::SkBuff& skb);
std::vector<std::string> kfree_skb_stack(std::string_view location);

}  // namespace kpath

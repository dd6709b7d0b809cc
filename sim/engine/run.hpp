// Runs one packet through a compiled host by walking the path graph. The same code serves
// explain (RecordingTracer) and bulk runs (NullTracer): one model, two speeds.
#pragma once
#include <stdexcept>
#include <vector>
#include "models/net.hpp"
#include "models/skbuff.hpp"
#include "models/stages.hpp"
#include "models/trace.hpp"
#include "sim/engine/path_graph.hpp"

namespace kpath {

struct RunResult {
  kernel::SkBuff skb;
  std::vector<kernel::Stage> path;  // vertices visited, ip_rcv first (recording tracer only)
};

template <typename T>
RunResult run_packet(const kernel::Net& net, const PathGraph& g, const kernel::Packet& pkt, T& t) {
  RunResult r{kernel::skb_from_packet(pkt), {}};
  kernel::Stage s = kernel::Stage::ip_rcv;
  if constexpr (T::enabled) r.path.push_back(s);  // bulk runs keep no path: no allocation per packet
  while (!kernel::stage_is_terminal(s)) {
    const kernel::Stage next = kernel::run_stage(s, net, r.skb, t);
    if (!g.has_edge(s, next))  // a model returned a transition the kernel does not have
      throw std::logic_error("path graph has no edge " + std::string(kernel::stage_name(s)) + " -> " + std::string(kernel::stage_name(next)));
    s = next;
    if constexpr (T::enabled) r.path.push_back(s);
  }
  return r;
}

}  // namespace kpath

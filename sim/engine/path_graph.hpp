// The packet-path graph (Boost.Graph): vertices are kernel functions and hooks (kernel::Stage),
// edges the transitions the kernel can take. The engine walks it (each stage model returns
// the next vertex, and the walk refuses a transition the graph does not have), renderers draw
// it, analyses query it.
#pragma once
#include <array>
#include <bitset>
#include <string_view>
#include <vector>
#include <boost/graph/adjacency_list.hpp>
#include "models/stage.hpp"

namespace kpath {

struct PathEdge { kernel::Stage from, to; std::string_view label; };

class PathGraph {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, kernel::Stage, std::string_view>;
  PathGraph();
  bool has_edge(kernel::Stage a, kernel::Stage b) const {
    return adj_[static_cast<size_t>(a)].test(static_cast<size_t>(b));
  }
  const Graph& graph() const { return g_; }
  static const std::vector<PathEdge>& edges();
  // Stages from which `target` can be reached (for "which paths end in ip_error?").
  std::vector<kernel::Stage> predecessors_of(kernel::Stage target) const;

 private:
  Graph g_;
  std::array<std::bitset<kernel::kStageCount>, kernel::kStageCount> adj_{};
};

}  // namespace kpath

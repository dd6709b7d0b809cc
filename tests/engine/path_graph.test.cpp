#include <catch2/catch.hpp>
#include <algorithm>
#include "sim/engine/path_graph.hpp"

using namespace kpath;
using kernel::Stage;

TEST_CASE("path graph: ip_error is reached from ip_rcv_finish through dst_input", "[path_graph]") {
  PathGraph g;
  CHECK(g.has_edge(Stage::ip_rcv_finish, Stage::dst_input));
  CHECK(g.has_edge(Stage::dst_input, Stage::ip_error));
  CHECK_FALSE(g.has_edge(Stage::ip_rcv, Stage::ip_error));
  auto pre = g.predecessors_of(Stage::ip_error);
  CHECK(std::find(pre.begin(), pre.end(), Stage::ip_rcv) != pre.end());
  CHECK(std::find(pre.begin(), pre.end(), Stage::tcp_v4_rcv) == pre.end());
}

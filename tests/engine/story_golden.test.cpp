// Golden tests for the bundled TPROXY story (approval style, STYLE.md rule 18): the explain
// output of broken.sh and fixed.sh, text and JSON, must match tests/golden/*.approved.*.
// On a mismatch the new output is written next to it as *.unapproved.* ; approve with
// `scripts/approve-golden.sh` after reviewing the diff.
#include <catch2/catch.hpp>
#include <fstream>
#include "sim/cli/commands.hpp"
#include "sim/config/compile.hpp"
#include "sim/config/script.hpp"
#include "sim/engine/explain.hpp"
#include "sim/engine/packet_spec.hpp"
#include "sim/render/render.hpp"
#include "tests/support/run_script.hpp"

using namespace kpath;

namespace {

const std::string kPacket = "tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn";

std::pair<std::string, std::string> explain_story(const std::string& variant) {
  const std::string rel = "examples/tproxy-local-route/" + variant + ".sh";
  ConfigSet set;
  set.hosts.push_back(HostConfig::running_host());
  LoadOptions opt;
  opt.use_environment = false;
  load_script_text(set, rel, kpath::test::read_file(std::string(KPATH_SOURCE_DIR) + "/" + rel), opt);
  kernel::Net net = compile(set.hosts[0]);
  const uint32_t pf = set.files.add("<packet>", kPacket);
  PathGraph g;
  Explanation e = explain_packet(net, g, parse_packet_spec(kPacket, net, pf));
  return {render_text(e, set.files, net), render_json(e, set.files, net).dump(2) + "\n"};
}

void approve(const std::string& name, const std::string& actual, const std::string& ext) {
  const std::string base = std::string(KPATH_SOURCE_DIR) + "/tests/golden/" + name;
  const std::string approved = kpath::test::read_file(base + ".approved" + ext);
  if (approved != actual) {
    std::ofstream(base + ".unapproved" + ext) << actual;
    FAIL_CHECK("golden mismatch for " << name << ": see tests/golden/" << name << ".unapproved" << ext);
  } else {
    std::remove((base + ".unapproved" + ext).c_str());
  }
}

}  // namespace

TEST_CASE("story golden: broken.sh explain (text and json)", "[golden][story]") {
  auto [text, json] = explain_story("broken");
  approve("story-broken", text, ".txt");
  approve("story-broken", json, ".json");
}

TEST_CASE("story golden: fixed.sh explain (text and json)", "[golden][story]") {
  auto [text, json] = explain_story("fixed");
  approve("story-fixed", text, ".txt");
  approve("story-fixed", json, ".json");
}

TEST_CASE("story: broken.sh drops in ip_error with IP_INADDRERRORS and cites the route line", "[story]") {
  ConfigSet set;
  set.hosts.push_back(HostConfig::running_host());
  LoadOptions opt;
  opt.use_environment = false;
  load_script_text(set, "broken.sh", kpath::test::read_file(std::string(KPATH_SOURCE_DIR) + "/examples/tproxy-local-route/broken.sh"), opt);
  kernel::Net net = compile(set.hosts[0]);
  PathGraph g;
  Explanation e = explain_packet(net, g, parse_packet_spec(kPacket, net, 99));
  CHECK(e.verdict.disposition == Disposition::drop);
  CHECK(e.verdict.drop_reason == kernel::DropReason::IP_INADDRERRORS);
  CHECK(e.verdict.drop_function == "ip_error");
  CHECK(e.verdict.counters.get(kernel::Snmp::IpInReceives) == 1);
  CHECK(e.verdict.counters.get(kernel::Snmp::IpInAddrErrors) == 1);
  CHECK_FALSE(e.verdict.icmp);
  CHECK(e.verdict.mark == 1);
  CHECK(e.verdict.table == 100u);
  CHECK(e.verdict.rule == 32765u);
  // the route that decided is the `ip route add default ... table 100` line
  CHECK(set.files.line_text(e.verdict.route_origin).find("ip route add default dev ${VETH_SERVER_INNER} scope host table 100") == 0);
  REQUIRE(e.verdict.kernel_stack.size() > 3);
  CHECK(e.verdict.kernel_stack[0] == "kfree_skb_reason");
  CHECK(e.verdict.kernel_stack[1] == "ip_error");
  CHECK(e.verdict.kernel_stack[2] == "ip_rcv_finish");
  REQUIRE_FALSE(e.hints.empty());
  CHECK(e.hints[0].text.find("local") != std::string::npos);
  // the -m socket rule did not match because there is no socket for 1.2.3.4:80
  bool saw_socket_miss = false, saw_tproxy = false;
  for (auto& s : e.steps) {
    if (s.detail.find("no socket for 1.2.3.4:80") != std::string::npos) saw_socket_miss = true;
    if (s.function == "tproxy_tg4" && s.detail.find("0x0 -> 0x1") != std::string::npos) saw_tproxy = true;
  }
  CHECK(saw_socket_miss);
  CHECK(saw_tproxy);
}

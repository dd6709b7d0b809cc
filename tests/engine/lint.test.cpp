// kpath lint: each check on a config that triggers it (with its witness, replayed through the
// engine) and on a clean neighbour that does not.
#include <catch2/catch.hpp>
#include "sim/check/lint.hpp"
#include "sim/render/render.hpp"
#include "tests/support/run_script.hpp"

using namespace kpath;
using namespace kpath::kernel;
using kpath::test::read_file;
using kpath::test::Scenario;

namespace {

const std::string kStory = std::string(KPATH_SOURCE_DIR) + "/examples/tproxy-local-route/";

std::vector<LintFinding> with_id(const std::vector<LintFinding>& all, const std::string& id) {
  std::vector<LintFinding> out;
  for (auto& f : all) if (f.id == id) out.push_back(f);
  return out;
}

// The witness is a packet spec anyone can replay: it must parse and give the reported outcome.
Explanation replay(const Scenario& s, const LintFinding& f) {
  Explanation e = s.run(f.witness);
  CHECK(e.verdict.disposition == f.run.verdict.disposition);
  CHECK(e.verdict.drop_reason == f.run.verdict.drop_reason);
  CHECK(e.verdict.counters == f.run.verdict.counters);
  return e;
}

std::string remove_line(std::string text, const std::string& needle) {
  auto p = text.find(needle);
  REQUIRE(p != std::string::npos);
  auto e = text.find('\n', p);
  text.erase(text.rfind('\n', p) + 1, e - text.rfind('\n', p));
  return text;
}

const std::string kTwoDevs = R"(
ip link add eth0 type dummy
ip addr add 10.0.0.1/24 dev eth0
ip link set eth0 up
ip link add eth1 type dummy
ip addr add 192.168.1.1/24 dev eth1
ip link set eth1 up
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.0.0.254
)";

}  // namespace

TEST_CASE("lint: the story: broken.sh's table 100 route is not local, witnessed by the story packet", "[lint][story]") {
  Scenario s(read_file(kStory + "broken.sh"));
  auto all = lint_net(s.net);
  REQUIRE(all.size() == 1);
  const LintFinding& f = all[0];
  CHECK(f.id == "tproxy-route-not-local");
  CHECK(f.severity == LintFinding::Severity::error);
  CHECK(f.witness == "tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn");
  CHECK(s.set.files.line_text(f.loc).find("ip route add default dev ${VETH_SERVER_INNER} scope host table 100") == 0);
  CHECK(f.fix == "ip route replace local default dev veth-server table 100");
  CHECK(f.why.find("ip_error") != std::string::npos);
  CHECK(f.why.find("IpInAddrErrors") != std::string::npos);
  CHECK(f.why.find("RTN_UNICAST") != std::string::npos);
  Explanation e = replay(s, f);
  CHECK(e.verdict.drop_function == "ip_error");
  CHECK(e.verdict.drop_reason == DropReason::IP_INADDRERRORS);
  CHECK(e.verdict.table == 100u);
  const std::string text = render_lint_text(all, s.set.files, {"broken.sh"});
  CHECK(text.find("test.sh:25:1: error: [tproxy-route-not-local]") == 0);
  CHECK(text.find("witness: tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn") != std::string::npos);
  CHECK(text.substr(text.size() - 20) == "1 error, 0 warnings\n");
}

TEST_CASE("lint: fixed.sh is clean", "[lint][story]") {
  Scenario s(read_file(kStory + "fixed.sh"));
  CHECK(lint_net(s.net).empty());
  CHECK(lint_summary({}) == "0 errors, 0 warnings");
}

TEST_CASE("lint: the story with forwarding on: ip_forward drops the diverted packet silently", "[lint][tproxy]") {
  Scenario s(read_file(kStory + "broken.sh") + "sysctl -w net.ipv4.ip_forward=1\n");
  auto f = with_id(lint_net(s.net), "tproxy-route-not-local");
  REQUIRE(f.size() == 1);
  CHECK(f[0].run.verdict.drop_function == "ip_forward");
  CHECK(f[0].why.find("ip_forward drops every packet that carries a socket") != std::string::npos);
  replay(s, f[0]);
}

TEST_CASE("lint: an fwmark rule whose table has no route for the destination", "[lint][tproxy]") {
  Scenario s(remove_line(read_file(kStory + "fixed.sh"), "ip route add local default"));
  auto f = with_id(lint_net(s.net), "tproxy-route-not-local");
  REQUIRE(f.size() == 1);
  CHECK(s.set.files.line_text(f[0].loc) == "ip rule add fwmark 1 lookup 100");
  CHECK(f[0].why.find("table 100 has no route for 1.2.3.4") != std::string::npos);
  replay(s, f[0]);
}

TEST_CASE("lint: TPROXY mark that no ip rule selects", "[lint][tproxy]") {
  Scenario s(remove_line(read_file(kStory + "fixed.sh"), "ip rule add fwmark 1"));
  auto all = lint_net(s.net);
  auto f = with_id(all, "tproxy-mark-not-routed");
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == LintFinding::Severity::error);
  CHECK(s.set.files.line_text(f[0].loc).find("-j TPROXY") != std::string::npos);
  CHECK(f[0].title == "no ip rule selects TPROXY's mark 0x1");
  CHECK(replay(s, f[0]).verdict.drop_reason == DropReason::IP_INADDRERRORS);
  // a mark/mask the rule does not select is the same mistake
  Scenario s2(read_file(kStory + "fixed.sh") + "ip rule del fwmark 1 lookup 100\nip rule add fwmark 0x2/0x2 lookup 100\n");
  CHECK(with_id(lint_net(s2.net), "tproxy-mark-not-routed").size() == 1);
}

TEST_CASE("lint: TPROXY without a transparent listener on --on-port", "[lint][tproxy]") {
  Scenario s(remove_line(read_file(kStory + "fixed.sh"), "#kpath socket"));
  auto f = with_id(lint_net(s.net), "tproxy-no-listener");
  REQUIRE(f.size() == 1);
  CHECK(f[0].title == "no transparent tcp listener on port 9999: TPROXY drops every packet it diverts");
  CHECK(replay(s, f[0]).verdict.drop_reason == DropReason::NETFILTER_DROP);
  // a listener without IP_TRANSPARENT is no better
  std::string cfg = read_file(kStory + "fixed.sh");
  const std::string t = "0.0.0.0:${LISTEN_PORT} transparent";
  cfg.replace(cfg.find(t), t.size(), "0.0.0.0:${LISTEN_PORT}");
  Scenario s2(cfg);
  auto f2 = with_id(lint_net(s2.net), "tproxy-no-listener");
  REQUIRE(f2.size() == 1);
  CHECK(f2[0].title.find("is not transparent") != std::string::npos);
}

TEST_CASE("lint: a MARK value no fwmark rule selects, and an fwmark rule nothing feeds", "[lint][mark]") {
  const std::string cfg = kTwoDevs +
                          "iptables -t mangle -A PREROUTING -i eth1 -p udp --dport 53 -j MARK --set-mark 0x2\n"
                          "ip rule add fwmark 0x5 lookup 200\n"
                          "ip route add default via 192.168.1.254 table 200\n";
  Scenario s(cfg);
  auto all = lint_net(s.net);
  auto m = with_id(all, "mark-not-routed");
  REQUIRE(m.size() == 1);
  CHECK(m[0].witness == "udp 192.168.1.2:40000 -> 1.2.3.4:53 iif eth1");
  CHECK(m[0].run.verdict.mark == 2);
  CHECK(m[0].run.verdict.rule == 32766u);
  replay(s, m[0]);
  auto r = with_id(all, "fwmark-rule-unused");
  REQUIRE(r.size() == 1);
  CHECK(s.set.files.line_text(r[0].loc) == "ip rule add fwmark 0x5 lookup 200");
  CHECK(r[0].run.verdict.rule != 32765u);
  CHECK(r[0].why.find("carrying mark 0x5 would use the rule") != std::string::npos);
  replay(s, r[0]);

  // clean neighbour: the MARK sets what the rule selects
  Scenario ok(kTwoDevs +
              "iptables -t mangle -A PREROUTING -i eth1 -p udp --dport 53 -j MARK --set-mark 0x5\n"
              "ip rule add fwmark 0x5 lookup 200\n"
              "ip route add default via 192.168.1.254 table 200\n");
  CHECK(lint_net(ok.net).empty());
  // a mark only matched by iptables is not meant for routing
  Scenario filt(kTwoDevs +
                "iptables -t mangle -A PREROUTING -i eth1 -p udp --dport 53 -j MARK --set-mark 0x2\n"
                "iptables -A FORWARD -m mark --mark 0x2 -j DROP\n");
  CHECK(with_id(lint_net(filt.net), "mark-not-routed").empty());
}

TEST_CASE("lint: a route via a veth without carrier, and a detached rule", "[lint][route]") {
  const std::string base = R"(
ip link add eth0 type dummy
ip addr add 10.0.0.1/24 dev eth0
ip link set eth0 up
ip link add vx type veth peer name vxp
ip addr add 10.9.0.1/24 dev vx
ip link set vx up
sysctl -w net.ipv4.ip_forward=1
ip route add 172.16.0.0/16 via 10.9.0.254 dev vx
ip route add default via 10.0.0.254 table 100
)";
  Scenario s(base + "ip rule add iif eth9 lookup 100\n");
  auto all = lint_net(s.net);
  auto d = with_id(all, "route-dev-down");
  REQUIRE(d.size() == 1);
  CHECK(s.set.files.line_text(d[0].loc) == "ip route add 172.16.0.0/16 via 10.9.0.254 dev vx");
  CHECK(d[0].title.find("which has no carrier") != std::string::npos);
  REQUIRE(d[0].run.verdict.egress);
  CHECK(d[0].run.verdict.egress->dev == "vx");
  replay(s, d[0]);
  auto r = with_id(all, "rule-dev-detached");
  REQUIRE(r.size() == 1);
  CHECK(r[0].title == "ip rule 32765 names iif eth9, which does not exist: the rule is detached");
  replay(s, r[0]);

  // clean neighbour: the peer is up and eth9 exists
  Scenario ok(base + "ip link set vxp up\nip link add eth9 type dummy\nip link set eth9 up\nip rule add iif eth9 lookup 100\n");
  CHECK(lint_net(ok.net).empty());
}

TEST_CASE("lint: strict rp_filter where an fwmark table routes the source back over the in-device", "[lint][rpfilter]") {
  const std::string base = R"(
ip link add wan1 type dummy
ip addr add 198.51.100.2/24 dev wan1
ip link set wan1 up
ip link add wan2 type dummy
ip addr add 203.0.113.2/24 dev wan2
ip link set wan2 up
ip route add default via 198.51.100.1
ip rule add fwmark 0x2 lookup 200
ip route add default via 203.0.113.1 dev wan2 table 200
iptables -t mangle -A PREROUTING -i wan2 -j CONNMARK --set-mark 0x2
iptables -t mangle -A OUTPUT -j CONNMARK --restore-mark
)";
  Scenario s(base + "sysctl -w net.ipv4.conf.all.rp_filter=1\n");
  auto f = with_id(lint_net(s.net), "rp-filter-policy-route");
  REQUIRE(f.size() == 1);
  CHECK(f[0].witness == "tcp 1.2.3.4:40000 -> 203.0.113.2:80 iif wan2 syn");
  CHECK(s.set.files.line_text(f[0].loc) == "sysctl -w net.ipv4.conf.all.rp_filter=1");
  CHECK(replay(s, f[0]).verdict.drop_reason == DropReason::IP_RPFILTER);
  Scenario loose(base + "sysctl -w net.ipv4.conf.all.rp_filter=2\n");
  CHECK(lint_net(loose.net).empty());
}

TEST_CASE("lint: DNAT to 127.0.0.1 and routes to 127/8 from outside without route_localnet", "[lint][localnet]") {
  const std::string base = R"(
ip link add eth0 type dummy
ip addr add 10.0.0.1/24 dev eth0
ip link set eth0 up
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 127.0.0.1:3000
#kpath socket tcp listen 127.0.0.1:3000
)";
  Scenario s(base + "ip route add 127.5.0.0/16 via 10.0.0.254 table 300\nip rule add from 10.0.0.0/24 lookup 300\n");
  auto f = with_id(lint_net(s.net), "localnet-from-outside");
  REQUIRE(f.size() == 2);
  CHECK(f[0].severity == LintFinding::Severity::error);
  CHECK(f[0].witness == "tcp 10.0.0.2:40000 -> 10.0.0.1:8080 iif eth0 syn");
  CHECK(replay(s, f[0]).verdict.drop_reason == DropReason::IP_LOCALNET);
  CHECK(f[1].severity == LintFinding::Severity::warning);
  CHECK(s.set.files.line_text(f[1].loc) == "ip route add 127.5.0.0/16 via 10.0.0.254 table 300");
  replay(s, f[1]);
  Scenario ok(base + "sysctl -w net.ipv4.conf.eth0.route_localnet=1\n");
  CHECK(lint_net(ok.net).empty());
}

TEST_CASE("lint: a v2ray-style TPROXY setup is clean; with a unicast table-100 route it is not", "[lint][tproxy]") {
  const std::string cfg = R"(
ip link add eth0 type dummy
ip addr add 192.168.1.10/24 dev eth0
ip link set eth0 up
ip route add default via 192.168.1.1
sysctl -w net.ipv4.ip_forward=1
#kpath socket tcp listen 127.0.0.1:12345 transparent
#kpath socket udp bind 127.0.0.1:12345 transparent
ip rule add fwmark 1 table 100
ip route add local 0.0.0.0/0 dev lo table 100
iptables -t mangle -N V2RAY
iptables -t mangle -A V2RAY -d 127.0.0.1/32 -j RETURN
iptables -t mangle -A V2RAY -d 224.0.0.0/4 -j RETURN
iptables -t mangle -A V2RAY -d 192.168.0.0/16 -p tcp -j RETURN
iptables -t mangle -A V2RAY -j RETURN -m mark --mark 0xff
iptables -t mangle -A V2RAY -p udp -j TPROXY --on-ip 127.0.0.1 --on-port 12345 --tproxy-mark 1
iptables -t mangle -A V2RAY -p tcp -j TPROXY --on-ip 127.0.0.1 --on-port 12345 --tproxy-mark 1
iptables -t mangle -A PREROUTING -j V2RAY
iptables -t mangle -N V2RAY_MASK
iptables -t mangle -A V2RAY_MASK -j RETURN -m mark --mark 0xff
iptables -t mangle -A V2RAY_MASK -p tcp -j MARK --set-mark 1
iptables -t mangle -A OUTPUT -j V2RAY_MASK
)";
  Scenario s(cfg);
  CHECK(lint_net(s.net).empty());
  std::string broken = cfg;
  const std::string local = "ip route add local 0.0.0.0/0";
  broken.replace(broken.find(local), local.size(), "ip route add 0.0.0.0/0");
  Scenario b(broken);
  auto f = with_id(lint_net(b.net), "tproxy-route-not-local");
  REQUIRE(f.size() == 1);  // both TPROXY rules lead to the same route: one finding
  replay(b, f[0]);
}

TEST_CASE("lint: JSON output", "[lint]") {
  Scenario s(read_file(kStory + "broken.sh"));
  auto j = render_lint_json(lint_net(s.net), s.set.files);
  CHECK(j["errors"] == 1);
  CHECK(j["warnings"] == 0);
  const auto& f = j["findings"][0];
  CHECK(f["id"] == "tproxy-route-not-local");
  CHECK(f["severity"] == "error");
  CHECK(f["source"]["line"] == 25);
  CHECK(f["witness"]["packet"] == "tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn");
  CHECK(f["witness"]["drop_reason"] == "IP_INADDRERRORS");
  CHECK(f["witness"]["counters"]["IpInAddrErrors"] == 1);
}

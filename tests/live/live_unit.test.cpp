// The parts of `kpath live` that need no root: the commands that rebuild a HostConfig, the
// injected frame's bytes, the trace follower and the comparison. (The live tests themselves
// are in live_tests.cmake.)
#include <catch2/catch.hpp>
#include <algorithm>
#include <fstream>
#include <sstream>
#include "sim/live/apply.hpp"
#include "sim/live/compare.hpp"
#include "sim/live/frame.hpp"
#include "sim/live/inject.hpp"
#include "sim/live/observe.hpp"
#include "tests/support/run_script.hpp"

using namespace kpath;
using namespace kpath::live;

namespace {

std::string story(const char* which) {
  std::ifstream in(std::string(KPATH_SOURCE_DIR) + "/examples/tproxy-local-route/" + which);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string joined(const Step& s) {
  std::string r;
  for (auto& a : s.argv) r += (r.empty() ? "" : " ") + a;
  return r;
}

bool has_step(const std::vector<Step>& steps, const std::string& text) {
  return std::any_of(steps.begin(), steps.end(), [&](const Step& s) { return joined(s).find(text) != std::string::npos; });
}

uint16_t ones_sum(const std::vector<uint8_t>& b, size_t off, size_t len, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(b[off + i] << 8 | b[off + i + 1]);
  if (len & 1) sum += static_cast<uint32_t>(b[off + len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

}  // namespace

TEST_CASE("live: the story's DUT is rebuilt from the HostConfig with ip, iptables-restore and sysctl", "[live]") {
  test::Scenario s(story("broken.sh"));
  const HostConfig& h = s.set.hosts[0];
  const Topology t = plan_topology(h, "veth-server", "kpl-1", 1);
  REQUIRE(t.find("veth-server")->role == DevPlan::Role::in_dev);
  CHECK(t.find("veth-server")->peer_ns == "kpl-1-cli");
  // veth-client's peer (veth-server) is the in-device: it gets an upstream peer of its own.
  CHECK(t.find("veth-client")->role == DevPlan::Role::upstream);
  const auto steps = dut_steps(h, t);
  CHECK(has_step(steps, "ip -n kpl-1-dut link add veth-server type veth peer name kpl1c netns kpl-1-cli"));
  CHECK(has_step(steps, "ip -n kpl-1-dut link add veth-client type veth peer name kpu1 netns kpl-1-up"));
  CHECK(has_step(steps, "ip -n kpl-1-dut addr add 10.200.0.2/24 scope 0 dev veth-server"));
  CHECK(has_step(steps, "ip -n kpl-1-dut rule add pref 32765 fwmark 0x1 table 100"));
  CHECK(has_step(steps, "ip -n kpl-1-dut route append unicast 0.0.0.0/0 table 100 proto 3 scope 254 dev veth-server"));
  auto restore = std::find_if(steps.begin(), steps.end(), [](const Step& x) { return joined(x).find("iptables-restore") != std::string::npos; });
  REQUIRE(restore != steps.end());
  CHECK(restore->input.find("*mangle\n") == 0);
  CHECK(restore->input.find(":DIVERT - [0:0]") != std::string::npos);
  CHECK(restore->input.find("-A PREROUTING -p tcp -j TPROXY --on-port 9999 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1") != std::string::npos);
  // Every modelled knob is written, for all, default and each device (a namespace inherits the host's).
  const Step& sysctl = steps.back();
  const std::string sj = joined(sysctl);
  CHECK(sj.find("net/ipv4/ip_forward=0") != std::string::npos);
  CHECK(sj.find("net/ipv4/conf/all/rp_filter=0") != std::string::npos);
  CHECK(sj.find("net/ipv4/conf/default/rp_filter=0") != std::string::npos);
  CHECK(sj.find("net/ipv4/conf/veth-server/src_valid_mark=0") != std::string::npos);
  CHECK(sj.find("net/ipv4/tcp_syncookies=1") != std::string::npos);
  CHECK(sj.find("mc_forwarding") == std::string::npos);  // read-only
}

TEST_CASE("live: without ip rule changes the rule list is left alone", "[live]") {
  test::Scenario s("ip link add eth0 type dummy\nip addr add 10.0.0.1/24 dev eth0\nip link set eth0 up\n");
  const HostConfig& h = s.set.hosts[0];
  const auto steps = dut_steps(h, plan_topology(h, "eth0", "kpl-2", 2));
  CHECK_FALSE(has_step(steps, " rule "));
  CHECK(has_step(steps, "link add eth0 type veth peer name kpl2c netns kpl-2-cli"));
}

TEST_CASE("live: the injected frame has correct IPv4 and TCP checksums", "[live]") {
  test::Scenario s(story("fixed.sh"));
  kernel::Packet p = parse_packet_spec("tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn", s.net, 1);
  const Mac src{2, 0, 0, 0, 0, 1}, dst{2, 0, 0, 0, 0, 2};
  const auto f = build_frame(p, src, dst);
  REQUIRE(f.size() == 14 + 40);
  CHECK(std::equal(dst.begin(), dst.end(), f.begin()));
  CHECK(ones_sum(f, 14, 20) == 0xffff);  // header checksum verifies
  const uint32_t pseudo = 0x0ac8 + 0x0001 + 0x0102 + 0x0304 + 6 + 20;
  CHECK(ones_sum(f, 34, 20, pseudo) == 0xffff);
  const Decoded d = decode_frame(f.data(), f.size());
  CHECK(d.ipv4);
  CHECK(d.tcp_flags == kernel::TCPHDR_SYN);
  CHECK(d.dport == 80);
  CHECK(d.id == kInjectId);
  // otherhost: a unicast MAC that is not the DUT's
  p.pkt_type = kernel::PktType::OTHERHOST;
  const auto o = build_frame(p, src, dst);
  CHECK_FALSE(std::equal(dst.begin(), dst.end(), o.begin()));
  CHECK((o[0] & 1) == 0);
}

TEST_CASE("live: ARP requests are answered with the chosen MAC", "[live]") {
  std::vector<uint8_t> rq = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1,
                             2, 0, 0, 0, 0, 9, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 172, 16, 5, 5};
  auto t = arp_request_target(rq);
  REQUIRE(t);
  CHECK(kernel::to_string(*t) == "172.16.5.5");
  const auto r = arp_reply(rq, Mac{2, 0x6b, 0x70, 0, 0, 1});
  CHECK(r[21] == 2);
  CHECK(std::equal(rq.begin() + 38, rq.begin() + 42, r.begin() + 28));
}

TEST_CASE("live: the trace follower finds the injected skb's fate among other traffic", "[live]") {
  const std::string trace =
      "# tracer: nop\n"
      "          <idle>-0       [001] ..s1.  100.000001: netif_receive_skb: dev=veth-server skbaddr=00000000deadbeef len=40\n"
      "          <idle>-0       [001] ..s1.  100.000002: kfree_skb: skbaddr=00000000deadbeef rx_sk=0000000000000000 protocol=2048 location=nft_do_chain+0x3e8/0x610 reason: NETFILTER_DROP\n"
      "          python-9       [000] .....  100.100000: net_dev_xmit: dev=kpl7c skbaddr=00000000c663a411 len=54 rc=0\n"
      "          python-9       [000] ..s1.  100.100003: netif_receive_skb: dev=veth-server skbaddr=00000000c663a411 len=40\n"
      "          python-9       [001] ..s1.  100.100004: fib_table_lookup: table 254 oif 0 iif 3 proto 0 10.200.0.1/0 -> 1.2.3.4/0 tos 0 scope 0 flags 0 ==> dev - gw 0.0.0.0/:: err 0\n"
      "          python-9       [000] ..s1.  100.100019: fib_table_lookup: table 255 oif 0 iif 3 proto 0 10.200.0.1/0 -> 1.2.3.4/0 tos 0 scope 0 flags 0 ==> dev - gw 0.0.0.0/:: err -11\n"
      "          python-9       [000] ..s1.  100.100022: fib_table_lookup: table 100 oif 0 iif 3 proto 0 10.200.0.1/0 -> 1.2.3.4/0 tos 0 scope 0 flags 0 ==> dev veth-server gw 0.0.0.0/:: err 0\n"
      "          python-9       [000] ..s1.  100.100025: kfree_skb: skbaddr=00000000c663a411 rx_sk=0000000000000000 protocol=2048 location=ip_error+0x94/0x210 reason: IP_INADDRERRORS\n";
  kernel::Packet p;
  p.saddr = *kernel::parse_ipv4("10.200.0.1");
  const SkbTrace t = follow_skb(parse_trace(trace), "kpl7c", "veth-server", 3, p);
  CHECK(t.sent);
  CHECK(t.received);
  CHECK(t.end == "kfree_skb");
  CHECK(t.reason == "IP_INADDRERRORS");
  CHECK(t.location == "ip_error+0x94/0x210");
  REQUIRE(t.table);
  CHECK(*t.table == 100);  // the other CPU's table 254 lookup is someone else's
}

TEST_CASE("live: counters that nobody predicts are left out of the comparison", "[live]") {
  Counters before = {{"IpInReceives", 10}, {"IpExtInOctets", 100}, {"TcpCurrEstab", 1}};
  Counters after = {{"IpInReceives", 11}, {"IpExtInOctets", 144}, {"IpExtInNoECTPkts", 1}, {"TcpCurrEstab", 2}, {"IpInAddrErrors", 1}};
  const Counters d = counter_delta(before, after);
  CHECK(d == Counters{{"IpInAddrErrors", 1}, {"IpInReceives", 1}});
}

TEST_CASE("live: comparison rows agree, differ, or cannot be observed", "[live]") {
  test::Scenario s(story("broken.sh"));
  const Explanation e = s.run("tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn");
  Observation o;
  o.disposition = "drop";
  o.skb.reason = "IP_INADDRERRORS";
  o.skb.location = "ip_error+0x94/0x210";
  o.skb.table = 100;
  o.counters = {{"IpInReceives", 1}, {"IpInAddrErrors", 1}};
  Comparison c = compare(e.verdict, o, s.set.hosts[0], nullptr);
  CHECK(c.disagreements() == 0);
  auto rule = std::find_if(c.rows.begin(), c.rows.end(), [](const Row& r) { return r.field == "rule"; });
  REQUIRE(rule != c.rows.end());
  CHECK(rule->status == Row::Status::unobservable);
  o.counters["TcpExtListenDrops"] = 1;
  o.skb.reason = "NOT_SPECIFIED";
  c = compare(e.verdict, o, s.set.hosts[0], nullptr);
  CHECK(c.disagreements() == 2);
  CHECK(render_comparison(c, false).find("TcpExtListenDrops  -                +1") != std::string::npos);
}

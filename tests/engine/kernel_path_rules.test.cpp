// Policy-routing selectors, route selection details and forwarding extras. Expectations follow
// shared/kernel-path.md §9-§11 and §15; the same configs and packets live in tests/live/fidelity/
// (rule-from, rule-not-to, rule-iif, rule-oif, rule-fwmark-*, rule-tos, rule-ipproto-dport,
// rule-uidrange, rule-nop-goto, rule-suppress-ifgroup, rule-unreachable-route-stops, route-metric,
// redirect, frag, masquerade, forward-reject-rst), where ctest runs them through `kpath live`
// against this machine's kernel and through `kpath test` offline: both must meet the expectations.
#include <catch2/catch.hpp>
#include "tests/support/run_script.hpp"

using namespace kpath;
using namespace kpath::kernel;
using kpath::test::Scenario;
using kpath::test::ctr;

namespace {
const std::string B = R"(
ip link add vr type veth peer name vc
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vc up
ip link add vo type veth peer name vp
ip addr add 172.16.0.1/24 dev vo
ip link set vo up
ip link set vp up
sysctl -w net.ipv4.ip_forward=1
ip route add 10.0.0.0/8 via 172.16.0.2
ip route add 10.5.0.0/16 via 172.16.0.3 table 200
)";
uint32_t table_of(const std::string& extra, const std::string& pkt) {
  auto e = Scenario(B + extra).run(pkt);
  return e.verdict.table.value_or(0);
}
const std::string P = "tcp 192.168.1.2:40000 -> 10.5.0.9:80 iif vr syn";
}  // namespace

TEST_CASE("fib4_rule_match: from / to / not [S §9.3]", "[kernel][fib_rules]") {
  CHECK(table_of("ip rule add from 192.168.1.0/24 lookup 200\n", P) == 200);
  CHECK(table_of("ip rule add from 192.168.2.0/24 lookup 200\n", P) == 254);
  CHECK(table_of("ip rule add to 10.5.0.0/16 lookup 200\n", P) == 200);
  CHECK(table_of("ip rule add not to 10.5.0.0/16 lookup 200\n", P) == 254);
  CHECK(table_of("ip rule add not from 192.168.2.0/24 lookup 200\n", P) == 200);
}

TEST_CASE("fib4_rule_match: iif matches the in-device, oif never matches input [S §9.3]", "[kernel][fib_rules]") {
  CHECK(table_of("ip rule add iif vr lookup 200\n", P) == 200);
  CHECK(table_of("ip rule add iif vo lookup 200\n", P) == 254);
  CHECK(table_of("ip rule add oif vo lookup 200\n", P) == 254);
  CHECK(table_of("ip rule add iif nosuchdev lookup 200\n", P) == 254);  // detached rule never matches
}

TEST_CASE("fib4_rule_match: fwmark value/mask, fwmark 0 matches all [S §9.3]", "[kernel][fib_rules]") {
  CHECK(table_of("ip rule add fwmark 0x10/0xf0 lookup 200\n", P + " mark 0x13") == 200);
  CHECK(table_of("ip rule add fwmark 0x10/0xf0 lookup 200\n", P + " mark 0x23") == 254);
  CHECK(table_of("ip rule add fwmark 0x10 lookup 200\n", P + " mark 0x13") == 254);
  CHECK(table_of("ip rule add fwmark 0 lookup 200\n", P + " mark 0x13") == 200);
}

TEST_CASE("fib4_rule_match: tos, ipproto, sport/dport ranges, uidrange [S §9.3]", "[kernel][fib_rules]") {
  CHECK(table_of("ip rule add tos 0x10 lookup 200\n", P + " tos 0x10") == 200);
  CHECK(table_of("ip rule add tos 0x10 lookup 200\n", P) == 254);
  CHECK(table_of("ip rule add ipproto tcp lookup 200\n", P) == 200);
  CHECK(table_of("ip rule add ipproto udp lookup 200\n", P) == 254);
  CHECK(table_of("ip rule add dport 70-90 lookup 200\n", P) == 200);
  CHECK(table_of("ip rule add dport 81-90 lookup 200\n", P) == 254);
  CHECK(table_of("ip rule add sport 40000 lookup 200\n", P) == 200);
  CHECK(table_of("ip rule add uidrange 0-0 lookup 200\n", P) == 200);     // input lookups use uid 0
  CHECK(table_of("ip rule add uidrange 1000-2000 lookup 200\n", P) == 254);
}

TEST_CASE("fib_rules_lookup: nop continues, an unresolved goto is a nop, suppress_ifgroup [S §9.4]", "[kernel][fib_rules]") {
  CHECK(table_of("ip rule add pref 10 nop\nip rule add pref 20 lookup 200\n", P) == 200);
  CHECK(table_of("ip rule add pref 10 goto 30\nip rule add pref 20 lookup 200\n", P) == 200);
  CHECK(table_of("ip link set vo group 7\nip rule add pref 10 lookup main suppress_ifgroup 7\nip rule add pref 20 lookup 200\n", P) == 200);
}

TEST_CASE("an unreachable route in an earlier table stops the walk [L §9.4]", "[kernel][fib_rules]") {
  auto e = Scenario(B + "ip rule add pref 10 lookup 300\nip route add unreachable 10.5.0.0/16 table 300\nip rule add pref 20 lookup 200\n").run(P);
  REQUIRE(e.verdict.icmp);
  CHECK(*e.verdict.icmp == std::make_pair(3, 1));
}

TEST_CASE("fib_table_lookup: metric ties and dead nexthops fall back [S §10]", "[kernel][fib]") {
  // lower metric first
  auto m = Scenario(B + "ip route add 10.6.0.0/16 via 172.16.0.5 metric 10\nip route add 10.6.0.0/16 via 192.168.1.5 metric 5\n").run("tcp 192.168.1.2:1 -> 10.6.0.1:80 iif vr syn");
  CHECK(m.verdict.egress->dev == "vr");
  // a route through a device that went down is gone; the shorter prefix answers
  auto d = Scenario(B + "ip link add vx type veth peer name vy\nip addr add 172.17.0.1/24 dev vx\nip link set vx up\nip link set vy up\n"
                        "ip route add 10.7.0.0/16 via 172.17.0.2\nip link set vx down\n").run("tcp 192.168.1.2:1 -> 10.7.0.1:80 iif vr syn");
  CHECK(d.verdict.egress->dev == "vo");
}

TEST_CASE("forwarding back out of the in-device sends a redirect and still forwards [L §15.1 step 13]", "[kernel][forward]") {
  auto e = Scenario(B + "ip route add 10.8.0.0/16 via 192.168.1.3\n").run("tcp 192.168.1.2:1 -> 10.8.0.1:80 iif vr syn");
  CHECK(e.verdict.disposition == Disposition::forward);
  CHECK(e.verdict.egress->dev == "vr");
  CHECK(ctr(e, Snmp::IcmpOutRedirects) == 1);
  CHECK(ctr(e, Snmp::IcmpMsgOutType5) == 1);
  CHECK(ctr(e, Snmp::IpOutRequests) == 1);
  CHECK(ctr(e, Snmp::IpOutTransmits) == 2);
  CHECK(ctr(e, Snmp::IpForwDatagrams) == 1);
}

TEST_CASE("POSTROUTING SNAT/MASQUERADE are recorded; FORWARD REJECT with tcp-reset [S §15.2]", "[kernel][forward]") {
  auto m = Scenario(B + "iptables -t nat -A POSTROUTING -o vo -j MASQUERADE\n").run("tcp 192.168.1.2:1 -> 10.1.0.1:80 iif vr syn");
  CHECK(m.verdict.disposition == Disposition::forward);
  bool masq = false;
  for (auto& s : m.steps) if (s.function == "masquerade_tg" && s.detail.find("172.16.0.1") != std::string::npos) masq = true;
  CHECK(masq);
  auto r = Scenario(B + "iptables -A FORWARD -p tcp --dport 80 -j REJECT --reject-with tcp-reset\n").run("tcp 192.168.1.2:1 -> 10.1.0.1:80 iif vr syn");
  CHECK(r.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(r.verdict.reply == ReplyKind::rst);
}

TEST_CASE("fragmentation on output for a non-DF packet larger than the MTU [L §15.2]", "[kernel][forward]") {
  auto e = Scenario(B + "ip link set vo mtu 1000\n").run("tcp 192.168.1.2:1 -> 10.1.0.1:80 iif vr syn len 1400");
  CHECK(e.verdict.disposition == Disposition::forward);
  CHECK(ctr(e, Snmp::IpFragOKs) == 1);
  CHECK(ctr(e, Snmp::IpFragCreates) == 2);
  CHECK(ctr(e, Snmp::IpOutTransmits) == 2);
}

TEST_CASE("UDP: a socket bound to a specific address, limited broadcast with a socket, established TCP", "[kernel][local]") {
  Scenario s(B + "#kpath socket udp bind 192.168.1.1:53\n#kpath socket udp bind 0.0.0.0:67\n#kpath socket tcp established 192.168.1.1:22 192.168.1.2:50000\n");
  CHECK(s.run("udp 192.168.1.2:1 -> 192.168.1.1:53 iif vr").verdict.socket->port == 53);
  auto b = s.run("udp 0.0.0.0:68 -> 255.255.255.255:67 iif vr broadcast");
  CHECK(b.verdict.disposition == Disposition::deliver);
  CHECK(ctr(b, Snmp::IpExtInBcastPkts) == 1);
  auto t = s.run("tcp 192.168.1.2:50000 -> 192.168.1.1:22 iif vr ack");
  CHECK(t.verdict.disposition == Disposition::deliver);
  CHECK(t.verdict.reply == ReplyKind::none);
}

TEST_CASE("TCP to a listener: a bare ACK gets a RST (TCP_FLAGS), a RST is dropped (TCP_RESET) [L kpath live]", "[kernel][tcp]") {
  Scenario s(B + "#kpath socket tcp listen 0.0.0.0:80\n");
  auto a = s.run("tcp 192.168.1.2:1 -> 192.168.1.1:80 iif vr ack");
  CHECK(a.verdict.reply == ReplyKind::rst);
  CHECK(a.verdict.drop_reason == DropReason::TCP_FLAGS);
  CHECK(a.verdict.drop_function == "tcp_v4_do_rcv");
  CHECK(ctr(a, Snmp::TcpOutRsts) == 1);
  auto r = s.run("tcp 192.168.1.2:1 -> 192.168.1.1:80 iif vr rst");
  CHECK(r.verdict.drop_reason == DropReason::TCP_RESET);
  CHECK(r.verdict.drop_function == "tcp_rcv_state_process");
  CHECK(r.verdict.reply == ReplyKind::none);
}

TEST_CASE("SYN to a listener whose SYN-ACK has no route back: IpOutNoRoutes, ListenDrops, nothing sent [L kpath live]", "[kernel][tcp]") {
  Scenario s(B + "#kpath socket tcp listen 0.0.0.0:80\nip route add blackhole 10.66.0.0/16\n");
  auto e = s.run("tcp 10.66.1.1:1 -> 192.168.1.1:80 iif vr syn");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.reply == ReplyKind::none);
  CHECK(ctr(e, Snmp::IpOutNoRoutes) == 1);
  CHECK(ctr(e, Snmp::TcpExtListenDrops) == 1);
  CHECK(ctr(e, Snmp::TcpOutSegs) == 0);
}

TEST_CASE("multicast to 224.0.0.1 (all hosts) is delivered; IpExtInMcastPkts [S §8.2]", "[kernel][local]") {
  auto e = Scenario(B).run("udp 192.168.1.2:1 -> 224.0.0.1:9 iif vr multicast");
  CHECK(ctr(e, Snmp::IpExtInMcastPkts) == 1);
  CHECK(ctr(e, Snmp::UdpIgnoredMulti) == 1);
}

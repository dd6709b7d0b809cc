// More receive-path branches, each reproduced on the live 6.18 kernel in shared/kernel-path.md
// (scenario numbers cited) or in notes/live-observations.md.
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
)";
}

TEST_CASE("§14.4 ICMP echo to a local address is answered; counters of both directions", "[kernel][icmp]") {
  auto e = Scenario(B).run("icmp 192.168.1.2 -> 192.168.1.1 iif vr");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.reply == ReplyKind::echo_reply);
  CHECK(ctr(e, Snmp::IpInDelivers) == 1);
  CHECK(ctr(e, Snmp::IcmpInMsgs) == 1);
  CHECK(ctr(e, Snmp::IcmpInEchos) == 1);
  CHECK(ctr(e, Snmp::IcmpMsgInType8) == 1);
  CHECK(ctr(e, Snmp::IcmpOutMsgs) == 1);
  CHECK(ctr(e, Snmp::IcmpOutEchoReps) == 1);
  CHECK(ctr(e, Snmp::IcmpMsgOutType0) == 1);
  CHECK(ctr(e, Snmp::IpOutRequests) == 1);
  CHECK(ctr(e, Snmp::IpOutTransmits) == 1);
}

TEST_CASE("§14.4 echo to a subnet broadcast is ignored (icmp_echo_ignore_broadcasts): INVALID_PROTO", "[kernel][icmp]") {
  auto e = Scenario(B).run("icmp 192.168.1.2 -> 192.168.1.255 iif vr");
  CHECK(e.verdict.drop_reason == DropReason::INVALID_PROTO);
  CHECK(e.verdict.drop_function == "icmp_rcv");
  CHECK(ctr(e, Snmp::IpExtInBcastPkts) == 1);
  CHECK(ctr(e, Snmp::IcmpInErrors) == 1);
  CHECK(ctr(e, Snmp::IcmpInMsgs) == 1);
  CHECK(ctr(e, Snmp::IpInDelivers) == 1);
  CHECK(e.verdict.reply == ReplyKind::none);
}

TEST_CASE("T36 TCP to a closed local port with TTL 1: RST (TTL only matters when forwarding)", "[kernel][tcp]") {
  auto e = Scenario(B).run("tcp 192.168.1.2:40000 -> 192.168.1.1:9999 iif vr syn ttl 1");
  CHECK(e.verdict.drop_reason == DropReason::NO_SOCKET);
  CHECK(e.verdict.reply == ReplyKind::rst);
  CHECK(ctr(e, Snmp::IpInDelivers) == 1);
  CHECK(ctr(e, Snmp::TcpInSegs) == 1);
  CHECK(ctr(e, Snmp::TcpOutSegs) == 1);
  CHECK(ctr(e, Snmp::TcpOutRsts) == 1);
  CHECK(ctr(e, Snmp::IpOutRequests) == 1);
  CHECK(ctr(e, Snmp::IpOutTransmits) == 1);
}

TEST_CASE("live case 7: TPROXY without --dport also diverts SYNs to our own address", "[kernel][tproxy]") {
  // notes/live-observations.md case 7: SYN to 10.200.0.2:22 goes to the 9999 listener, no RST.
  Scenario s(B + R"(
iptables -t mangle -A PREROUTING -p tcp -j TPROXY --tproxy-mark 0x1/0x1 --on-port 9999
ip rule add fwmark 1 lookup 100
ip route add local default dev vr table 100
#kpath socket tcp listen 0.0.0.0:9999 transparent
#kpath socket tcp listen 0.0.0.0:22
)");
  auto e = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.socket->port == 9999);
  CHECK(e.verdict.reply == ReplyKind::syn_ack);
  CHECK(e.verdict.table == 255u);  // rule 0: table local answers first
}

TEST_CASE("live case 6: UDP is not matched by a -p tcp TPROXY rule and has no route", "[kernel][tproxy]") {
  Scenario s(B + R"(
iptables -t mangle -A PREROUTING -p tcp -j TPROXY --tproxy-mark 0x1/0x1 --on-port 9999
ip rule add fwmark 1 lookup 100
ip route add default dev vr scope host table 100
#kpath socket tcp listen 0.0.0.0:9999 transparent
)");
  auto e = s.run("udp 192.168.1.2:40000 -> 1.2.3.4:53 iif vr");
  CHECK(e.verdict.drop_reason == DropReason::IP_INADDRERRORS);
  CHECK(e.verdict.mark == 0);
  CHECK_FALSE(e.verdict.table);  // local, main and default all answer -EAGAIN: no table decided
}

TEST_CASE("T50 UDP: TPROXY in mangle then REDIRECT in nat: routed by the new destination, delivered to TPROXY's socket", "[kernel][nat]") {
  Scenario s(B + R"(
ip rule add fwmark 1 lookup 100
ip route add local default dev lo table 100
iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-port 7892 --tproxy-mark 1
iptables -t nat -A PREROUTING -p udp --dport 53 -j REDIRECT --to-ports 1053
#kpath socket udp bind 0.0.0.0:7892 transparent
#kpath socket udp bind 0.0.0.0:1053
)");
  auto e = s.run("udp 192.168.1.2:40000 -> 8.8.8.8:53 iif vr");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.socket->port == 7892);
  CHECK(ctr(e, Snmp::IpInReceives) == 1);
  CHECK(ctr(e, Snmp::IpInDelivers) == 1);
  CHECK(kpath::test::ctr_total(e) == 2);
}

TEST_CASE("§17.4 DNAT in nat PREROUTING: the route lookup uses the new destination", "[kernel][nat]") {
  Scenario s(B + R"(
ip link add vo type veth peer name vp
ip addr add 172.16.0.1/24 dev vo
ip link set vo up
ip link set vp up
sysctl -w net.ipv4.ip_forward=1
iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 172.16.0.2:8080
)");
  auto e = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:80 iif vr syn");
  CHECK(e.verdict.disposition == Disposition::forward);
  CHECK(e.verdict.egress->dev == "vo");
  CHECK(ctr(e, Snmp::IpForwDatagrams) == 1);
}

TEST_CASE("T44 source-route option with accept_source_route 0: dropped silently", "[kernel][ip_rcv]") {
  auto e = Scenario(B).run("tcp 192.168.1.2:40000 -> 192.168.1.1:80 iif vr syn lsrr");
  CHECK(e.verdict.drop_reason == DropReason::NOT_SPECIFIED);
  CHECK(e.verdict.drop_function == "ip_rcv_finish_core");
  CHECK(kpath::test::ctr_total(e) == 1);
}

TEST_CASE("T45 anycast route: martian destination", "[kernel][fib]") {
  auto e = Scenario(B + "sysctl -w net.ipv4.ip_forward=1\nip route add anycast 10.0.0.5 dev vr table local\n")
               .run("tcp 192.168.1.2:40000 -> 10.0.0.5:80 iif vr syn");
  CHECK(e.verdict.drop_reason == DropReason::IP_INVALID_DEST);
}

TEST_CASE("socket match (-m socket) DIVERT: an established transparent socket marks and accepts", "[kernel][tproxy]") {
  Scenario s(B + R"(
iptables -t mangle -N DIVERT
iptables -t mangle -A PREROUTING -p tcp -m socket -j DIVERT
iptables -t mangle -A DIVERT -j MARK --set-mark 1
iptables -t mangle -A DIVERT -j ACCEPT
iptables -t mangle -A PREROUTING -p tcp -j TPROXY --tproxy-mark 0x1/0x1 --on-port 9999
ip rule add fwmark 1 lookup 100
ip route add local default dev vr table 100
#kpath socket tcp listen 0.0.0.0:9999 transparent
#kpath socket tcp established 1.2.3.4:80 192.168.1.2:40000 transparent
)");
  auto e = s.run("tcp 192.168.1.2:40000 -> 1.2.3.4:80 iif vr ack");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.mark == 1);
  bool divert = false;
  for (auto& st : e.steps) if (st.detail.find("DIVERT rule 1") != std::string::npos) divert = true;
  CHECK(divert);
}

TEST_CASE("conntrack-lite: --ctstate NEW vs ESTABLISHED from the socket table", "[kernel][netfilter]") {
  Scenario s(B + R"(
iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT
iptables -P INPUT DROP
#kpath socket tcp listen 0.0.0.0:22
#kpath socket tcp established 192.168.1.1:80 192.168.1.2:40000
)");
  CHECK(s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:80 iif vr ack").verdict.disposition == Disposition::deliver);
  CHECK(s.run("tcp 192.168.1.2:40001 -> 192.168.1.1:22 iif vr syn").verdict.disposition == Disposition::deliver);
  auto d = s.run("tcp 192.168.1.2:40001 -> 192.168.1.1:80 iif vr syn");
  CHECK(d.verdict.drop_reason == DropReason::NETFILTER_DROP);
}

// Receive-path fidelity tests. Each expectation comes from the live 6.18 kernel of a machine of
// this kind: "T<nn>" cites the scenario in shared/kernel-path.md §23 (reproduced live there),
// "live case N" cites notes/live-observations.md (reproduced in namespaces this session).
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
)";
const std::string O = R"(
ip link add vo type veth peer name vp
ip addr add 172.16.0.1/24 dev vo
ip link set vo up
)";
const std::string TP = R"(
iptables -t mangle -A PREROUTING -p tcp --dport 80 -j TPROXY --on-port 8080 --tproxy-mark 0x1/0x1
ip rule add fwmark 0x1/0x1 lookup 100
#kpath socket tcp listen 0.0.0.0:8080 transparent
)";
const std::string SYN = "tcp 192.168.1.2:40000 -> 10.0.0.5:80 iif vr syn";
}  // namespace

TEST_CASE("T01 TPROXY broken (unicast route in table 100), forwarding off: ip_error IP_INADDRERRORS", "[kernel][tproxy]") {
  Scenario s(B + TP + "ip route add default dev lo scope host table 100\n");
  auto e = s.run(SYN);
  CHECK(e.verdict.disposition == Disposition::drop);
  CHECK(e.verdict.drop_reason == DropReason::IP_INADDRERRORS);
  CHECK(e.verdict.drop_function == "ip_error");
  CHECK(ctr(e, Snmp::IpInReceives) == 1);
  CHECK(ctr(e, Snmp::IpInAddrErrors) == 1);
  CHECK(kpath::test::ctr_total(e) == 2);
  CHECK_FALSE(e.verdict.icmp);
  CHECK(e.verdict.mark == 1);
  CHECK(e.verdict.table == 100u);
  CHECK(e.verdict.rule == 32765u);
}

TEST_CASE("T02 TPROXY fixed (local default): delivered to the listener, SYN-ACK", "[kernel][tproxy]") {
  Scenario s(B + TP + "ip route add local default dev lo table 100\n");
  auto e = s.run(SYN);
  CHECK(e.verdict.disposition == Disposition::deliver);
  REQUIRE(e.verdict.socket);
  CHECK(e.verdict.socket->port == 8080);
  CHECK(e.verdict.reply == ReplyKind::syn_ack);
  CHECK(ctr(e, Snmp::IpInReceives) == 1);
  CHECK(ctr(e, Snmp::IpInDelivers) == 1);
  CHECK(ctr(e, Snmp::TcpInSegs) == 1);
  CHECK(ctr(e, Snmp::TcpOutSegs) == 1);
  CHECK(ctr(e, Snmp::IpOutRequests) == 1);
  CHECK(ctr(e, Snmp::IpOutTransmits) == 1);
  CHECK(kpath::test::ctr_total(e) == 6);
}

TEST_CASE("T03 TPROXY broken with forwarding on: silent drop in ip_forward (socket attached)", "[kernel][tproxy]") {
  Scenario s(B + TP + "ip route add default dev lo scope host table 100\nsysctl -w net.ipv4.ip_forward=1\n");
  auto e = s.run(SYN);
  CHECK(e.verdict.drop_reason == DropReason::NOT_SPECIFIED);
  CHECK(e.verdict.drop_function == "ip_forward");
  CHECK(ctr(e, Snmp::IpInReceives) == 1);
  CHECK(kpath::test::ctr_total(e) == 1);
  CHECK_FALSE(e.verdict.icmp);
}

TEST_CASE("T04 TPROXY broken via the in-device, forwarding on: no redirect, dropped in ip_forward", "[kernel][tproxy]") {
  Scenario s(B + TP + "ip route add default dev vr scope host table 100\nsysctl -w net.ipv4.ip_forward=1\n");
  auto e = s.run(SYN);
  CHECK(e.verdict.drop_function == "ip_forward");
  CHECK(kpath::test::ctr_total(e) == 1);
  CHECK_FALSE(e.verdict.icmp);
}

TEST_CASE("T05 TPROXY with a non-transparent listener: NETFILTER_DROP", "[kernel][tproxy]") {
  Scenario s(B + R"(
iptables -t mangle -A PREROUTING -p tcp --dport 80 -j TPROXY --on-port 8080 --tproxy-mark 0x1/0x1
ip rule add fwmark 0x1/0x1 lookup 100
ip route add local default dev lo table 100
#kpath socket tcp listen 0.0.0.0:8080
)");
  auto e = s.run(SYN);
  CHECK(e.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(e.verdict.drop_function == "nft_do_chain");
  CHECK(kpath::test::ctr_total(e) == 1);
}

TEST_CASE("T06 TPROXY with no listener; a 127.0.0.1-only listener is not found without --on-ip", "[kernel][tproxy]") {
  Scenario none(B + "iptables -t mangle -A PREROUTING -p tcp --dport 81 -j TPROXY --on-port 8081 --tproxy-mark 1\n");
  CHECK(none.run("tcp 192.168.1.2:40000 -> 10.0.0.5:81 iif vr syn").verdict.drop_reason == DropReason::NETFILTER_DROP);
  Scenario lo(B + "iptables -t mangle -A PREROUTING -p tcp --dport 81 -j TPROXY --on-port 8081 --tproxy-mark 1\n#kpath socket tcp listen 127.0.0.1:8081 transparent\n");
  CHECK(lo.run("tcp 192.168.1.2:40000 -> 10.0.0.5:81 iif vr syn").verdict.drop_reason == DropReason::NETFILTER_DROP);
  Scenario onip(B + R"(
iptables -t mangle -A PREROUTING -p tcp --dport 81 -j TPROXY --on-ip 127.0.0.1 --on-port 8081 --tproxy-mark 1
ip rule add fwmark 1 lookup 100
ip route add local default dev lo table 100
#kpath socket tcp listen 127.0.0.1:8081 transparent
)");
  auto e = onip.run("tcp 192.168.1.2:40000 -> 10.0.0.5:81 iif vr syn");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.socket->port == 8081);
}

TEST_CASE("T07 TPROXY for UDP: delivered, no UdpInDatagrams until read", "[kernel][tproxy]") {
  Scenario s(B + TP + "ip route add local default dev lo table 100\n" +
             "iptables -t mangle -A PREROUTING -p udp --dport 53 -j TPROXY --on-port 5353 --tproxy-mark 0x1/0x1\n#kpath socket udp bind 0.0.0.0:5353 transparent\n");
  auto e = s.run("udp 192.168.1.2:40000 -> 10.0.0.5:53 iif vr");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.socket->port == 5353);
  CHECK(ctr(e, Snmp::IpInDelivers) == 1);
  CHECK(kpath::test::ctr_total(e) == 2);
}

TEST_CASE("T08 mark + local route without TPROXY: NO_SOCKET, RST counted but unroutable", "[kernel][tcp]") {
  Scenario s(B + R"(
ip rule add fwmark 0x1/0x1 lookup 100
ip route add local default dev lo table 100
iptables -t mangle -A PREROUTING -p tcp --dport 80 -j MARK --set-mark 1
#kpath socket tcp listen 0.0.0.0:8080 transparent
)");
  auto e = s.run(SYN);
  CHECK(e.verdict.drop_reason == DropReason::NO_SOCKET);
  CHECK(e.verdict.drop_function == "tcp_v4_rcv");
  CHECK(ctr(e, Snmp::IpInDelivers) == 1);
  CHECK(ctr(e, Snmp::TcpInSegs) == 1);
  CHECK(ctr(e, Snmp::TcpOutSegs) == 1);
  CHECK(ctr(e, Snmp::TcpOutRsts) == 1);
  CHECK(ctr(e, Snmp::IpOutRequests) == 0);
  CHECK(e.verdict.reply == ReplyKind::none);
}

TEST_CASE("T09-T11 src_valid_mark with the TPROXY table: local source, accept_local, rp_filter", "[kernel][rpfilter]") {
  const std::string base = B + TP + "ip route add local default dev lo table 100\nsysctl -w net.ipv4.conf.all.src_valid_mark=1\n";
  auto e9 = Scenario(base).run(SYN);
  CHECK(e9.verdict.drop_reason == DropReason::IP_LOCAL_SOURCE);
  CHECK(e9.verdict.drop_function == "ip_rcv_finish_core");
  CHECK(kpath::test::ctr_total(e9) == 1);
  auto e10 = Scenario(base + "sysctl -w net.ipv4.conf.vr.accept_local=1\n").run(SYN);
  CHECK(e10.verdict.disposition == Disposition::deliver);
  auto e11 = Scenario(base + "sysctl -w net.ipv4.conf.vr.accept_local=1\nsysctl -w net.ipv4.conf.all.rp_filter=1\n").run(SYN);
  CHECK(e11.verdict.drop_reason == DropReason::IP_RPFILTER);
  CHECK(ctr(e11, Snmp::TcpExtIPReversePathFilter) == 1);
}

TEST_CASE("T12 TPROXY fixed with strict rp_filter", "[kernel][rpfilter]") {
  const std::string base = B + TP + "ip route add local default dev lo table 100\nsysctl -w net.ipv4.conf.all.rp_filter=1\n";
  CHECK(Scenario(base + "ip route add default via 192.168.1.2\n").run(SYN).verdict.disposition == Disposition::deliver);
  CHECK(Scenario(base + "ip route add default via 192.168.1.2\n").run("tcp 10.7.7.7:40000 -> 10.0.0.5:80 iif vr syn").verdict.disposition == Disposition::deliver);
  auto c = Scenario(base).run("tcp 10.7.7.7:40000 -> 10.0.0.5:80 iif vr syn");
  CHECK(c.verdict.drop_reason == DropReason::IP_RPFILTER);
  CHECK(ctr(c, Snmp::TcpExtIPReversePathFilter) == 1);
}

TEST_CASE("T13/T14 no route: forwarding off vs on", "[kernel][ip_error]") {
  auto off = Scenario(B).run(SYN);
  CHECK(off.verdict.drop_reason == DropReason::IP_INADDRERRORS);
  CHECK(ctr(off, Snmp::IpInAddrErrors) == 1);
  CHECK_FALSE(off.verdict.icmp);
  auto on = Scenario(B + "sysctl -w net.ipv4.ip_forward=1\n").run(SYN);
  CHECK(on.verdict.drop_reason == DropReason::IP_INNOROUTES);
  CHECK(ctr(on, Snmp::IpExtInNoRoutes) == 1);
  REQUIRE(on.verdict.icmp);
  CHECK(*on.verdict.icmp == std::make_pair(3, 0));
  CHECK(ctr(on, Snmp::IcmpOutMsgs) == 1);
  CHECK(ctr(on, Snmp::IcmpOutDestUnreachs) == 1);
  CHECK(ctr(on, Snmp::IcmpMsgOutType3) == 1);
  CHECK(ctr(on, Snmp::IpOutRequests) == 1);
  CHECK(ctr(on, Snmp::IpOutTransmits) == 1);
}

TEST_CASE("T15-T17 unreachable, prohibit, blackhole routes", "[kernel][ip_error]") {
  for (const char* type : {"unreachable", "prohibit", "blackhole"}) {
    auto off = Scenario(B + "ip route add " + type + " 10.0.0.0/8\n").run(SYN);
    CHECK(off.verdict.drop_reason == DropReason::IP_INADDRERRORS);
    CHECK(ctr(off, Snmp::IpInAddrErrors) == 1);
  }
  auto u = Scenario(B + "ip route add unreachable 10.0.0.0/8\nsysctl -w net.ipv4.ip_forward=1\n").run(SYN);
  CHECK(u.verdict.drop_reason == DropReason::NOT_SPECIFIED);
  CHECK(*u.verdict.icmp == std::make_pair(3, 1));
  CHECK(ctr(u, Snmp::IpInAddrErrors) == 0);
  auto p = Scenario(B + "ip route add prohibit 10.0.0.0/8\nsysctl -w net.ipv4.ip_forward=1\n").run(SYN);
  CHECK(*p.verdict.icmp == std::make_pair(3, 13));
  auto bh = Scenario(B + "ip route add blackhole 10.0.0.0/8\nsysctl -w net.ipv4.ip_forward=1\n").run(SYN);
  CHECK_FALSE(bh.verdict.icmp);
  CHECK(kpath::test::ctr_total(bh) == 1);
}

TEST_CASE("T18 rule actions with forwarding on", "[kernel][fib_rules]") {
  auto u = Scenario(B + "sysctl -w net.ipv4.ip_forward=1\nip rule add to 10.0.0.0/8 unreachable\n").run(SYN);
  CHECK(u.verdict.drop_reason == DropReason::IP_INNOROUTES);
  CHECK(*u.verdict.icmp == std::make_pair(3, 0));
  auto p = Scenario(B + "sysctl -w net.ipv4.ip_forward=1\nip rule add to 10.0.0.0/8 prohibit\n").run(SYN);
  CHECK(*p.verdict.icmp == std::make_pair(3, 13));
  auto b = Scenario(B + "sysctl -w net.ipv4.ip_forward=1\nip rule add to 10.0.0.0/8 blackhole\n").run(SYN);
  CHECK_FALSE(b.verdict.icmp);
}

TEST_CASE("T19 throw falls through to the next rule", "[kernel][fib_rules]") {
  Scenario s(B + O + R"(
sysctl -w net.ipv4.ip_forward=1
ip route add 10.0.0.0/8 via 172.16.0.2
ip rule add to 10.0.0.0/8 lookup 100
ip route add throw 10.0.0.0/16 table 100
ip route add 10.0.0.0/8 dev lo scope host table 100
)");
  auto e = s.run(SYN);
  CHECK(e.verdict.disposition == Disposition::forward);
  CHECK(e.verdict.egress->dev == "vo");
  CHECK(e.verdict.table == 254u);
  CHECK(ctr(e, Snmp::IpForwDatagrams) == 1);
  CHECK(ctr(e, Snmp::IpOutTransmits) == 1);
}

TEST_CASE("T20-T22 forwarding: plain, TTL 1, DF too big", "[kernel][forward]") {
  const std::string cfg = B + O + "sysctl -w net.ipv4.ip_forward=1\nip route add 10.0.0.0/8 via 172.16.0.2\n";
  auto f = Scenario(cfg).run(SYN);
  CHECK(f.verdict.disposition == Disposition::forward);
  CHECK(f.verdict.egress->via == parse_ipv4("172.16.0.2"));
  CHECK(ctr(f, Snmp::IpForwDatagrams) == 1);
  CHECK(ctr(f, Snmp::IpOutTransmits) == 1);
  CHECK(kpath::test::ctr_total(f) == 3);
  auto ttl = Scenario(cfg).run(SYN + " ttl 1");
  CHECK(ttl.verdict.drop_reason == DropReason::IP_INHDR);
  CHECK(ttl.verdict.drop_function == "ip_forward");
  CHECK(*ttl.verdict.icmp == std::make_pair(11, 0));
  CHECK(ctr(ttl, Snmp::IpInHdrErrors) == 1);
  CHECK(ctr(ttl, Snmp::IcmpOutTimeExcds) == 1);
  CHECK(ctr(ttl, Snmp::IpForwDatagrams) == 0);
  auto big = Scenario(cfg + "ip link set vo mtu 1000\n").run(SYN + " len 1240 df");
  CHECK(big.verdict.drop_reason == DropReason::PKT_TOO_BIG);
  CHECK(ctr(big, Snmp::IpForwDatagrams) == 1);
  CHECK(ctr(big, Snmp::IpFragFails) == 1);
  CHECK(*big.verdict.icmp == std::make_pair(3, 4));
}

TEST_CASE("T23/T24 FORWARD policy DROP; in-device forwarding off", "[kernel][forward]") {
  const std::string cfg = B + O + "sysctl -w net.ipv4.ip_forward=1\nip route add 10.0.0.0/8 via 172.16.0.2\n";
  auto d = Scenario(cfg + "iptables -P FORWARD DROP\n").run(SYN);
  CHECK(d.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(ctr(d, Snmp::IpForwDatagrams) == 1);
  auto off = Scenario(cfg + "sysctl -w net.ipv4.conf.vr.forwarding=0\n").run(SYN);
  CHECK(off.verdict.drop_reason == DropReason::IP_INADDRERRORS);
  CHECK(ctr(off, Snmp::IpInAddrErrors) == 1);
}

TEST_CASE("T25 rp_filter strict and loose", "[kernel][rpfilter]") {
  const std::string cfg = B + O + "ip route add 10.9.0.0/16 via 172.16.0.2\n";
  const std::string pkt = "tcp 10.9.9.9:40000 -> 192.168.1.1:80 iif vr syn";
  auto strict = Scenario(cfg + "sysctl -w net.ipv4.conf.all.rp_filter=1\n").run(pkt);
  CHECK(strict.verdict.drop_reason == DropReason::IP_RPFILTER);
  CHECK(ctr(strict, Snmp::TcpExtIPReversePathFilter) == 1);
  auto loose = Scenario(cfg + "sysctl -w net.ipv4.conf.all.rp_filter=2\n").run(pkt);
  CHECK(loose.verdict.drop_reason == DropReason::NO_SOCKET);
  CHECK(ctr(loose, Snmp::TcpOutRsts) == 1);
  auto noroute = Scenario(B + O + "sysctl -w net.ipv4.conf.vr.rp_filter=2\n").run(pkt);
  CHECK(noroute.verdict.drop_reason == DropReason::IP_RPFILTER);
}

TEST_CASE("T26-T29 martians: loopback, invalid sources, zero destinations, own source", "[kernel][martian]") {
  Scenario b(B);
  CHECK(b.run("tcp 127.0.0.1:1 -> 192.168.1.1:80 iif vr").verdict.drop_reason == DropReason::IP_LOCALNET);
  CHECK(b.run("tcp 192.168.1.2:1 -> 127.0.0.1:80 iif vr").verdict.drop_reason == DropReason::IP_LOCALNET);
  CHECK(Scenario(B + "sysctl -w net.ipv4.conf.vr.route_localnet=1\n").run("tcp 192.168.1.2:1 -> 127.0.0.1:80 iif vr").verdict.drop_reason == DropReason::NO_SOCKET);
  CHECK(b.run("tcp 224.0.0.5:1 -> 192.168.1.1:80 iif vr").verdict.drop_reason == DropReason::IP_INVALID_SOURCE);
  CHECK(b.run("tcp 0.0.0.0:1 -> 192.168.1.1:80 iif vr").verdict.drop_reason == DropReason::IP_INVALID_SOURCE);
  auto dhcp = b.run("udp 0.0.0.0:68 -> 255.255.255.255:67 iif vr broadcast");
  CHECK(ctr(dhcp, Snmp::IpExtInBcastPkts) == 1);
  CHECK(ctr(dhcp, Snmp::IpInDelivers) == 1);
  CHECK(ctr(dhcp, Snmp::UdpIgnoredMulti) == 1);
  CHECK(b.run("tcp 192.168.1.2:1 -> 0.0.0.0:80 iif vr").verdict.drop_reason == DropReason::IP_INVALID_DEST);
  auto z = b.run("tcp 192.168.1.2:1 -> 0.0.0.5:80 iif vr");
  CHECK(z.verdict.drop_reason == DropReason::IP_INADDRERRORS);
  auto own = b.run("tcp 192.168.1.1:1 -> 192.168.1.1:80 iif vr");
  CHECK(own.verdict.drop_reason == DropReason::IP_LOCAL_SOURCE);
  CHECK(Scenario(B + "sysctl -w net.ipv4.conf.vr.accept_local=1\n").run("tcp 192.168.1.1:1 -> 192.168.1.1:80 iif vr").verdict.drop_reason == DropReason::NO_SOCKET);
}

TEST_CASE("T30 IP header errors", "[kernel][ip_rcv]") {
  Scenario b(B);
  auto csum = b.run(SYN + " bad-csum");
  CHECK(csum.verdict.drop_reason == DropReason::IP_CSUM);
  CHECK(ctr(csum, Snmp::IpExtInCsumErrors) == 1);
  CHECK(ctr(csum, Snmp::IpInHdrErrors) == 1);
  CHECK(b.run(SYN + " ihl 4").verdict.drop_reason == DropReason::IP_INHDR);
  CHECK(b.run(SYN + " version 5").verdict.drop_reason == DropReason::IP_INHDR);
  auto tr = b.run(SYN + " tot-len 200");
  CHECK(tr.verdict.drop_reason == DropReason::PKT_TOO_SMALL);
  CHECK(ctr(tr, Snmp::IpExtInTruncatedPkts) == 1);
  CHECK(b.run(SYN + " tot-len 12").verdict.drop_reason == DropReason::IP_INHDR);
}

TEST_CASE("T31 L2 classification", "[kernel][ip_rcv]") {
  Scenario b(B);
  auto oh = b.run(SYN + " otherhost");
  CHECK(oh.verdict.drop_reason == DropReason::OTHERHOST);
  CHECK(kpath::test::ctr_total(oh) == 0);
  auto bc = b.run("tcp 192.168.1.2:1 -> 192.168.1.1:9999 iif vr syn broadcast");
  CHECK(bc.verdict.drop_reason == DropReason::NOT_SPECIFIED);
  CHECK(bc.verdict.drop_function == "tcp_v4_rcv");
  CHECK(ctr(bc, Snmp::IpInDelivers) == 1);
  CHECK(ctr(bc, Snmp::TcpInSegs) == 0);
  auto knob = Scenario(B + "sysctl -w net.ipv4.conf.vr.drop_unicast_in_l2_multicast=1\n").run("tcp 192.168.1.2:1 -> 192.168.1.1:9999 iif vr syn broadcast");
  CHECK(knob.verdict.drop_reason == DropReason::UNICAST_IN_L2_MULTICAST);
}

TEST_CASE("T32-T36 multicast, broadcast UDP, unknown protocol, closed ports", "[kernel][local]") {
  Scenario b(B);
  auto mc = b.run("udp 192.168.1.2:1 -> 224.1.1.1:9999 iif vr");
  CHECK(mc.verdict.drop_reason == DropReason::NOT_SPECIFIED);
  CHECK(mc.verdict.drop_function == "ip_rcv_finish_core");
  auto bc = b.run("udp 192.168.1.2:1 -> 192.168.1.255:9999 iif vr");
  CHECK(ctr(bc, Snmp::IpExtInBcastPkts) == 1);
  CHECK(ctr(bc, Snmp::UdpIgnoredMulti) == 1);
  CHECK(bc.verdict.drop_function == "__udp4_lib_rcv");
  CHECK_FALSE(bc.verdict.icmp);
  auto proto = b.run("proto 253 192.168.1.2 -> 192.168.1.1 iif vr");
  CHECK(proto.verdict.drop_reason == DropReason::IP_NOPROTO);
  CHECK(ctr(proto, Snmp::IpInUnknownProtos) == 1);
  CHECK(ctr(proto, Snmp::IpInDelivers) == 0);
  CHECK(*proto.verdict.icmp == std::make_pair(3, 2));
  auto udp = b.run("udp 192.168.1.2:1 -> 192.168.1.1:9999 iif vr");
  CHECK(udp.verdict.drop_reason == DropReason::NO_SOCKET);
  CHECK(ctr(udp, Snmp::UdpNoPorts) == 1);
  CHECK(*udp.verdict.icmp == std::make_pair(3, 3));
  auto tcp = b.run("tcp 192.168.1.2:1 -> 192.168.1.1:9999 iif vr syn");
  CHECK(tcp.verdict.reply == ReplyKind::rst);
  CHECK(ctr(tcp, Snmp::TcpOutRsts) == 1);
  CHECK(ctr(tcp, Snmp::IpOutRequests) == 1);
}

TEST_CASE("T37/T38 INPUT DROP and REJECT; raw PREROUTING DROP", "[kernel][netfilter]") {
  auto drop = Scenario(B + "iptables -A INPUT -p tcp --dport 9999 -j DROP\n").run("tcp 192.168.1.2:1 -> 192.168.1.1:9999 iif vr syn");
  CHECK(drop.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(kpath::test::ctr_total(drop) == 1);
  auto rej = Scenario(B + "iptables -A INPUT -p tcp --dport 9998 -j REJECT\n").run("tcp 192.168.1.2:1 -> 192.168.1.1:9998 iif vr syn");
  CHECK(rej.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(*rej.verdict.icmp == std::make_pair(3, 3));
  CHECK(ctr(rej, Snmp::IpInDelivers) == 0);
  auto raw = Scenario(B + "iptables -t raw -A PREROUTING -p tcp --dport 82 -j DROP\n").run("tcp 192.168.1.2:1 -> 10.0.0.5:82 iif vr syn");
  CHECK(raw.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(kpath::test::ctr_total(raw) == 1);
}

TEST_CASE("T40 policy routing selectors, ordering, suppress_prefixlength and goto", "[kernel][fib_rules]") {
  std::string cfg = B + O + R"(
sysctl -w net.ipv4.ip_forward=1
ip rule add fwmark 9 lookup 300
ip rule add fwmark 10 lookup 301
ip rule add pref 100 iif vr lookup 302
ip route add 10.0.0.0/8 via 172.16.0.2 table 302
ip route add 10.2.0.0/16 via 172.16.0.2
)";
  auto a = Scenario(cfg).run("tcp 192.168.1.2:1 -> 10.2.0.5:80 iif vr");
  CHECK(a.verdict.table == 302u);
  CHECK(a.verdict.rule == 100u);
  cfg += "ip rule add pref 50 iif vr lookup main suppress_prefixlength 0\n";
  CHECK(Scenario(cfg).run("tcp 192.168.1.2:1 -> 10.2.0.5:80 iif vr").verdict.table == 254u);
  CHECK(Scenario(cfg).run("tcp 192.168.1.2:1 -> 10.9.0.5:80 iif vr").verdict.table == 302u);
  cfg += "ip rule add pref 40 iif vr goto 60\nip rule add pref 60 iif vr lookup 303\nip route add 10.9.0.0/16 dev vo table 303\n";
  CHECK(Scenario(cfg).run("tcp 192.168.1.2:1 -> 10.9.0.5:80 iif vr").verdict.table == 303u);
  CHECK(Scenario(cfg).run("tcp 192.168.1.2:1 -> 10.2.0.5:80 iif vr").verdict.table == 302u);
}

TEST_CASE("T41 TOS-specific routes", "[kernel][fib]") {
  Scenario s(B + "sysctl -w net.ipv4.ip_forward=1\nip route add 10.0.0.0/8 dev vr tos 0x10\nip route add prohibit 10.0.0.0/8\n");
  CHECK(s.run(SYN + " tos 0x10").verdict.disposition == Disposition::forward);
  CHECK(*s.run(SYN).verdict.icmp == std::make_pair(3, 13));
}

TEST_CASE("T46-like: the fwmark rule's table is empty: falls through to main", "[kernel][fib_rules]") {
  auto off = Scenario(B + TP).run(SYN);
  CHECK(off.verdict.drop_reason == DropReason::IP_INADDRERRORS);
  auto on = Scenario(B + TP + "sysctl -w net.ipv4.ip_forward=1\n").run(SYN);
  CHECK(on.verdict.drop_reason == DropReason::IP_INNOROUTES);
  CHECK(*on.verdict.icmp == std::make_pair(3, 0));
}

TEST_CASE("T48 catch-all local route in table local: merged trie vs after a rule", "[kernel][fib]") {
  const std::string cfg = B + O + "ip route add local 0.0.0.0/0 dev lo table local\n" +
                          "iptables -t mangle -A PREROUTING -p tcp --dport 80 -j TPROXY --on-port 8080\n#kpath socket tcp listen 0.0.0.0:8080 transparent\n";
  CHECK(Scenario(cfg).run("tcp 192.168.1.2:1 -> 8.8.8.8:80 iif vr syn").verdict.disposition == Disposition::deliver);
  CHECK(Scenario(cfg).run("icmp 192.168.1.2 -> 172.16.0.2 iif vr").verdict.drop_reason == DropReason::IP_INADDRERRORS);
  auto after = Scenario(cfg + "ip rule add fwmark 1 lookup 100\n").run("tcp 192.168.1.2:1 -> 8.8.8.8:80 iif vr syn");
  CHECK(after.verdict.drop_reason == DropReason::IP_LOCAL_SOURCE);
}

TEST_CASE("kernel profile 6.6: counters and route-input reasons of older kernels", "[kernel][profile]") {
  KernelProfile p;
  p.route_input_reasons = false;
  p.forw_counted_before_hook = false;
  p.has_out_transmits = false;
  auto m = Scenario(B, "", p).run("tcp 127.0.0.1:1 -> 192.168.1.1:80 iif vr");
  CHECK(m.verdict.drop_reason == DropReason::NOT_SPECIFIED);
  const std::string cfg = B + O + "sysctl -w net.ipv4.ip_forward=1\nip route add 10.0.0.0/8 via 172.16.0.2\niptables -P FORWARD DROP\n";
  auto d = Scenario(cfg, "", p).run(SYN);
  CHECK(ctr(d, Snmp::IpForwDatagrams) == 0);
  // ≤6.6: a forwarded datagram counts IpOutRequests, there is no IpOutTransmits
  auto f = Scenario(B + O + "sysctl -w net.ipv4.ip_forward=1\nip route add 10.0.0.0/8 via 172.16.0.2\n", "", p).run(SYN);
  CHECK(f.verdict.disposition == Disposition::forward);
  CHECK(ctr(f, Snmp::IpForwDatagrams) == 1);
  CHECK(ctr(f, Snmp::IpOutRequests) == 1);
  CHECK(ctr(f, Snmp::IpOutTransmits) == 0);
  // the rule dscp selector needs 6.13
  KernelProfile k612;
  k612.name = "6.12";
  k612.has_rule_dscp = false;
  CHECK_THROWS_AS(Scenario(B + "ip rule add dscp 10 lookup 100\n", "", k612), ConfigError);
  CHECK_NOTHROW(Scenario(B + "ip rule add dscp 10 lookup 100\n"));
}

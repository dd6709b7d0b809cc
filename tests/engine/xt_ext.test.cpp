// Engine verdicts for the extensions added for real-world configs: an ipset-based bypass in a
// Clash/v2ray TPROXY script, the single-packet notes of limit and statistic, NFQUEUE without a
// listener (with and without --queue-bypass), rpfilter strict vs loose, and the header-rewriting
// targets whose effect later stages see.
#include <catch2/catch.hpp>
#include "tests/support/run_script.hpp"

using namespace kpath;
using namespace kpath::kernel;
using kpath::test::Scenario;

namespace {

const std::string B = R"(
ip link add vr type veth peer name vc
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link add vo type veth peer name vp
ip addr add 172.16.0.1/24 dev vo
ip link set vo up
)";

// A Clash-style transparent proxy: LAN and China destinations bypass the proxy (ipset chnroute),
// everything else is diverted to the TPROXY port.
const std::string CLASH = B + R"(
ip route add default via 172.16.0.254 dev vo
sysctl -w net.ipv4.ip_forward=1
ipset restore <<EOF
create chnroute hash:net family inet hashsize 1024 maxelem 65536
add chnroute 1.0.1.0/24
add chnroute 114.114.0.0/16
add chnroute 114.114.114.0/24 nomatch
EOF
iptables -t mangle -N CLASH
iptables -t mangle -A CLASH -d 192.168.0.0/16 -j RETURN
iptables -t mangle -A CLASH -m set --match-set chnroute dst -j RETURN
iptables -t mangle -A CLASH -p tcp -j TPROXY --on-port 7893 --tproxy-mark 0x1/0x1
iptables -t mangle -A PREROUTING -j CLASH
ip rule add fwmark 0x1/0x1 lookup 100
ip route add local default dev lo table 100
#kpath socket tcp listen 0.0.0.0:7893 transparent
)";

const Step* find_step(const Explanation& e, std::string_view function, std::string_view needle = {}) {
  for (const Step& s : e.steps)
    if (s.function == function && s.detail.find(needle) != std::string::npos) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("xt_set: chnroute bypass in a TPROXY script", "[engine][xt][ipset]") {
  Scenario s(CLASH);
  // a China destination bypasses the proxy: forwarded, unmarked
  auto cn = s.run("tcp 192.168.1.2:40000 -> 114.114.1.1:443 iif vr syn");
  CHECK(cn.verdict.disposition == Disposition::forward);
  CHECK(cn.verdict.mark == 0);
  const Step* hit = find_step(cn, "set_match_v4");
  REQUIRE(hit);
  CHECK(hit->detail == "set chnroute (hash:net inet, 3 entries) tested with dst: 114.114.1.1 is in the set (entry 114.114.0.0/16): matched");
  CHECK(hit->origin.line == 19);
  // a nomatch entry inside the /16 takes the more specific prefix: not a member, diverted
  auto nomatch = s.run("tcp 192.168.1.2:40000 -> 114.114.114.114:443 iif vr syn");
  CHECK(nomatch.verdict.disposition == Disposition::deliver);
  REQUIRE(nomatch.verdict.socket);
  CHECK(nomatch.verdict.socket->port == 7893);
  CHECK(find_step(nomatch, "ipt_do_table", "falls in the nomatch entry 114.114.114.0/24 (not a member)"));
  // anything else is diverted too
  auto other = s.run("tcp 192.168.1.2:40000 -> 8.8.8.8:443 iif vr syn");
  CHECK(other.verdict.disposition == Disposition::deliver);
  CHECK(other.verdict.mark == 1);
  CHECK(find_step(other, "ipt_do_table", "8.8.8.8 is not in the set"));
}

TEST_CASE("xt_set: entries added after the rule count, src,dst and --return-nomatch", "[engine][xt][ipset]") {
  Scenario s(B + R"(
ipset create late hash:ip
iptables -A INPUT -m set --match-set late src -j DROP
ipset add late 192.168.1.66
ipset create svc hash:ip,port
ipset add svc 192.168.1.1,tcp:22
iptables -A INPUT -m set --match-set svc dst,dst -j DROP
ipset create nets hash:net
ipset add nets 192.168.1.0/24
ipset add nets 192.168.1.128/25 nomatch
iptables -A INPUT -p udp -m set --match-set nets src --return-nomatch -j DROP
)");
  auto late = s.run("icmp 192.168.1.66 -> 192.168.1.1 iif vr");
  CHECK(late.verdict.disposition == Disposition::drop);
  CHECK(late.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(late.verdict.drop_origin.line == 10);
  CHECK(s.run("icmp 192.168.1.67 -> 192.168.1.1 iif vr").verdict.disposition == Disposition::deliver);

  auto ssh = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn");
  CHECK(ssh.verdict.drop_origin.line == 14);
  CHECK(find_step(ssh, "set_match_v4", "192.168.1.1,tcp:22 is in the set"));
  CHECK(s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:23 iif vr syn").verdict.drop_reason == DropReason::NO_SOCKET);

  // --return-nomatch: the nomatch entry matches, the plain entry does not
  auto inner = s.run("udp 192.168.1.200:5 -> 192.168.1.1:9 iif vr");
  CHECK(inner.verdict.drop_origin.line == 18);
  auto plain = s.run("udp 192.168.1.20:5 -> 192.168.1.1:9 iif vr");
  CHECK(plain.verdict.drop_reason != DropReason::NETFILTER_DROP);
  CHECK(find_step(plain, "ipt_do_table", "(--return-nomatch inverts the entry)"));
}

TEST_CASE("xt_limit: a single packet always meets a full bucket, and the trace says rates are not modelled", "[engine][xt]") {
  Scenario s(B + "iptables -A INPUT -p tcp --dport 22 -m limit --limit 3/min --limit-burst 2 -j ACCEPT\n"
                 "iptables -A INPUT -p tcp --dport 22 -j DROP\n#kpath socket tcp listen 0.0.0.0:22\n");
  auto e = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn");
  CHECK(e.verdict.disposition == Disposition::deliver);
  const Step* note = find_step(e, "limit_mt");
  REQUIRE(note);
  CHECK(note->detail == "token bucket (burst 2) starts full: this packet matches; rates over many packets are not modelled");
}

TEST_CASE("xt_statistic: random takes p >= 0.5 as a hit, nth hits the first packet when --packet is 0", "[engine][xt]") {
  Scenario s(B + R"(
iptables -A INPUT -p tcp --dport 80 -m statistic --mode random --probability 0.5 -j DROP
iptables -A INPUT -p tcp --dport 81 -m statistic --mode random --probability 0.25 -j DROP
iptables -A INPUT -p tcp --dport 82 -m statistic --mode random ! --probability 0.25 -j DROP
iptables -A INPUT -p tcp --dport 83 -m statistic --mode nth --every 2 --packet 0 -j DROP
iptables -A INPUT -p tcp --dport 84 -m statistic --mode nth --every 2 --packet 1 -j DROP
)");
  auto pkt = [&](int port) { return s.run(fmt::format("tcp 192.168.1.2:40000 -> 192.168.1.1:{} iif vr syn", port)); };
  auto half = pkt(80);
  CHECK(half.verdict.drop_reason == DropReason::NETFILTER_DROP);
  const Step* why = find_step(half, "statistic_mt");
  REQUIRE(why);
  CHECK(why->detail.find("kpath explains one packet deterministically and takes p >= 0.5 as a hit (hit)") != std::string::npos);
  auto quarter = pkt(81);
  CHECK(quarter.verdict.drop_reason == DropReason::NO_SOCKET);
  CHECK(find_step(quarter, "ipt_do_table", "(miss)"));
  CHECK(pkt(82).verdict.drop_reason == DropReason::NETFILTER_DROP);  // inverted miss
  auto nth0 = pkt(83);
  CHECK(nth0.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(find_step(nth0, "statistic_mt", "counter 1 -> 0 (hit)"));
  CHECK(pkt(84).verdict.drop_reason == DropReason::NO_SOCKET);
}

TEST_CASE("NFQUEUE: no listener: dropped without --queue-bypass, accepted with it", "[engine][xt]") {
  Scenario s(B + "iptables -A INPUT -p udp --dport 53 -j NFQUEUE --queue-num 3\n"
                 "iptables -A INPUT -p udp --dport 54 -j NFQUEUE --queue-balance 0:3 --queue-bypass\n"
                 "#kpath socket udp bind 0.0.0.0:53\n#kpath socket udp bind 0.0.0.0:54\n");
  auto q = s.run("udp 192.168.1.2:4000 -> 192.168.1.1:53 iif vr");
  CHECK(q.verdict.disposition == Disposition::drop);
  CHECK(q.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(q.verdict.drop_origin.line == 8);
  const Step* nq = find_step(q, "nf_queue");
  REQUIRE(nq);
  CHECK(nq->kind == StepKind::Drop);
  CHECK(nq->detail == "no userspace program listens on queue 3 (-ESRCH) and there is no --queue-bypass: the packet is freed");
  auto b = s.run("udp 192.168.1.2:4000 -> 192.168.1.1:54 iif vr");
  CHECK(b.verdict.disposition == Disposition::deliver);
  REQUIRE(b.verdict.socket);
  CHECK(b.verdict.socket->port == 54);
  CHECK(find_step(b, "nf_queue", "queues 0-3 (-ESRCH); --queue-bypass: the packet continues as if accepted"));
}

TEST_CASE("rpfilter: strict needs the route back through the in-device, --loose any route", "[engine][xt]") {
  const std::string strict = B + "iptables -t raw -A PREROUTING -m rpfilter --invert -j DROP\n";
  const std::string loose = B + "iptables -t raw -A PREROUTING -m rpfilter --loose --invert -j DROP\n";
  // 172.16.0.9 routes back via vo, but arrives on vr
  const std::string spoofed = "icmp 172.16.0.9 -> 192.168.1.1 iif vr";
  auto s1 = Scenario(strict).run(spoofed);
  CHECK(s1.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(find_step(s1, "rpfilter_mt", "the route back to 172.16.0.9 leaves by vo, not by the in-device vr: matched"));
  auto l1 = Scenario(loose).run(spoofed);
  CHECK(l1.verdict.disposition == Disposition::deliver);
  CHECK(find_step(l1, "ipt_do_table", "leaves by vo (--loose: any device will do)"));
  // a source with no route back fails both
  CHECK(Scenario(loose).run("icmp 10.9.9.9 -> 192.168.1.1 iif vr").verdict.drop_reason == DropReason::NETFILTER_DROP);
  // the right interface passes strict
  CHECK(Scenario(strict).run("icmp 192.168.1.2 -> 192.168.1.1 iif vr").verdict.disposition == Disposition::deliver);
  // a local source needs --accept-local
  CHECK(Scenario(strict).run("icmp 172.16.0.1 -> 192.168.1.1 iif vr").verdict.drop_reason == DropReason::NETFILTER_DROP);
  auto al = Scenario(B + "iptables -t raw -A PREROUTING -m rpfilter --accept-local --loose --invert -j DROP\n").run("icmp 172.16.0.1 -> 192.168.1.1 iif vr");
  CHECK(al.verdict.drop_reason != DropReason::NETFILTER_DROP);
  // --validmark: the mark takes part in the reverse lookup
  const std::string marked = B + "ip rule add fwmark 7 lookup 7\nip route add 10.7.0.0/16 dev vr table 7\n"
                                 "iptables -t raw -A PREROUTING -j MARK --set-mark 7\n";
  CHECK(Scenario(marked + "iptables -t raw -A PREROUTING -m rpfilter --validmark --invert -j DROP\n").run("icmp 10.7.0.1 -> 192.168.1.1 iif vr")
            .verdict.drop_reason != DropReason::NETFILTER_DROP);
  CHECK(Scenario(marked + "iptables -t raw -A PREROUTING -m rpfilter --invert -j DROP\n").run("icmp 10.7.0.1 -> 192.168.1.1 iif vr")
            .verdict.drop_reason == DropReason::NETFILTER_DROP);
}

TEST_CASE("TTL/TOS/DSCP targets rewrite the header that later stages read", "[engine][xt]") {
  const std::string fwd = B + "sysctl -w net.ipv4.ip_forward=1\nip route add 10.0.0.0/8 via 172.16.0.2\n";
  auto ttl = Scenario(fwd + "iptables -t mangle -A PREROUTING -j TTL --ttl-set 1\n").run("tcp 192.168.1.2:40000 -> 10.0.0.5:80 iif vr syn");
  CHECK(ttl.verdict.drop_function == "ip_forward");
  REQUIRE(ttl.verdict.icmp);
  CHECK(*ttl.verdict.icmp == std::make_pair(11, 0));
  CHECK(find_step(ttl, "ttl_tg", "ttl 64 -> 1"));
  auto inc = Scenario(fwd + "iptables -t mangle -A PREROUTING -j TTL --ttl-inc 10\n").run("tcp 192.168.1.2:40000 -> 10.0.0.5:80 iif vr syn ttl 250");
  CHECK(find_step(inc, "ttl_tg", "ttl 250 -> 255"));

  auto dscp = Scenario(B + "iptables -t mangle -A PREROUTING -j DSCP --set-dscp-class EF\n"
                           "iptables -A INPUT -m dscp --dscp 0x2e -m tos --tos 0xb8/0xfc -m ttl --ttl-gt 60 -m length --length 40 -j DROP\n")
                  .run("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn tos 0x01");
  CHECK(dscp.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(find_step(dscp, "dscp_tg", "(tos 0x01 -> 0xb9)"));
  auto tos = Scenario(B + "iptables -t mangle -A PREROUTING -j TOS --and-tos 0x0f\niptables -A INPUT -m tos ! --tos 0x00/0xf0 -j DROP\n")
                 .run("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn tos 0x10");
  CHECK(tos.verdict.drop_reason == DropReason::NO_SOCKET);
  CHECK(find_step(tos, "tos_tg", "tos 0x10 -> 0x00"));
}

TEST_CASE("pkttype, owner, physdev and mac on the routed receive path", "[engine][xt]") {
  Scenario s(B + R"(
sysctl -w net.ipv4.ip_forward=1
ip route add 10.0.0.0/8 via 172.16.0.2
iptables -A INPUT -m pkttype --pkt-type broadcast -j DROP
iptables -A INPUT -p tcp --dport 1 -m mac ! --mac-source 00:11:22:33:44:55 -j DROP
iptables -A INPUT -p tcp --dport 2 -m mac --mac-source 00:11:22:33:44:55 -j DROP
iptables -A FORWARD -p tcp --dport 80 -m physdev --physdev-is-bridged -j DROP
iptables -A FORWARD -p tcp --dport 81 -m physdev ! --physdev-is-bridged -j DROP
iptables -t mangle -A POSTROUTING -p tcp --dport 82 -m owner --uid-owner 0 -j DROP
iptables -t mangle -A POSTROUTING -p tcp --dport 83 -m owner ! --socket-exists -j DROP
)");
  auto bc = s.run("udp 192.168.1.2:68 -> 192.168.1.255:67 iif vr broadcast");
  CHECK(bc.verdict.drop_reason == DropReason::NETFILTER_DROP);
  auto uc = s.run("udp 192.168.1.2:68 -> 192.168.1.255:67 iif vr");
  CHECK(find_step(uc, "ipt_do_table", "pkt_type unicast (the link-layer type of the frame"));

  auto mac_inv = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:1 iif vr syn");
  CHECK(mac_inv.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(find_step(mac_inv, "mac_mt", "no source MAC"));
  auto mac = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:2 iif vr syn");
  CHECK(mac.verdict.drop_reason == DropReason::NO_SOCKET);
  CHECK(find_step(mac, "ipt_do_table", "mac: the packet spec has no source MAC, so it never equals 00:11:22:33:44:55"));

  auto fwd = [&](int port) { return s.run(fmt::format("tcp 192.168.1.2:40000 -> 10.0.0.5:{} iif vr syn", port)); };
  auto bridged = fwd(80);
  CHECK(bridged.verdict.disposition == Disposition::forward);
  CHECK(find_step(bridged, "ipt_do_table", "physdev: not a bridged packet"));
  CHECK(fwd(81).verdict.drop_reason == DropReason::NETFILTER_DROP);
  auto uid = fwd(82);
  CHECK(uid.verdict.disposition == Disposition::forward);
  CHECK(find_step(uid, "ipt_do_table", "owner: the packet has no local socket"));
  CHECK(fwd(83).verdict.drop_reason == DropReason::NETFILTER_DROP);
}

TEST_CASE("note-only targets let the packet continue", "[engine][xt]") {
  Scenario s(B + R"(
ipset create seen hash:ip
iptables -t raw -A PREROUTING -j TRACE
iptables -t mangle -A PREROUTING -p tcp -j TCPMSS --set-mss 1200
iptables -t mangle -A PREROUTING -j SET --add-set seen src
iptables -A INPUT -j AUDIT --type accept
iptables -t mangle -A INPUT -j CHECKSUM --checksum-fill
#kpath socket tcp listen 0.0.0.0:22
)");
  auto e = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(find_step(e, "trace_tg"));
  CHECK(find_step(e, "tcpmss_tg4", "would be set to 1200"));
  CHECK(find_step(e, "set_target_v3", "adds the packet to set seen"));
  CHECK(find_step(e, "audit_tg", "type accept"));
  CHECK(find_step(e, "checksum_tg"));
}

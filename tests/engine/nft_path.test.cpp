// nftables rule sets through the real engine. "T<nn>" cites shared/kernel-path.md §23 (reproduced
// live there); the other expectations follow nft_do_chain's semantics (net/netfilter/
// nf_tables_core.c) and were checked in private network namespaces against nftables 1.0.6.
#include <catch2/catch.hpp>
#include "tests/support/run_script.hpp"

using namespace kpath;
using namespace kpath::kernel;
using kpath::test::ctr;
using kpath::test::ctr_total;
using kpath::test::Scenario;

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
const std::string SYN = "tcp 192.168.1.2:40000 -> 10.0.0.5:80 iif vr syn";

bool has_step(const Explanation& e, const std::string& fn, const std::string& needle) {
  for (auto& s : e.steps)
    if (s.function == fn && s.detail.find(needle) != std::string::npos) return true;
  return false;
}
size_t step_index(const Explanation& e, const std::string& needle) {
  for (size_t i = 0; i < e.steps.size(); ++i)
    if (e.steps[i].detail.find(needle) != std::string::npos) return i;
  return std::string::npos;
}

// The recipe transparent-proxy guides publish (v2ray/xray/clash "tproxy" pages), in nft.
std::string recipe(const std::string& family) {
  return R"(
ip rule add fwmark 1 table 100
ip route add local 0.0.0.0/0 dev lo table 100
nft -f - <<'EOF'
table )" + family + R"( proxy {
    chain prerouting {
        type filter hook prerouting priority mangle; policy accept;
        meta l4proto tcp socket transparent 1 meta mark set 1 accept
        ip daddr { 127.0.0.0/8, 10.0.0.0/8, 192.168.0.0/16 } return
        meta l4proto { tcp, udp } tproxy )" + (family == "inet" ? "ip " : "") + R"(to :12345 meta mark set 1 accept
    }
}
EOF
#kpath socket tcp listen 0.0.0.0:12345 transparent
#kpath socket udp bind 0.0.0.0:12345 transparent
)";
}
}  // namespace

TEST_CASE("T46 nft tproxy with no listener: the rule breaks, no mark, main has no route: ip_error", "[nft][tproxy]") {
  const std::string T46 = R"(
ip rule add fwmark 1 lookup 100
ip route add local default dev lo table 100
nft add table filter
nft add chain filter divert '{ type filter hook prerouting priority -150; }'
nft add rule filter divert tcp dport 80 tproxy to :8080 meta mark set 1 accept
)";
  Scenario s(B + T46);
  auto e = s.run(SYN);
  CHECK(e.verdict.disposition == Disposition::drop);
  CHECK(e.verdict.drop_reason == DropReason::IP_INADDRERRORS);
  CHECK(e.verdict.drop_function == "ip_error");
  CHECK(e.verdict.mark == 0);  // meta mark set 1 never ran
  CHECK(ctr(e, Snmp::IpInReceives) == 1);
  CHECK(ctr(e, Snmp::IpInAddrErrors) == 1);
  CHECK(ctr_total(e) == 2);
  CHECK_FALSE(e.verdict.icmp);
  CHECK(has_step(e, "nft_tproxy_eval_v4", "NFT_BREAK, the rest of the rule (`meta mark set 1 accept`) does not run"));
  CHECK(has_step(e, "nft_do_chain", "end of the base chain, policy accept"));
  bool hint = false;
  for (auto& h : e.hints) if (h.text.find("nft tproxy does not drop") != std::string::npos) hint = true;
  CHECK(hint);

  SECTION("forwarding on and a default route: forwarded unmarked (xt TPROXY would drop, T06)") {
    Scenario f(B + O + T46 + "sysctl -w net.ipv4.ip_forward=1\nip route add default via 172.16.0.2\n");
    auto e2 = f.run(SYN);
    CHECK(e2.verdict.disposition == Disposition::forward);
    REQUIRE(e2.verdict.egress);
    CHECK(e2.verdict.egress->dev == "vo");
    CHECK(e2.verdict.mark == 0);
    CHECK(ctr(e2, Snmp::IpForwDatagrams) == 1);
    CHECK(ctr(e2, Snmp::IpOutTransmits) == 1);
    Scenario xt(B + O + "iptables -t mangle -A PREROUTING -p tcp --dport 80 -j TPROXY --on-port 8080 --tproxy-mark 1\n"
                        "sysctl -w net.ipv4.ip_forward=1\nip route add default via 172.16.0.2\n");
    auto e3 = xt.run(SYN);
    CHECK(e3.verdict.drop_reason == DropReason::NETFILTER_DROP);
    CHECK(e3.verdict.drop_function == "nft_do_chain");
  }
}

TEST_CASE("nft TPROXY recipe (table ip and inet): new flows diverted and delivered, bypass list routed", "[nft][tproxy]") {
  for (const std::string fam : {"ip", "inet"}) {
    CAPTURE(fam);
    Scenario s(B + recipe(fam));
    auto e = s.run("tcp 192.168.1.2:40000 -> 1.2.3.4:80 iif vr syn");
    CHECK(e.verdict.disposition == Disposition::deliver);
    REQUIRE(e.verdict.socket);
    CHECK(e.verdict.socket->port == 12345);
    CHECK(e.verdict.mark == 1);
    CHECK(e.verdict.table == 100u);
    CHECK(e.verdict.reply == ReplyKind::syn_ack);
    CHECK(ctr(e, Snmp::IpInDelivers) == 1);
    CHECK(has_step(e, "nft_tproxy_eval_v4", "nft tproxy leaves the mark alone"));
    CHECK(has_step(e, "nft_meta_set_eval", "meta mark 0x0 -> 0x1"));

    auto u = s.run("udp 192.168.1.2:40000 -> 8.8.8.8:53 iif vr");
    CHECK(u.verdict.disposition == Disposition::deliver);
    REQUIRE(u.verdict.socket);
    CHECK(u.verdict.socket->port == 12345);

    // 10.0.0.0/8 returns before the tproxy rule: no mark, main has no route, forwarding off
    auto b = s.run(SYN);
    CHECK(b.verdict.drop_function == "ip_error");
    CHECK(b.verdict.mark == 0);
    CHECK(has_step(b, "nft_do_chain", "verdict return"));
  }
}

TEST_CASE("nft recipe: packets of an established proxied flow match `socket transparent 1`", "[nft][tproxy]") {
  Scenario s(B + recipe("ip") + "#kpath socket tcp established 1.2.3.4:80 192.168.1.2:40000 transparent\n");
  auto e = s.run("tcp 192.168.1.2:40000 -> 1.2.3.4:80 iif vr ack");
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.mark == 1);
  const size_t r1 = step_index(e, "prerouting rule 1");
  REQUIRE(r1 != std::string::npos);
  CHECK(e.steps[r1].detail.find("socket tcp established 1.2.3.4:80") != std::string::npos);
  CHECK(step_index(e, "prerouting rule 3") == std::string::npos);  // accepted before the tproxy rule
}

TEST_CASE("the same TPROXY story in iptables and in nft gives the same verdicts", "[nft][tproxy]") {
  const std::string xt = R"(
iptables -t mangle -N DIVERT
iptables -t mangle -A PREROUTING -p tcp -m socket -j DIVERT
iptables -t mangle -A DIVERT -j MARK --set-mark 1
iptables -t mangle -A DIVERT -j ACCEPT
iptables -t mangle -A PREROUTING -p tcp --dport 80 -j TPROXY --on-port 8080 --tproxy-mark 0x1/0x1
ip rule add fwmark 1 lookup 100
)";
  const std::string nft = R"(
nft -f - <<'EOF'
table ip mangle2 {
  chain divert {
    meta mark set 1
    accept
  }
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    meta l4proto tcp socket wildcard 0 jump divert
    tcp dport 80 tproxy to :8080 meta mark set meta mark and 0xfffffffe or 0x1 accept
  }
}
EOF
ip rule add fwmark 1 lookup 100
)";
  const std::string listener = "#kpath socket tcp listen 0.0.0.0:8080 transparent\n";
  for (const std::string route : {"ip route add local default dev lo table 100\n", "ip route add default dev lo scope host table 100\n"}) {
    for (const std::string sysctl : {"", "sysctl -w net.ipv4.ip_forward=1\n"}) {
      CAPTURE(route, sysctl);
      Scenario a(B + xt + listener + route + sysctl), b(B + nft + listener + route + sysctl);
      for (const std::string& pkt : {SYN, std::string("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn"),
                                    std::string("udp 192.168.1.2:40000 -> 10.0.0.5:53 iif vr")}) {
        CAPTURE(pkt);
        auto ea = a.run(pkt), eb = b.run(pkt);
        CHECK(ea.verdict.disposition == eb.verdict.disposition);
        CHECK(ea.verdict.drop_reason == eb.verdict.drop_reason);
        CHECK(ea.verdict.drop_function == eb.verdict.drop_function);
        CHECK(ea.verdict.mark == eb.verdict.mark);
        CHECK(ea.verdict.counters.v == eb.verdict.counters.v);
        CHECK(ea.verdict.reply == eb.verdict.reply);
      }
    }
  }
  // established flows: xt's `-m socket` ignores wildcard sockets; nft's `socket wildcard 0` says so explicitly
  Scenario a(B + xt + listener + "ip route add local default dev lo table 100\n#kpath socket tcp established 10.0.0.5:80 192.168.1.2:40000 transparent\n");
  Scenario b(B + nft + listener + "ip route add local default dev lo table 100\n#kpath socket tcp established 10.0.0.5:80 192.168.1.2:40000 transparent\n");
  auto ea = a.run("tcp 192.168.1.2:40000 -> 10.0.0.5:80 iif vr ack"), eb = b.run("tcp 192.168.1.2:40000 -> 10.0.0.5:80 iif vr ack");
  CHECK(ea.verdict.disposition == Disposition::deliver);
  CHECK(eb.verdict.disposition == Disposition::deliver);
  CHECK(ea.verdict.mark == eb.verdict.mark);
}

TEST_CASE("iptables then `nft flush ruleset`: the iptables-nft rule is gone", "[nft]") {
  const std::string drop = "iptables -A INPUT -p icmp -j DROP\n";
  const std::string ping = "icmp 192.168.1.2 -> 192.168.1.1 iif vr";
  Scenario before(B + drop);
  CHECK(before.run(ping).verdict.drop_reason == DropReason::NETFILTER_DROP);
  Scenario after(B + drop + "nft flush ruleset\n");
  auto e = after.run(ping);
  CHECK(e.verdict.disposition == Disposition::deliver);
  CHECK(e.verdict.reply == ReplyKind::echo_reply);
  Scenario legacy(B + "iptables-legacy -A INPUT -p icmp -j DROP\nnft flush ruleset\n");
  auto l = legacy.run(ping);
  CHECK(l.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(l.verdict.drop_function == "nf_hook_slow");
}

TEST_CASE("nft filter input: policy drop and an accept rule", "[nft]") {
  const std::string fw = R"(
nft -f - <<'EOF'
table inet filter {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    iifname "lo" accept
    tcp dport { 22, 443 } accept
  }
}
EOF
#kpath socket tcp listen 0.0.0.0:22
#kpath socket tcp listen 0.0.0.0:80
)";
  Scenario s(B + fw);
  auto ssh = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn");
  CHECK(ssh.verdict.disposition == Disposition::deliver);
  CHECK(ssh.verdict.reply == ReplyKind::syn_ack);
  auto web = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:80 iif vr syn");
  CHECK(web.verdict.disposition == Disposition::drop);
  CHECK(web.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(web.verdict.drop_function == "nft_do_chain");
  CHECK(web.verdict.drop_origin.line == 9);  // `policy drop`
  CHECK(ctr(web, Snmp::IpInReceives) == 1);
  CHECK(ctr_total(web) == 1);
  CHECK(has_step(web, "nft_do_chain", "inet filter input rule 3 `tcp dport { 22, 443 } accept`: not matched"));
  CHECK(has_step(web, "nft_do_chain", "end of the base chain, policy drop"));
  // forwarding is not touched by an input chain
  Scenario f(B + O + fw + "sysctl -w net.ipv4.ip_forward=1\n");
  CHECK(f.run("tcp 192.168.1.2:40000 -> 172.16.0.2:80 iif vr syn").verdict.disposition == Disposition::forward);
}

TEST_CASE("nft chains and the iptables mangle table run in priority order", "[nft]") {
  // -160 runs before mangle (-150): its mark is what `-m mark` sees
  Scenario early(B + "nft add table t\nnft add chain t c '{ type filter hook prerouting priority -160; }'\n"
                     "nft add rule t c meta mark set 7\niptables -t mangle -A PREROUTING -m mark --mark 7 -j DROP\n");
  auto e = early.run(SYN);
  CHECK(e.verdict.drop_reason == DropReason::NETFILTER_DROP);
  const size_t nft_i = step_index(e, "nft table ip t chain c (priority -160)");
  const size_t xt_i = step_index(e, "table mangle (priority -150)");
  REQUIRE(nft_i != std::string::npos);
  REQUIRE(xt_i != std::string::npos);
  CHECK(nft_i < xt_i);
  // -140 runs after mangle: the xt rule saw mark 0; the nft chain sees iptables' mark
  Scenario late(B + "nft add table t\nnft add chain t c '{ type filter hook prerouting priority mangle + 10; }'\n"
                    "nft add rule t c meta mark 7 drop\niptables -t mangle -A PREROUTING -m mark --mark 7 -j DROP\n"
                    "iptables -t mangle -A PREROUTING -j MARK --set-mark 7\n");
  auto l = late.run(SYN);
  CHECK(l.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(l.verdict.drop_origin.line == 7);  // the nft rule dropped it, after mangle marked it
  CHECK(step_index(l, "table mangle (priority -150)") < step_index(l, "nft table ip t chain c (priority -140)"));
  // accept in one base chain does not stop the next one
  Scenario acc(B + "nft add table t\nnft add chain t a '{ type filter hook prerouting priority -200; }'\nnft add rule t a accept\n"
                   "nft add chain t b '{ type filter hook prerouting priority 0; }'\nnft add rule t b drop\n");
  auto a = acc.run(SYN);
  CHECK(a.verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(a.verdict.drop_origin.line == 9);
}

TEST_CASE("nft jumps, gotos, returns, named sets, vmaps and marks", "[nft]") {
  const std::string rs = R"(
nft -f - <<'EOF'
table ip t {
  set blocked { type ipv4_addr; flags interval; elements = { 203.0.113.0/24 }; }
  chain pre {
    type filter hook prerouting priority -150; policy accept;
    ip saddr @blocked drop
    tcp dport 81 goto g
    tcp dport 82 jump j
    tcp dport vmap { 83 : drop, 84 : accept }
    meta mark set meta mark or 0x100
  }
  chain j {
    meta mark set 2
    return
    meta mark set 3
  }
  chain g {
    meta mark set 4
  }
}
EOF
)";
  Scenario s(B + rs);
  CHECK(s.run("tcp 203.0.113.9:40000 -> 10.0.0.5:80 iif vr syn").verdict.drop_reason == DropReason::NETFILTER_DROP);
  // goto: the end of g returns to the base chain's caller, i.e. the policy; the last rule never runs
  CHECK(s.run("tcp 192.168.1.2:40000 -> 10.0.0.5:81 iif vr syn").verdict.mark == 4);
  // jump: return comes back to the rule after the jump
  CHECK(s.run("tcp 192.168.1.2:40000 -> 10.0.0.5:82 iif vr syn").verdict.mark == 0x102);
  CHECK(s.run("tcp 192.168.1.2:40000 -> 10.0.0.5:83 iif vr syn").verdict.drop_reason == DropReason::NETFILTER_DROP);
  CHECK(s.run("tcp 192.168.1.2:40000 -> 10.0.0.5:84 iif vr syn").verdict.mark == 0);
  CHECK(s.run("tcp 192.168.1.2:40000 -> 10.0.0.5:85 iif vr syn").verdict.mark == 0x100);
  // a mark already on the skb: | keeps the other bits
  CHECK(s.run("tcp 192.168.1.2:40000 -> 10.0.0.5:85 iif vr syn mark 0x5").verdict.mark == 0x105);
}

TEST_CASE("nft: fib daddr type, reject, ct mark, dnat", "[nft]") {
  SECTION("fib daddr type local accept before a drop") {
    Scenario s(B + "nft add table t\nnft add chain t c '{ type filter hook prerouting priority 0; }'\n"
                   "nft add rule t c fib daddr type local accept\nnft add rule t c drop\n#kpath socket tcp listen 0.0.0.0:22\n");
    CHECK(s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:22 iif vr syn").verdict.disposition == Disposition::deliver);
    auto e = s.run(SYN);
    CHECK(e.verdict.drop_reason == DropReason::NETFILTER_DROP);
    CHECK(has_step(e, "nft_do_chain", "fib daddr type is unicast"));
  }
  SECTION("reject with tcp reset and with icmp") {
    Scenario s(B + "nft add table t\nnft add chain t c '{ type filter hook input priority 0; }'\n"
                   "nft add rule t c tcp dport 23 reject with tcp reset\nnft add rule t c udp dport 69 reject\n");
    auto t = s.run("tcp 192.168.1.2:40000 -> 192.168.1.1:23 iif vr syn");
    CHECK(t.verdict.drop_reason == DropReason::NETFILTER_DROP);
    CHECK(t.verdict.reply == ReplyKind::rst);
    auto u = s.run("udp 192.168.1.2:40000 -> 192.168.1.1:69 iif vr");
    REQUIRE(u.verdict.icmp);
    CHECK(*u.verdict.icmp == std::make_pair(3, 3));
  }
  SECTION("ct mark: nothing before conntrack (-200), set and restored after it") {
    Scenario s(B + "nft add table t\nnft add chain t raw '{ type filter hook prerouting priority raw; }'\n"
                   "nft add rule t raw ct mark set 9\n"
                   "nft add chain t m '{ type filter hook prerouting priority mangle; }'\n"
                   "nft add rule t m ct mark set 5\nnft add rule t m meta mark set ct mark\n");
    auto e = s.run(SYN);
    CHECK(e.verdict.mark == 5);
    CHECK(has_step(e, "nft_ct_set_eval", "no conntrack entry for this packet"));
  }
  SECTION("dnat in a nat chain: routed to the new destination") {
    Scenario s(B + "nft add table t\nnft add chain t n '{ type nat hook prerouting priority dstnat; }'\n"
                   "nft add rule t n tcp dport 80 dnat to 192.168.1.1:8080\n#kpath socket tcp listen 0.0.0.0:8080\n");
    auto e = s.run(SYN);
    CHECK(e.verdict.disposition == Disposition::deliver);
    REQUIRE(e.verdict.socket);
    CHECK(e.verdict.socket->port == 8080);
  }
  SECTION("an inet table's IPv6 rule never matches IPv4") {
    Scenario s(B + "nft add table inet f\nnft add chain inet f in '{ type filter hook input priority 0; policy drop; }'\n"
                   "nft add rule inet f in ip6 saddr ::/0 accept\n");
    auto e = s.run("icmp 192.168.1.2 -> 192.168.1.1 iif vr");
    CHECK(e.verdict.drop_reason == DropReason::NETFILTER_DROP);
    CHECK(has_step(e, "nft_do_chain", "never matches an IPv4 packet"));
  }
}

// The nft importer against nftables 1.0.6 (Debian 12) as measured live in private network
// namespaces: the accepted syntax, the objects it creates, where every object comes from (file
// line and column, through quoted shell words and here-documents), and nft's error wording.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include "sim/config/nft/nft.hpp"
#include "sim/config/script.hpp"

using namespace kpath;
using namespace kpath::kernel;

namespace Catch {
template <>
struct StringMaker<kpath::SourceLoc> {
  static std::string convert(const kpath::SourceLoc& l) {
    return std::to_string(l.file_id) + ":" + std::to_string(l.line) + ":" + std::to_string(l.col);
  }
};
}  // namespace Catch

namespace {

struct Load {
  ConfigSet set;
  uint32_t file = 0;
  explicit Load(const std::string& script, bool lenient = false) {
    LoadOptions opt;
    opt.use_environment = false;
    opt.lenient = lenient;
    set.hosts.push_back(HostConfig::running_host());
    load_script_text(set, "t.sh", script, opt);
    file = static_cast<uint32_t>(set.files.files.size() - 1);
  }
  HostConfig& host() { return set.hosts[0]; }
  const NftTable& table(const std::string& family, const std::string& name) {
    for (const NftTable& t : host().nft)
      if (t.family == family && t.name == name) return t;
    FAIL("no table " << family << " " << name);
    return host().nft.front();
  }
  const NftChain& chain(const std::string& family, const std::string& t, const std::string& c) {
    const NftTable& tb = table(family, t);
    const int i = tb.find_chain(c);
    REQUIRE(i >= 0);
    return tb.chains[static_cast<size_t>(i)];
  }
};

ConfigError load_error(const std::string& script) {
  try {
    Load l(script);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError for:\n" << script);
  return ConfigError({}, "");
}

// 1-based column of the nth occurrence of `needle` in `line`.
uint32_t col(const std::string& line, const std::string& needle, int nth = 1) {
  size_t pos = std::string::npos, from = 0;
  for (int i = 0; i < nth; ++i) {
    pos = line.find(needle, from);
    REQUIRE(pos != std::string::npos);
    from = pos + 1;
  }
  return static_cast<uint32_t>(pos + 1);
}

std::string msg(const ConfigError& e) { return e.what(); }

}  // namespace

TEST_CASE("nft: command lines build a table, a base chain and a rule (kernel-path.md T46)", "[nft]") {
  const std::string l2 = "nft add chain filter divert '{ type filter hook prerouting priority -150; }'";
  const std::string l3 = "nft add rule filter divert tcp dport 80 tproxy to :8080 meta mark set 1 accept";
  Load l("nft add table filter\n" + l2 + "\n" + l3 + "\n");
  const NftTable& t = l.table("ip", "filter");  // family defaults to ip
  CHECK(t.origin == SourceLoc{l.file, 1, col("nft add table filter", "filter")});
  const NftChain& c = l.chain("ip", "filter", "divert");
  CHECK(c.base);
  CHECK(c.hook == NF_INET_PRE_ROUTING);
  CHECK(c.priority == -150);
  CHECK(c.type == "filter");
  CHECK(c.policy == XtVerdict::ACCEPT);
  CHECK(c.origin == SourceLoc{l.file, 2, col(l2, "divert")});
  REQUIRE(c.rules.size() == 1);
  const NftRule& r = c.rules[0];
  CHECK(r.text == "tcp dport 80 tproxy to :8080 meta mark set 1 accept");
  CHECK(r.origin == SourceLoc{l.file, 3, col(l3, "tcp")});
  REQUIRE(r.exprs.size() == 4);
  const auto* m = std::get_if<NftMatch>(&r.exprs[0].data);
  REQUIRE(m);
  CHECK(m->key == NftKey::th_dport);
  CHECK(m->l4proto == IPPROTO_TCP_);
  CHECK(m->values == std::vector<NftRange>{{80, 80}});
  const auto* tp = std::get_if<NftTproxy>(&r.exprs[1].data);
  REQUIRE(tp);
  CHECK(tp->port == 8080);
  CHECK(tp->addr.is_zero());
  CHECK(r.exprs[1].text == "tproxy to :8080");
  CHECK(r.exprs[1].origin == SourceLoc{l.file, 3, col(l3, "tproxy")});
  const auto* mk = std::get_if<NftSetMark>(&r.exprs[2].data);
  REQUIRE(mk);
  CHECK_FALSE(mk->ct);
  CHECK(mk->src == NftSetMark::Src::imm);
  CHECK(mk->xor_ == 1);
  CHECK(mk->mask == 0);
  const auto* v = std::get_if<NftVerdict>(&r.exprs[3].data);
  REQUIRE(v);
  CHECK(v->code == NftVerdict::Code::accept);
}

TEST_CASE("nft: -f here-document in list-ruleset syntax: sets, defines, priorities by name, locations", "[nft]") {
  const std::string script = R"(#!/bin/sh
nft -f - <<'EOF'
flush ruleset
define PROXY_PORT = 12345
define BYPASS = { 127.0.0.0/8, 10.0.0.0/8 }
table inet proxy {   # the TPROXY recipe
    set direct {
        type ipv4_addr; flags interval
        elements = { 192.168.0.0/16,
                     172.16.0.0/12 }
    }

    chain prerouting {
        type filter hook prerouting priority mangle; policy accept;
        meta l4proto tcp socket transparent 1 meta mark set 1 accept
        ip daddr $BYPASS return
        ip daddr @direct return
        meta l4proto { tcp, udp } tproxy ip to 127.0.0.1:$PROXY_PORT meta mark set 1 accept
    }
    chain divert { type filter hook prerouting priority mangle - 10; policy drop; }
    chain late { type filter hook input priority filter + 5; }
}
EOF
)";
  Load l(script);
  const NftTable& t = l.table("inet", "proxy");
  CHECK(t.origin == SourceLoc{l.file, 6, 12});
  REQUIRE(t.sets.size() == 1);
  const NftSet& s = t.sets[0];
  CHECK(s.name == "direct");
  CHECK(s.interval);
  CHECK(s.type == NftSet::Type::ipv4_addr);
  CHECK(s.elems == std::vector<NftRange>{{0xc0a80000u, 0xc0a8ffffu}, {0xac100000u, 0xac1fffffu}});
  CHECK(s.origin == SourceLoc{l.file, 7, 9});

  const NftChain& pre = l.chain("inet", "proxy", "prerouting");
  CHECK(pre.priority == -150);
  CHECK(pre.origin == SourceLoc{l.file, 13, 11});
  REQUIRE(pre.rules.size() == 4);
  CHECK(pre.rules[0].origin == SourceLoc{l.file, 15, 9});
  // $BYPASS expands to an anonymous set; the rule's text is what nft reads (values in place),
  // the expression's text what the file says
  CHECK(pre.rules[1].text == "ip daddr { 127.0.0.0/8, 10.0.0.0/8 } return");
  CHECK(pre.rules[1].exprs[0].text == "ip daddr $BYPASS");
  CHECK(pre.rules[3].text == "meta l4proto { tcp, udp } tproxy ip to 127.0.0.1:12345 meta mark set 1 accept");
  CHECK(pre.rules[0].text == "meta l4proto tcp socket transparent 1 meta mark set 1 accept");
  const auto* by = std::get_if<NftMatch>(&pre.rules[1].exprs[0].data);
  REQUIRE(by);
  CHECK(by->values == std::vector<NftRange>{{0x7f000000u, 0x7fffffffu}, {0x0a000000u, 0x0affffffu}});
  const auto* named = std::get_if<NftMatch>(&pre.rules[2].exprs[0].data);
  REQUIRE(named);
  CHECK(named->set_name == "direct");
  CHECK(named->set == 0);  // resolved when the batch commits
  const auto* tp = std::get_if<NftTproxy>(&pre.rules[3].exprs[1].data);
  REQUIRE(tp);
  CHECK(tp->addr == Ipv4Addr{0x7f000001});
  CHECK(tp->port == 12345);
  CHECK(pre.rules[3].exprs[1].origin == SourceLoc{l.file, 18, 35});

  const NftChain& divert = l.chain("inet", "proxy", "divert");
  CHECK(divert.priority == -160);
  CHECK(divert.policy == XtVerdict::DROP);
  CHECK(divert.policy_origin == SourceLoc{l.file, 20, 70});
  CHECK(l.chain("inet", "proxy", "late").priority == 5);
  CHECK(l.chain("inet", "proxy", "late").hook == NF_INET_LOCAL_IN);
}

TEST_CASE("nft: <<-EOF here-documents keep the columns of tab-indented lines", "[nft]") {
  Load l("nft -f - <<-EOF\n\ttable ip t {\n\t\tchain c {\n\t\t\ttype filter hook input priority 0; policy drop;\n\t\t}\n\t}\nEOF\n");
  const NftChain& c = l.chain("ip", "t", "c");
  CHECK(c.origin == SourceLoc{l.file, 3, 9});
  CHECK(c.policy_origin == SourceLoc{l.file, 4, 39});
}

TEST_CASE("nft: -f FILE reads the file with its own locations", "[nft]") {
  const std::string path = "/tmp/kpath-nft-test-" + std::to_string(::getpid()) + ".nft";
  {
    std::ofstream f(path);
    f << "table ip mangle {\n  chain pre {\n    type filter hook prerouting priority -150;\n    tcp dport 80 drop\n  }\n}\n";
  }
  Load l("nft -f " + path + "\n");
  std::remove(path.c_str());
  const NftChain& c = l.chain("ip", "mangle", "pre");
  REQUIRE(c.rules.size() == 1);
  CHECK(l.set.files.path(c.rules[0].origin.file_id) == path);
  CHECK(c.rules[0].origin.line == 4);
  CHECK(c.rules[0].origin.col == 5);
  const ConfigError e = load_error("nft -f /nonexistent/x.nft\n");
  CHECK(msg(e) == "Error: Could not open file \"/nonexistent/x.nft\": No such file or directory");
  CHECK(e.loc().col == 8);
}

TEST_CASE("nft: matches and statements parse to the kernel's expressions", "[nft]") {
  Load l(R"(ip link add eth0 type dummy
nft add table ip t
nft add chain ip t c '{ type filter hook input priority 0; }'
nft add rule ip t c meta mark and 0xff eq 1 accept
nft add rule ip t c meta mark '&' 0xff00 '!=' 0x100 drop
nft add rule ip t c ct state established,related accept
nft add rule ip t c ct state '{ established, related }' accept
nft add rule ip t c ct state '!=' new drop
nft add rule ip t c tcp flags syn / syn,ack counter
nft add rule ip t c tcp dport '{ 22, 80-90, https }' ip saddr 10.0.0.1-10.0.0.9 accept
nft add rule ip t c tcp dport '<' 1024 accept
nft add rule ip t c iif eth0 iifname '{ "lo", "eth*" }' accept
nft add rule ip t c meta mark set meta mark or 0x10
nft add rule ip t c meta mark set mark and 0xff00 xor 0x3
nft add rule ip t c ct mark set meta mark
nft add rule ip t c meta mark set ct mark
nft add rule ip t c fib daddr type local accept
nft add rule ip t c tcp dport vmap '{ 22 : accept, 80 : drop }'
nft add rule ip t c reject with tcp reset
nft add rule ip t c ip protocol icmp reject with icmp type host-prohibited
nft add rule ip t c limit rate 10/second burst 5 packets log prefix '"x: "' counter accept comment '"hi"'
)");
  const NftChain& c = l.chain("ip", "t", "c");
  REQUIRE(c.rules.size() == 18);
  auto match = [&](size_t r, size_t e) -> const NftMatch& {
    const auto* m = std::get_if<NftMatch>(&c.rules[r].exprs[e].data);
    REQUIRE(m);
    return *m;
  };
  CHECK(match(0, 0).mask == 0xff);
  CHECK(match(0, 0).op == NftCmpOp::eq);
  CHECK(match(0, 0).values == std::vector<NftRange>{{1, 1}});
  CHECK(match(1, 0).mask == 0xff00);
  CHECK(match(1, 0).op == NftCmpOp::neq);
  // bitmask types: a flag list is "any of these bits"
  CHECK(match(2, 0).key == NftKey::ct_state);
  CHECK(match(2, 0).mask == (NF_CT_STATE_ESTABLISHED_BIT | NF_CT_STATE_RELATED_BIT));
  CHECK(match(2, 0).op == NftCmpOp::neq);
  CHECK(match(2, 0).values == std::vector<NftRange>{{0, 0}});
  CHECK(match(3, 0).op == NftCmpOp::eq);  // a set is exact membership
  CHECK(match(3, 0).values.size() == 2);
  CHECK(match(4, 0).mask == 0xffffffffu);  // != compares the whole value (nft --debug=netlink: cmp neq reg 1 0x8)
  CHECK(match(4, 0).op == NftCmpOp::neq);
  CHECK(match(4, 0).values == std::vector<NftRange>{{NF_CT_STATE_NEW_BIT, NF_CT_STATE_NEW_BIT}});
  CHECK(match(5, 0).mask == 0x12);  // syn / syn,ack
  CHECK(match(5, 0).values == std::vector<NftRange>{{2, 2}});
  CHECK(match(6, 0).values == std::vector<NftRange>{{22, 22}, {80, 90}, {443, 443}});
  CHECK(match(6, 1).values == std::vector<NftRange>{{0x0a000001u, 0x0a000009u}});
  CHECK(match(7, 0).op == NftCmpOp::lt);
  CHECK(match(8, 0).key == NftKey::meta_iif);
  CHECK(match(8, 0).values[0].lo == static_cast<uint32_t>(l.host().find_dev("eth0")->ifindex));
  const auto* ifn = std::get_if<NftIfname>(&c.rules[8].exprs[1].data);
  REQUIRE(ifn);
  CHECK(ifn->names == std::vector<std::string>{"lo", "eth*"});
  auto setmark = [&](size_t r) -> const NftSetMark& {
    const auto* s = std::get_if<NftSetMark>(&c.rules[r].exprs[0].data);
    REQUIRE(s);
    return *s;
  };
  CHECK(setmark(9).src == NftSetMark::Src::meta_mark);  // mark | 0x10 = (mark & ~0x10) ^ 0x10
  CHECK(setmark(9).mask == ~0x10u);
  CHECK(setmark(9).xor_ == 0x10);
  CHECK(setmark(10).mask == 0xff00);  // nft lists it as `meta mark & 0x0000ff03 | 0x00000003`
  CHECK(setmark(10).xor_ == 0x3);
  CHECK(setmark(11).ct);
  CHECK(setmark(11).src == NftSetMark::Src::meta_mark);
  CHECK_FALSE(setmark(12).ct);
  CHECK(setmark(12).src == NftSetMark::Src::ct_mark);
  CHECK(match(13, 0).key == NftKey::fib_daddr_type);
  CHECK(match(13, 0).values == std::vector<NftRange>{{RTN_LOCAL, RTN_LOCAL}});
  const auto* vm = std::get_if<NftVmap>(&c.rules[14].exprs[0].data);
  REQUIRE(vm);
  REQUIRE(vm->map.size() == 2);
  CHECK(vm->map[1].second.code == NftVerdict::Code::drop);
  // reject with tcp reset carries nft's implicit `meta l4proto tcp`
  REQUIRE(c.rules[15].exprs.size() == 2);
  CHECK(match(15, 0).key == NftKey::meta_l4proto);
  CHECK(std::get<NftReject>(c.rules[15].exprs[1].data).tcp_reset);
  CHECK(std::get<NftReject>(c.rules[16].exprs[1].data).code == 10);
  CHECK(c.rules[16].text == "ip protocol icmp reject with icmp type host-prohibited");
}

TEST_CASE("nft: nft 1.0.6 wants a separator before every closing brace", "[nft]") {
  const std::string line = "nft add chain ip t c '{ type filter hook input priority 0; policy drop }'";
  ConfigError e = load_error("nft add table t\n" + line + "\n");
  CHECK(msg(e) == "Error: syntax error, unexpected '}', expecting newline or semicolon");
  CHECK(e.loc() == SourceLoc{1, 2, col(line, "}")});  // inside the quoted shell word
  e = load_error("nft -f - <<'EOF'\ntable ip t {\n  chain other { return }\n}\nEOF\n");
  CHECK(msg(e) == "Error: syntax error, unexpected '}', expecting newline or semicolon");
  CHECK(e.loc() == SourceLoc{1, 3, 24});
  e = load_error("nft -f - <<'EOF'\ntable ip t {\n  set s { type ipv4_addr; elements = { 1.1.1.1 } }\n}\nEOF\n");
  CHECK(e.loc() == SourceLoc{1, 3, 50});
  e = load_error("nft -f - <<'EOF'\ntable ip t { chain a { type filter hook input priority 0; } chain b { } }\nEOF\n");
  CHECK(msg(e) == "Error: syntax error, unexpected chain, expecting newline or semicolon");
  CHECK(e.loc() == SourceLoc{1, 2, 61});
  // `;` separates commands on one command line
  Load ok("nft add table t\nnft add chain t c '{ type filter hook input priority 0; policy drop; }'\n"
          "nft 'add rule t c tcp dport 22 accept; add rule t c tcp dport 23 accept'\n");
  CHECK(ok.chain("ip", "t", "c").rules.size() == 2);
}

TEST_CASE("nft: priorities by name and the contexts nft refuses", "[nft]") {
  const std::string pre = "nft add table t\n";
  Load l(pre + "nft add chain t a '{ type filter hook prerouting priority raw + 10; }'\n"
               "nft add chain t b '{ type nat hook prerouting priority dstnat; }'\n"
               "nft add chain t c '{ type nat hook postrouting priority srcnat; }'\n"
               "nft add chain t d '{ type filter hook forward priority security; }'\n");
  CHECK(l.chain("ip", "t", "a").priority == -290);
  CHECK(l.chain("ip", "t", "b").priority == -100);
  CHECK(l.chain("ip", "t", "c").priority == 100);
  CHECK(l.chain("ip", "t", "d").priority == 50);
  const std::string bad = "nft add chain t inp '{ type filter hook input priority dstnat; }'";
  ConfigError e = load_error(pre + bad + "\n");
  CHECK(msg(e).starts_with("Error: invalid priority expression value in this context."));
  CHECK(e.loc() == SourceLoc{1, 2, col(bad, "dstnat")});
  CHECK(msg(load_error(pre + "nft add chain t x '{ type filter hook prerouting priority mangle-10; }'\n"))
            .starts_with("Error: invalid priority expression value in this context."));
  CHECK(msg(load_error(pre + "nft add chain t x '{ type nat hook forward priority 0; }'\n"))
            .starts_with("Error: Could not process rule: Operation not supported"));
  CHECK(msg(load_error(pre + "nft add chain t x '{ type filter hook ingress priority 0; }'\n")) == "Error: The ip family does not support this hook");
  CHECK(msg(load_error(pre + "nft add chain t x '{ type filter hook input priority 0; policy foo; }'\n")) ==
        "Error: syntax error, unexpected foo, expecting accept or drop or '$'");
  CHECK(msg(load_error(pre + "nft add chain t reg\nnft add chain t reg '{ policy drop; }'\n"))
            .starts_with("Error: Could not process rule: Operation not supported"));
  // an existing base chain takes a new policy
  Load upd(pre + "nft add chain t c '{ type filter hook input priority 0; }'\nnft add chain t c '{ type filter hook input priority 0; policy drop; }'\n");
  CHECK(upd.chain("ip", "t", "c").policy == XtVerdict::DROP);
  CHECK(msg(load_error(pre + "nft create table t\n")) == "Error: Could not process rule: File exists");
}

TEST_CASE("nft: missing objects, with nft's wording", "[nft]") {
  const std::string line = "nft add rule ip nosuch pre accept";
  ConfigError e = load_error(line + "\n");
  CHECK(msg(e).starts_with("Error: Could not process rule: No such file or directory"));
  CHECK(e.loc() == SourceLoc{1, 1, col(line, "nosuch")});
  e = load_error("nft add table inet x\nnft delete table x\n");
  CHECK(msg(e) == "Error: No such file or directory; did you mean table \u2018x\u2019 in family inet?");
  e = load_error("nft add table t\nnft add rule t nosuch accept\n");
  CHECK(msg(e).starts_with("Error: Could not process rule: No such file or directory"));
  CHECK(e.loc().col == 16);
  e = load_error("nft add table t\nnft add chain t c '{ type nat hook prerouting priority dstnat; }'\nnft add chain t reg\n"
                 "nft add rule t c tcp dport 80 jump nosuch\n");
  CHECK(msg(e).starts_with("Error: No such file or directory; did you mean chain \u2018reg\u2019 in table ip \u2018t\u2019?"));
  e = load_error("nft add table t\nnft add chain t c '{ type filter hook input priority 0; }'\nnft add rule t c ip saddr @nosuch counter\n");
  CHECK(msg(e).starts_with("Error: No such file or directory"));
  CHECK(msg(load_error("ip link add eth0 type dummy\nnft add table t\nnft add chain t c '{ type filter hook input priority 0; }'\n"
                       "nft add rule t c iif eth9 accept\n"))
            .starts_with("Error: Interface does not exist"));
}

TEST_CASE("nft: insert-time checks of the kernel and of nft", "[nft]") {
  const std::string base = "nft add table t\nnft add chain t pre '{ type filter hook prerouting priority -150; }'\n"
                           "nft add chain t inp '{ type filter hook input priority 0; }'\n";
  ConfigError e = load_error(base + "nft add rule t pre tproxy to :8080\n");
  CHECK(msg(e).starts_with("Error: Transparent proxy support requires transport protocol match"));
  CHECK(e.loc() == SourceLoc{1, 4, 20});
  e = load_error(base + "nft add rule t inp tcp dport 80 tproxy to :8080\n");
  CHECK(msg(e) == "Error: Could not process rule: Operation not supported (kernel: tproxy is only valid at prerouting; chain inp is reached from input)");
  // through a jump: the regular chain inherits the base chain's hook
  e = load_error(base + "nft add chain t reg\nnft add rule t reg tcp dport 80 tproxy to :1\nnft add rule t inp jump reg\n");
  CHECK(msg(e).find("chain reg is reached from input") != std::string::npos);
  CHECK(msg(load_error(base + "nft add rule t pre tcp dport 80 dnat to 1.2.3.4\n"))
            .starts_with("Error: Could not process rule: Operation not supported (kernel: dnat is only valid in chains of type nat"));
  CHECK(msg(load_error(base + "nft add chain t a\nnft add chain t b\nnft add rule t a jump b\nnft add rule t b jump a\n"))
            .starts_with("Error: Could not process rule: Too many links"));
  CHECK(msg(load_error(base + "nft add rule t inp jump pre\n")).starts_with("Error: Could not process rule: Operation not supported"));
  CHECK(msg(load_error(base + "nft add rule t inp ip6 saddr ::1 accept\n")) == "Error: conflicting protocols specified: ip vs. ip6");
  CHECK(msg(load_error(base + "nft add rule t inp meta nfproto ipv4 accept\n")) == "Error: meta nfproto is only useful in the inet family");
  CHECK(msg(load_error(base + "nft add rule t inp reject with icmpx type admin-prohibited\n")).starts_with("Error: abstracted ICMP unreachable not supported"));
  CHECK(msg(load_error(base + "nft add rule t inp accept counter\n")) == "Error: Statement after terminal statement has no effect");
  CHECK(msg(load_error(base + "nft add rule t inp ip daddr 1.2.3.4/33 accept\n")) == "Error: Prefix length 33 is invalid for type of 32 bits width");
  CHECK(msg(load_error("nft add table inet x\nnft add chain inet x pre '{ type filter hook prerouting priority 0; }'\n"
                       "nft add rule inet x pre meta l4proto tcp tproxy to 1.1.1.1:80\n")) ==
        "Error: ip or ip6 must be specified with address for inet tables.");
  CHECK(msg(load_error(base + "nft add set t s '{ type ipv4_addr; elements = { 10.0.0.0/8 }; }'\n")) ==
        "Error: Set member cannot be prefix, missing interval flag on declaration");
  CHECK(msg(load_error(base + "nft add set t s '{ type inet_service; }'\nnft add rule t inp ip saddr @s accept\n")) ==
        "Error: datatype mismatch, expected IPv4 address, set has type internet network service");
}

TEST_CASE("nft: unmodelled expressions name themselves and what kpath reads", "[nft]") {
  const std::string base = "nft add table t\nnft add chain t c '{ type filter hook input priority 0; }'\n";
  ConfigError e = load_error(base + "nft add rule t c ct status dnat accept\n");
  CHECK(msg(e).starts_with("Error: kpath does not model the nft expression `ct status`; it reads matches ip saddr/daddr"));
  CHECK(e.loc().col == 18);
  CHECK(msg(load_error(base + "nft add rule t c ether saddr 00:11:22:33:44:55 drop\n")).starts_with("Error: kpath does not model the nft expression `ether`"));
  CHECK(msg(load_error(base + "nft add rule t c frobnicate\n")).starts_with("Error: syntax error, unexpected frobnicate; kpath reads matches"));
  CHECK(msg(load_error(base + "nft add rule t c queue\n")).starts_with("Error: kpath does not model `queue`"));
  CHECK(msg(load_error("nft -f - <<'EOF'\ninclude \"/etc/nftables.d/*.nft\"\nEOF\n")).starts_with("Error: kpath does not follow `include`"));
  CHECK(msg(load_error("nft -j -f /dev/null\n")).starts_with("nft -j: kpath does not read nft's JSON format yet"));
  CHECK(msg(load_error(base + "nft -f - <<'EOF'\nadd rule t c tcp dport $PORT accept\nEOF\n")).starts_with("Error: unknown identifier 'PORT'"));
  CHECK(msg(load_error("nft -f - <<'EOF'\ntable netdev t { }\nEOF\n")).starts_with("Error: kpath does not model the netdev family"));
}

TEST_CASE("nft: insert, index, delete, flush, rename, elements", "[nft]") {
  Load l(R"(nft add table t
nft add chain t c '{ type filter hook input priority 0; }'
nft add rule t c tcp dport 2 accept
nft insert rule t c tcp dport 1 accept
nft add rule t c tcp dport 4 accept
nft add rule t c index 1 tcp dport 3 accept
nft insert rule t c index 0 tcp dport 0 accept
nft add set t s '{ type ipv4_addr; flags interval; }'
nft add element t s '{ 10.0.0.0/8, 1.2.3.4 }'
nft delete element t s '{ 1.2.3.4 }'
nft add chain t old
nft rename chain t old new
nft add table ip6 v6only
nft add chain ip6 v6only c '{ type filter hook input priority 0; }'
nft add table x
nft delete table x
nft list ruleset
)");
  const NftChain& c = l.chain("ip", "t", "c");
  std::vector<std::string> texts;
  for (auto& r : c.rules) texts.push_back(r.text);
  CHECK(texts == std::vector<std::string>{"tcp dport 0 accept", "tcp dport 1 accept", "tcp dport 2 accept", "tcp dport 3 accept", "tcp dport 4 accept"});
  CHECK(l.table("ip", "t").sets[0].elems == std::vector<NftRange>{{0x0a000000u, 0x0affffffu}});
  CHECK(l.table("ip", "t").find_chain("new") >= 0);
  CHECK(l.host().nft.size() == 1);  // ip6 ignored (noted), x deleted
  bool ip6_note = false, list_note = false;
  for (auto& d : l.set.diagnostics) {
    ip6_note = ip6_note || d.message.find("the ip6 family is outside kpath's IPv4 model") != std::string::npos;
    list_note = list_note || d.message.find("nft list: output only") != std::string::npos;
  }
  CHECK(ip6_note);
  CHECK(list_note);
  CHECK(msg(load_error("nft add table t\nnft add chain t a\nnft add chain t b\nnft add rule t a jump b\nnft delete chain t b\n"))
            .starts_with("Error: Could not process rule: Device or resource busy"));
  CHECK(msg(load_error("nft add table t\nnft add chain t a\nnft add rule t a position 3 accept\n")).starts_with("Error: kpath cannot read `position`"));
}

TEST_CASE("nft: flush ruleset deletes iptables-nft rules too, not iptables-legacy ones (kernel-path.md 6.1)", "[nft]") {
  Load l("iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080\niptables -P INPUT DROP\nnft add table t\nnft flush ruleset\n");
  CHECK(l.host().nft.empty());
  CHECK(l.host().table(XtTableId::nat).chains[0].rules.empty());
  CHECK(l.host().table(XtTableId::filter).chains[0].policy == XtVerdict::ACCEPT);
  Load legacy("iptables-legacy -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080\nnft flush ruleset\n");
  CHECK(legacy.host().table(XtTableId::nat).chains[0].rules.size() == 1);
  // `flush ruleset inet` leaves family ip (and so iptables-nft) alone
  Load inet("iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080\nnft add table inet i\nnft flush ruleset inet\n");
  CHECK(inet.host().nft.empty());
  CHECK(inet.host().table(XtTableId::nat).chains[0].rules.size() == 1);
  // `delete table ip nat` removes iptables-nft's nat table
  Load del("iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080\nnft delete table ip nat\n");
  CHECK(del.host().table(XtTableId::nat).chains[0].rules.empty());
}

TEST_CASE("nft: -c checks without applying; -D defines; -- before negative priorities", "[nft]") {
  Load l("nft -c add table t\nnft -D PORT=8080 -f - <<'EOF'\ntable ip u { chain c { type filter hook prerouting priority -150; tcp dport $PORT drop; }; }\nEOF\n"
         "nft -- add chain u d { type filter hook input priority -5 \\; }\n");
  CHECK(l.host().nft.size() == 1);
  const auto& m = std::get<NftMatch>(l.chain("ip", "u", "c").rules[0].exprs[0].data);
  CHECK(m.values == std::vector<NftRange>{{8080, 8080}});
  CHECK(l.chain("ip", "u", "d").priority == -5);
}

TEST_CASE("nft: an inet table keeps IPv6-only rules as never-matching", "[nft]") {
  Load l("nft add table inet f\nnft add chain inet f in '{ type filter hook input priority 0; }'\n"
         "nft add rule inet f in ip6 saddr ::1 accept\nnft add chain inet f pre '{ type filter hook prerouting priority 0; }'\nnft add rule inet f pre meta l4proto tcp tproxy ip6 to [::1]:80\n");
  const NftChain& c = l.chain("inet", "f", "in");
  REQUIRE(c.rules.size() == 1);
  CHECK(std::holds_alternative<NftIpv6Only>(c.rules[0].exprs[0].data));
  const NftChain& pre = l.chain("inet", "f", "pre");
  REQUIRE(pre.rules[0].exprs.size() == 2);
  CHECK(std::holds_alternative<NftIpv6Only>(pre.rules[0].exprs[1].data));
}

TEST_CASE("nft: nft_list_table prints what nft -f reads back to the same objects", "[nft]") {
  Load l(R"(nft -f - <<'EOF'
define LAN = { 192.168.0.0/16, 10.1.2.3 }
table inet proxy {
  set bypass { type ipv4_addr; flags interval; elements = { 127.0.0.0/8, 10.0.0.1-10.0.0.9 }; }
  set ports { type inet_service; elements = { 22, 80 }; }
  set ifs { type ifname; elements = { "lo", "veth0" }; }
  chain divert {
    meta mark set 1
    accept
  }
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    meta l4proto tcp socket transparent 1 jump divert
    ip daddr @bypass return
    ip saddr $LAN tcp dport @ports counter accept comment "lan"
    iifname @ifs return
    meta l4proto { tcp, udp } tproxy ip to :12345 meta mark set 1 accept
  }
}
EOF
)");
  const std::string text = nft_list_table(l.table("inet", "proxy"));
  CHECK(text == "table inet proxy {\n"
                "\tset bypass {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { 127.0.0.0/8, 10.0.0.1-10.0.0.9 }\n\t}\n\n"
                "\tset ports {\n\t\ttype inet_service\n\t\telements = { 22, 80 }\n\t}\n\n"
                "\tset ifs {\n\t\ttype ifname\n\t\telements = { \"lo\", \"veth0\" }\n\t}\n\n"
                "\tchain divert {\n\t\tmeta mark set 1\n\t\taccept\n\t}\n\n"
                "\tchain prerouting {\n\t\ttype filter hook prerouting priority -150; policy accept;\n"
                "\t\tmeta l4proto tcp socket transparent 1 jump divert\n"
                "\t\tip daddr @bypass return\n"
                "\t\tip saddr { 192.168.0.0/16, 10.1.2.3 } tcp dport @ports counter accept comment \"lan\"\n"
                "\t\tiifname @ifs return\n"
                "\t\tmeta l4proto { tcp, udp } tproxy ip to :12345 meta mark set 1 accept\n"
                "\t}\n}\n");
  HostConfig again = HostConfig::running_host();
  std::vector<Diagnostic> notes;
  nft_apply_ruleset(again, text, SourceLoc{}, notes);
  REQUIRE(again.nft.size() == 1);
  CHECK(nft_list_table(again.nft[0]) == text);
}

TEST_CASE("nft: --lenient skips the rule, table element or command kpath does not model", "[nft]") {
  Load l(R"(nft -f - <<'EOF'
table ip t {
  map m { type ipv4_addr : verdict; }
  chain c {
    type filter hook input priority 0; policy accept;
    ct status dnat accept
    ip saddr . tcp dport { 10.0.0.1 . 22 } accept
    tcp dport 22 accept
  }
}
table netdev n { chain i { type filter hook ingress device eth0 priority 0; } }
EOF
nft -j -f /dev/null
)", true);
  const NftChain& c = l.chain("ip", "t", "c");
  REQUIRE(c.rules.size() == 1);
  CHECK(c.rules[0].text == "tcp dport 22 accept");
  CHECK(l.host().nft.size() == 1);
  size_t warnings = 0;
  for (auto& d : l.set.diagnostics)
    if (d.severity == Diagnostic::Severity::warning && d.message.find("--lenient: this") != std::string::npos) ++warnings;
  CHECK(warnings == 5);
  const ConfigError e = load_error("nft add table t\nnft add chain t c '{ type filter hook input priority 0; }'\nnft add rule t c ct status dnat accept\n");
  CHECK(msg(e).ends_with("(use --lenient to skip it with a warning)"));
}

TEST_CASE("nft: comments end at the line, strings keep their '#'", "[nft]") {
  Load l("nft -f - <<'EOF'\ntable ip t { # a table\n  chain c { # a chain\n    tcp dport 22 accept comment \"ssh # admin\" # trailing\n  }\n}\nEOF\n");
  const NftChain& c = l.chain("ip", "t", "c");
  REQUIRE(c.rules.size() == 1);
  CHECK(c.rules[0].text == "tcp dport 22 accept comment \"ssh # admin\"");
  CHECK(c.rules[0].comment == "ssh # admin");
}

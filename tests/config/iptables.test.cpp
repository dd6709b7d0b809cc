// iptables front end and extensions against iptables 1.8.9 (nf_tables) as measured live in a
// private network namespace: the expected `iptables -S` texts and error messages below are the
// real program's output.
#include <catch2/catch.hpp>
#include "sim/config/iptables/iptables_cmd.hpp"

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

// Splits a line on spaces (single quotes group, as in a shell) and numbers columns from 1.
Command make_command(const std::string& line, uint32_t lineno) {
  Command c;
  c.loc = SourceLoc{1, lineno, 1};
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    const size_t start = i;
    std::string text;
    bool quoted = false;
    while (i < line.size() && (quoted || line[i] != ' ')) {
      if (line[i] == '\'') { quoted = !quoted; ++i; continue; }
      text += line[i++];
    }
    c.argv.push_back(Word{text, SourceLoc{1, lineno, static_cast<uint32_t>(start + 1)}});
  }
  return c;
}

struct Ipt {
  HostConfig host = HostConfig::running_host();
  std::vector<Diagnostic> notes;
  uint32_t line = 0;

  std::string last;  // the last command line

  // 1-based column of the nth occurrence of `needle` in the last command line
  uint32_t col(const std::string& needle, int nth = 1) const {
    size_t pos = std::string::npos, from = 0;
    for (int i = 0; i < nth; ++i) {
      pos = last.find(needle, from);
      REQUIRE(pos != std::string::npos);
      from = pos + 1;
    }
    return static_cast<uint32_t>(pos + 1);
  }

  void run(const std::string& cmdline) {
    last = cmdline;
    const Command c = make_command(cmdline, ++line);
    std::vector<Word> args(c.argv.begin() + 1, c.argv.end());
    iptables_command(host, args, c, notes);
  }
  ConfigError error(const std::string& cmdline) {
    try {
      run(cmdline);
    } catch (const ConfigError& e) {
      return e;
    }
    FAIL("expected a ConfigError for: " << cmdline);
    return ConfigError({}, "");
  }
  void restore(const std::string& text, bool noflush = false, uint32_t first = 10) {
    iptables_restore(host, text, SourceLoc{1, first, 1}, noflush, notes);
  }
  ConfigError restore_error(const std::string& text, bool noflush = false, uint32_t first = 10) {
    try {
      restore(text, noflush, first);
    } catch (const ConfigError& e) {
      return e;
    }
    FAIL("expected a ConfigError for restore input:\n" << text);
    return ConfigError({}, "");
  }
  XtTable& table(XtTableId id) { return host.table(id); }
  const XtChain& chain(XtTableId id, const std::string& name) {
    XtTable& t = host.table(id);
    const int c = t.find_chain(name);
    REQUIRE(c >= 0);
    return t.chains[static_cast<size_t>(c)];
  }
  std::vector<std::string> texts(XtTableId id, const std::string& name) {
    std::vector<std::string> out;
    for (const IptEntry& e : chain(id, name).rules) out.push_back(e.text);
    return out;
  }
  std::string last_text(XtTableId id, const std::string& name) {
    const auto& r = chain(id, name).rules;
    REQUIRE(!r.empty());
    return r.back().text;
  }
};

constexpr auto filter = XtTableId::filter;
constexpr auto mangle = XtTableId::mangle;
constexpr auto nat = XtTableId::nat;
constexpr auto raw = XtTableId::raw;

}  // namespace

TEST_CASE("iptables: TPROXY story lines", "[iptables]") {
  Ipt t;
  t.run("iptables -t mangle -N DIVERT");
  t.run("iptables -t mangle -A PREROUTING -p tcp -m socket -j DIVERT");
  const uint32_t m_col = t.col("-m"), j_col = t.col("-j");
  t.run("iptables -t mangle -A PREROUTING -p tcp -j TPROXY --tproxy-mark 0x1/0x1 --on-port 9999");
  const uint32_t tproxy_col = t.col("-j");
  t.run("iptables -t mangle -A DIVERT -j MARK --set-mark 1");
  t.run("iptables -t mangle -A DIVERT -j ACCEPT");

  CHECK(t.texts(mangle, "PREROUTING") == std::vector<std::string>{
                                               "-A PREROUTING -p tcp -m socket -j DIVERT",
                                               "-A PREROUTING -p tcp -j TPROXY --on-port 9999 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1",
                                           });
  CHECK(t.texts(mangle, "DIVERT") == std::vector<std::string>{"-A DIVERT -j MARK --set-xmark 0x1/0xffffffff", "-A DIVERT -j ACCEPT"});

  const XtChain& divert = t.chain(mangle, "DIVERT");
  CHECK_FALSE(divert.builtin);
  CHECK(divert.origin == SourceLoc{1, 1, 1});

  const auto& pre = t.chain(mangle, "PREROUTING").rules;
  // rule 1: -p tcp -m socket -j DIVERT
  CHECK(pre[0].origin == SourceLoc{1, 2, 1});
  CHECK(pre[0].ip.proto == 6);
  REQUIRE(pre[0].matches.size() == 1);
  CHECK(std::holds_alternative<XtSocket>(pre[0].matches[0].data));
  CHECK(pre[0].matches[0].origin == SourceLoc{1, 2, m_col});  // the -m word
  const auto* jump = std::get_if<XtJump>(&pre[0].target.data);
  REQUIRE(jump);
  CHECK(jump->chain == "DIVERT");
  CHECK_FALSE(jump->is_goto);
  CHECK(pre[0].target.origin == SourceLoc{1, 2, j_col});  // the -j word
  // rule 2: TPROXY
  const auto* tp = std::get_if<XtTproxy>(&pre[1].target.data);
  REQUIRE(tp);
  CHECK(tp->lport == 9999);
  CHECK(tp->laddr.v == 0);
  CHECK(tp->mark_value == 1);
  CHECK(tp->mark_mask == 1);
  CHECK(pre[1].target.origin == SourceLoc{1, 3, tproxy_col});
  // MARK --set-mark 1: value 1, mask 0xffffffff
  const auto* mk = std::get_if<XtMarkTarget>(&divert.rules[0].target.data);
  REQUIRE(mk);
  CHECK(mk->value == 1);
  CHECK(mk->mask == 0xffffffffu);
  const auto* acc = std::get_if<XtStandard>(&divert.rules[1].target.data);
  REQUIRE(acc);
  CHECK(acc->verdict == XtVerdict::ACCEPT);
}

TEST_CASE("iptables: TPROXY options as iptables parses them", "[iptables]") {
  Ipt t;
  t.run("iptables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 99999");
  t.run("iptables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port http --on-ip 127.0.0.1 --tproxy-mark 1");
  t.run("iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-port 0 --tproxy-mark 0x1/0x1");
  t.run("iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-port 70000000000");
  t.run("iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-port 1 --on-ip 10.1");
  CHECK(t.texts(mangle, "PREROUTING") == std::vector<std::string>{
                                               // getaddrinfo reads the service number and keeps 16 bits: 99999 -> 34463
                                               "-A PREROUTING -p tcp -j TPROXY --on-port 34463 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0",
                                               "-A PREROUTING -p tcp -j TPROXY --on-port 80 --on-ip 127.0.0.1 --tproxy-mark 0x1/0xffffffff",
                                               "-A PREROUTING -p udp -j TPROXY --on-port 0 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1",
                                               "-A PREROUTING -p udp -j TPROXY --on-port 15360 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0",
                                               "-A PREROUTING -p udp -j TPROXY --on-port 1 --on-ip 10.0.0.1 --tproxy-mark 0x0/0x0",
                                           });
  CHECK(t.error("iptables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port -1").what() ==
        std::string("iptables v1.8.9 (nf_tables): Port \"-1\" does not resolve to anything.; "
                    "expected a port number or a service name (0 = keep the packet's destination port) for --on-port"));
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-ip 10.1.1.1").what())
            .starts_with("iptables v1.8.9 (nf_tables): TPROXY: option \"--on-port\" must be specified"));
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-port 1 --on-port 2").what()) ==
        "iptables v1.8.9 (nf_tables): TPROXY: option \"--on-port\" can only be used once.");
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-port 1 --tproxy-mark 1x").what())
            .starts_with("iptables v1.8.9 (nf_tables): TPROXY: trailing garbage after value for option \"--tproxy-mark\"."));
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 1 ! --on-ip 1.2.3.4").what()) ==
        "iptables v1.8.9 (nf_tables): TPROXY: option \"--on-ip\" cannot be inverted.");
  const ConfigError e = t.error("iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-port bogus");
  CHECK(e.loc() == SourceLoc{1, t.line, t.col("bogus")});
}

TEST_CASE("iptables: TPROXY table, hook and protocol checks (kernel, at insert time)", "[iptables]") {
  Ipt t;
  ConfigError e = t.error("iptables -A INPUT -p tcp -j TPROXY --on-port 1");
  CHECK(std::string(e.what()) ==
        "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT; "
        "the kernel logs \"x_tables: ip_tables: TPROXY target: only valid in mangle table, not filter\"");
  CHECK(e.loc() == SourceLoc{1, 1, t.col("-j")});
  e = t.error("iptables -t mangle -A INPUT -p tcp -j TPROXY --on-port 1");
  CHECK(std::string(e.what()).find("TPROXY target: used from hooks INPUT, but only usable from PREROUTING") != std::string::npos);
  e = t.error("iptables -t mangle -A PREROUTING -j TPROXY --on-port 1");
  CHECK(std::string(e.what()) ==
        "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING; "
        "the kernel logs \"xt_TPROXY: Can be used only with -p tcp or -p udp\"");
  CHECK(t.error("iptables -t mangle -A PREROUTING ! -p tcp -j TPROXY --on-port 1").what() == std::string(e.what()));
  CHECK(t.table(mangle).chains[0].rules.empty());

  // A user chain is checked against the hooks that reach it, when a jump makes it reachable.
  t.run("iptables -t mangle -N DIV");
  t.run("iptables -t mangle -A DIV -p tcp -j TPROXY --on-port 1");
  e = t.error("iptables -t mangle -A INPUT -j DIV");
  CHECK(std::string(e.what()).starts_with("iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT;"));
  CHECK(e.loc() == SourceLoc{1, t.line, t.col("-j")});
  t.run("iptables -t mangle -A PREROUTING -j DIV");
  t.run("iptables -t mangle -N D2");
  t.run("iptables -t mangle -A D2 -j DIV");
  CHECK(std::string(t.error("iptables -t mangle -A OUTPUT -j D2").what()).find("rule in chain OUTPUT") != std::string::npos);
  t.run("iptables -t mangle -A PREROUTING -j D2");
  CHECK(t.texts(mangle, "PREROUTING") == std::vector<std::string>{"-A PREROUTING -j DIV", "-A PREROUTING -j D2"});
}

TEST_CASE("iptables: kernel refusals for other targets and matches", "[iptables]") {
  Ipt t;
  CHECK(std::string(t.error("iptables -A INPUT -j REJECT --reject-with tcp-reset").what()) ==
        "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT; "
        "the kernel logs \"ipt_REJECT: TCP_RESET invalid for non-tcp\"");
  CHECK(std::string(t.error("iptables -t mangle -A INPUT -j REJECT").what()).find("REJECT target: only valid in filter table, not mangle") !=
        std::string::npos);
  CHECK(std::string(t.error("iptables -t nat -A INPUT -j DNAT --to-destination 1.2.3.4").what())
            .find("DNAT target: used from hooks INPUT, but only usable from PREROUTING/OUTPUT") != std::string::npos);
  CHECK(std::string(t.error("iptables -t nat -A PREROUTING -j MASQUERADE").what()).find("rule in chain PREROUTING") != std::string::npos);
  CHECK(std::string(t.error("iptables -t mangle -A OUTPUT -m socket").what()).find("socket match: used from hooks OUTPUT") != std::string::npos);
  CHECK(std::string(t.error("iptables -A INPUT -m icmp --icmp-type 8").what()).find("icmp match: only valid for protocol 1") != std::string::npos);
  CHECK(std::string(t.error("iptables -A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-in").what())
            .find("input interface limitation not valid in POSTROUTING and OUTPUT") != std::string::npos);
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -j CT --notrack").what()).find("CT target: only valid in raw table") != std::string::npos);
  CHECK(std::string(t.error("iptables -t raw -A PREROUTING -j CT --helper ftp").what())
            .starts_with("iptables v1.8.9 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain PREROUTING;"));
  CHECK(std::string(t.error("iptables -A INPUT ! -s 0/0 -j DROP").what()).starts_with("iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument)"));
  // userspace (nft) checks
  CHECK(std::string(t.error("iptables -A INPUT -m tcp --dport 80").what()) == "iptables v1.8.9 (nf_tables): TCP match requires '-p tcp'");
  CHECK(std::string(t.error("iptables -A INPUT -p udp -m tcp --dport 80").what()) == "iptables v1.8.9 (nf_tables): TCP match requires '-p tcp'");
  CHECK(std::string(t.error("iptables -A INPUT -m udp --dport 80").what()) == "iptables v1.8.9 (nf_tables): UDP match requires '-p udp'");
  t.run("iptables -A INPUT ! -p tcp -m tcp --sport 1");  // accepted by iptables-nft 1.8.9
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT ! -p tcp -m tcp --sport 1");
  // the nat table refuses DROP in userspace
  CHECK(std::string(t.error("iptables -t nat -A INPUT -j DROP").what()).starts_with(
      "iptables v1.8.9 (nf_tables): The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited."));
  CHECK(std::string(t.error("iptables -t nat -P INPUT DROP").what()).find("the use of DROP is therefore inhibited") != std::string::npos);
  for (const XtChain& c : t.table(filter).chains) CHECK(c.rules.size() == (c.name == "INPUT" ? 1u : 0u));
}

TEST_CASE("iptables: chain loops and jumps to base chains", "[iptables]") {
  Ipt t;
  t.run("iptables -N A");
  t.run("iptables -N B");
  t.run("iptables -A A -j B");
  t.run("iptables -A B -j A");  // unreachable loop: accepted
  CHECK(std::string(t.error("iptables -A INPUT -j A").what()).starts_with(
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain INPUT;"));
  t.run("iptables -D B 1");
  t.run("iptables -A INPUT -j A");
  CHECK(std::string(t.error("iptables -A B -g A").what()).starts_with("iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain B"));
  CHECK(std::string(t.error("iptables -A INPUT -j INPUT").what()).starts_with(
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Operation not supported): rule in chain INPUT"));
  CHECK(std::string(t.error("iptables -A A -j INPUT").what()).starts_with(
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (No such file or directory): rule in chain A"));
}

TEST_CASE("iptables: rule parts and their -S text", "[iptables]") {
  Ipt t;
  t.run("iptables -A INPUT -f -i eth0+ -d 10/8 -s 1.2.3.4 ! -p udp -j DROP");
  t.run("iptables -A INPUT ! -f -j DROP");
  t.run("iptables -A INPUT -s 10.1.2.3/8 -i + -j DROP");
  t.run("iptables -A INPUT -p icmp -j DROP");
  t.run("iptables -A INPUT -p all -j DROP");
  t.run("iptables -A INPUT -p TCP -j DROP");
  t.run("iptables -A INPUT -p 47 -j DROP");
  t.run("iptables -A INPUT -p 253 -j DROP");
  t.run("iptables -A INPUT -p udplite -j DROP");
  t.run("iptables -A INPUT -p ipv6-icmp -j DROP");
  t.run("iptables -A INPUT -s 0/0 -d 0.0.0.0/0 -j DROP");
  t.run("iptables -A INPUT -s 1.2.3 -j DROP");
  t.run("iptables -A INPUT ! -i eth0 ! -s 1.2.3.0/255.255.255.0 ! -d 5.6.7.8 -p 6 -j RETURN");
  t.run("iptables -A FORWARD ! -o wg+ -j ACCEPT");
  t.run("iptables -A INPUT -p tcp");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{
                                        "-A INPUT -s 1.2.3.4/32 -d 10.0.0.0/8 -i eth0+ ! -p udp -f -j DROP",
                                        "-A INPUT ! -f -j DROP",
                                        "-A INPUT -s 10.0.0.0/8 -j DROP",
                                        "-A INPUT -p icmp -j DROP",
                                        "-A INPUT -j DROP",
                                        "-A INPUT -p tcp -j DROP",
                                        "-A INPUT -p gre -j DROP",
                                        "-A INPUT -p 253 -j DROP",
                                        "-A INPUT -p udplite -j DROP",
                                        "-A INPUT -p ipv6-icmp -j DROP",
                                        "-A INPUT -j DROP",
                                        "-A INPUT -s 1.2.3.0/32 -j DROP",
                                        "-A INPUT ! -s 1.2.3.0/24 ! -d 5.6.7.8/32 ! -i eth0 -p tcp -j RETURN",
                                        "-A INPUT -p tcp",
                                    });
  CHECK(t.last_text(filter, "FORWARD") == "-A FORWARD ! -o wg+ -j ACCEPT");
  const IptEntry& first = t.chain(filter, "INPUT").rules[0];
  CHECK(first.ip.src == Prefix{Ipv4Addr{0x01020304}, 32});
  CHECK(first.ip.dst == Prefix{Ipv4Addr{0x0a000000}, 8});
  CHECK(first.ip.iniface == "eth0+");
  CHECK(first.ip.proto == 17);
  CHECK(first.ip.inv_proto);
  CHECK(first.ip.frag == 1);
  CHECK(t.chain(filter, "INPUT").rules[1].ip.frag == -1);
  const IptEntry& counting = t.chain(filter, "INPUT").rules.back();
  REQUIRE(std::holds_alternative<XtStandard>(counting.target.data));
  CHECK(std::get<XtStandard>(counting.target.data).verdict == XtVerdict::CONTINUE);
}

TEST_CASE("iptables: -s/-d lists expand into one rule per pair", "[iptables]") {
  Ipt t;
  t.run("iptables -A INPUT -s 1.1.1.1,2.2.2.2 -d 5.5.5.5,6.6.6.6 -j ACCEPT");
  // -I inserts every pair at the same position, so they end up in reverse order
  t.run("iptables -I INPUT -s 3.3.3.3,4.4.4.4 -j ACCEPT");
  t.run("iptables -I INPUT 2 -s 7.7.7.7,8.8.8.8 -j ACCEPT");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{
                                        "-A INPUT -s 4.4.4.4/32 -j ACCEPT",
                                        "-A INPUT -s 8.8.8.8/32 -j ACCEPT",
                                        "-A INPUT -s 7.7.7.7/32 -j ACCEPT",
                                        "-A INPUT -s 3.3.3.3/32 -j ACCEPT",
                                        "-A INPUT -s 1.1.1.1/32 -d 5.5.5.5/32 -j ACCEPT",
                                        "-A INPUT -s 1.1.1.1/32 -d 6.6.6.6/32 -j ACCEPT",
                                        "-A INPUT -s 2.2.2.2/32 -d 5.5.5.5/32 -j ACCEPT",
                                        "-A INPUT -s 2.2.2.2/32 -d 6.6.6.6/32 -j ACCEPT",
                                    });
  for (const IptEntry& e : t.chain(filter, "INPUT").rules) CHECK(e.origin.line >= 1);
  // -D with a list deletes every pair
  t.run("iptables -D INPUT -s 1.1.1.1,2.2.2.2 -d 5.5.5.5 -j ACCEPT");
  CHECK(t.chain(filter, "INPUT").rules.size() == 6);
  CHECK(std::string(t.error("iptables -D INPUT -s 1.1.1.1,2.2.2.2 -d 5.5.5.5 -j ACCEPT").what()).starts_with(
      "iptables: Bad rule (does a matching rule exist in that chain?)."));
  CHECK(std::string(t.error("iptables -A INPUT ! -s 1.1.1.1,2.2.2.2").what()) ==
        "iptables v1.8.9 (nf_tables): ! not allowed with multiple source or destination IP addresses");
  CHECK(std::string(t.error("iptables -R INPUT 1 -s 1.1.1.1,2.2.2.2").what()) ==
        "iptables v1.8.9 (nf_tables): Replacement rule does not specify a unique address");
}

TEST_CASE("iptables: -I position, -R, -D by spec and number", "[iptables]") {
  Ipt t;
  CHECK(std::string(t.error("iptables -I INPUT 2 -j ACCEPT").what()).starts_with("iptables: Index of insertion too big."));
  t.run("iptables -A INPUT -j ACCEPT");
  t.run("iptables -I INPUT 2 -j DROP");
  t.run("iptables -I INPUT 3 -j RETURN");
  t.run("iptables -I INPUT -p tcp -j ACCEPT");
  CHECK(t.texts(filter, "INPUT") ==
        std::vector<std::string>{"-A INPUT -p tcp -j ACCEPT", "-A INPUT -j ACCEPT", "-A INPUT -j DROP", "-A INPUT -j RETURN"});
  CHECK(std::string(t.error("iptables -I INPUT 6 -j DROP").what()).starts_with("iptables: Index of insertion too big."));
  CHECK(std::string(t.error("iptables -I INPUT 0 -j DROP").what()) ==
        "iptables v1.8.9 (nf_tables): Invalid rule number `0'; expected a rule number starting at 1");
  CHECK(std::string(t.error("iptables -I INPUT x -j DROP").what()).starts_with("iptables v1.8.9 (nf_tables): Invalid rule number `x'"));
  t.run("iptables -R INPUT 2 -p udp -j DROP");
  CHECK(t.texts(filter, "INPUT")[1] == "-A INPUT -p udp -j DROP");
  CHECK(std::string(t.error("iptables -R INPUT 5 -j DROP").what()).starts_with("iptables: Index of replacement too big."));
  t.run("iptables -D INPUT -j DROP");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{"-A INPUT -p tcp -j ACCEPT", "-A INPUT -p udp -j DROP", "-A INPUT -j RETURN"});
  t.run("iptables -D INPUT 2");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{"-A INPUT -p tcp -j ACCEPT", "-A INPUT -j RETURN"});
  ConfigError e = t.error("iptables -D INPUT 5");
  CHECK(std::string(e.what()).starts_with("iptables: Index of deletion too big."));
  CHECK(e.loc() == SourceLoc{1, t.line, 19});
  CHECK(std::string(t.error("iptables -D INPUT -p tcp -j DROP").what()).starts_with("iptables: Bad rule (does a matching rule exist in that chain?)."));
  CHECK(std::string(t.error("iptables -D NOPE 1").what()).starts_with("iptables: No chain/target/match by that name."));
  CHECK(std::string(t.error("iptables -D INPUT 1 -s 1.2.3.4").what()) == "iptables v1.8.9 (nf_tables): Illegal option `-s' with this command");
}

TEST_CASE("iptables: chains and policies", "[iptables]") {
  Ipt t;
  t.run("iptables -N DIVERT");
  ConfigError e = t.error("iptables -N DIVERT");
  CHECK(std::string(e.what()).starts_with("iptables: Chain already exists."));
  CHECK(e.loc() == SourceLoc{1, 2, 13});
  CHECK(std::string(t.error("iptables -N INPUT").what()).starts_with("iptables: Chain already exists."));
  CHECK(std::string(t.error("iptables -X NOPE").what()).starts_with("iptables: No chain/target/match by that name."));
  CHECK(std::string(t.error("iptables -X INPUT").what()).starts_with("iptables: No chain/target/match by that name."));
  t.run("iptables -A INPUT -j DIVERT");
  CHECK(std::string(t.error("iptables -X DIVERT").what()).starts_with(
      "iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain DIVERT;"));
  t.run("iptables -D INPUT 1");
  t.run("iptables -A DIVERT -j ACCEPT");
  CHECK(std::string(t.error("iptables -X").what()).starts_with("iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain DIVERT"));
  t.run("iptables -F DIVERT");
  t.run("iptables -X DIVERT");
  CHECK(t.table(filter).find_chain("DIVERT") < 0);
  CHECK(std::string(t.error("iptables -A DIVERT -j ACCEPT").what()).starts_with("iptables: No chain/target/match by that name."));
  CHECK(std::string(t.error("iptables -F DIVERT").what()).starts_with("iptables: No chain/target/match by that name."));

  CHECK(std::string(t.error("iptables -N ACCEPT").what()).starts_with("iptables v1.8.9 (nf_tables): chain name may not clash with target name"));
  CHECK(std::string(t.error("iptables -N TPROXY").what()).starts_with("iptables v1.8.9 (nf_tables): chain name may not clash with target name"));
  CHECK(std::string(t.error("iptables -N -foo").what()) == "iptables v1.8.9 (nf_tables): chain name not allowed to start with `-'");
  CHECK(std::string(t.error("iptables -N 0123456789012345678901234567890").what()) ==
        "iptables v1.8.9 (nf_tables): chain name `0123456789012345678901234567890' too long (must be under 29 chars)");

  // policies
  t.run("iptables -P FORWARD DROP");
  CHECK(t.chain(filter, "FORWARD").policy == XtVerdict::DROP);
  CHECK(t.chain(filter, "FORWARD").policy_origin == SourceLoc{1, t.line, t.col("DROP")});
  t.run("iptables --policy FORWARD ACCEPT");
  CHECK(t.chain(filter, "FORWARD").policy == XtVerdict::ACCEPT);
  t.run("iptables -N USER");
  CHECK(std::string(t.error("iptables -P USER DROP").what()).starts_with("iptables: Bad built-in chain name."));
  CHECK(std::string(t.error("iptables -P NOPE DROP").what()).starts_with("iptables: Bad built-in chain name."));
  CHECK(std::string(t.error("iptables -P INPUT REJECT").what()).starts_with("iptables: Bad policy name. Run `dmesg' for more information."));
  CHECK(std::string(t.error("iptables -P INPUT drop").what()).starts_with("iptables: Bad policy name."));
  CHECK(std::string(t.error("iptables -P INPUT").what()) ==
        "iptables v1.8.9 (nf_tables): -P requires a chain and a policy; expected -P CHAIN ACCEPT|DROP");
  t.run("iptables -t nat -P PREROUTING ACCEPT");

  // rename moves references and texts
  t.run("iptables -A USER -j ACCEPT");
  t.run("iptables -A INPUT -j USER");
  t.run("iptables -E USER U2");
  CHECK(t.texts(filter, "U2") == std::vector<std::string>{"-A U2 -j ACCEPT"});
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT -j U2");
  CHECK(std::get<XtJump>(t.chain(filter, "INPUT").rules.back().target.data).chain == "U2");
  CHECK(std::string(t.error("iptables -E U2 U2").what()).starts_with("iptables: File exists."));
  CHECK(std::string(t.error("iptables -E NOPE X").what()).starts_with("iptables: No chain/target/match by that name."));
  CHECK(std::string(t.error("iptables -E A").what()).starts_with("iptables v1.8.9 (nf_tables): -E requires old-chain-name and new-chain-name"));
  // flush all
  t.run("iptables -F");
  for (const XtChain& c : t.table(filter).chains) CHECK(c.rules.empty());
  t.run("iptables -X");
  CHECK(t.table(filter).chains.size() == 3);
}

TEST_CASE("iptables: jumps to missing chains and unknown extensions", "[iptables]") {
  Ipt t;
  ConfigError e = t.error("iptables -A INPUT -j NOPE");
  CHECK(std::string(e.what()).starts_with("iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist;"));
  CHECK(e.loc() == SourceLoc{1, 1, 22});
  CHECK(std::string(t.error("iptables -A INPUT -g NOPE").what()).starts_with("iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist"));
  CHECK(std::string(t.error("iptables -A NOPE -j NOPE2").what()).starts_with("iptables v1.8.9 (nf_tables): Chain 'NOPE2' does not exist"));
  CHECK(std::string(t.error("iptables -A INPUT -m tcp -j NOPE").what()).starts_with("iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist"));
  CHECK(std::string(t.error("iptables -A INPUT -j tproxy").what()).find("did you mean the TPROXY target?") != std::string::npos);
  e = t.error("iptables -A INPUT -m nope");
  CHECK(std::string(e.what()).starts_with("iptables v1.8.9 (nf_tables): Couldn't load match `nope':No such file or directory; kpath models the matches addrtype,"));
  CHECK(e.loc() == SourceLoc{1, t.line, 22});
  CHECK(std::string(t.error("iptables -A INPUT -m recent --set").what()).starts_with("kpath: the \"recent\" match exists in iptables 1.8.9 but is not modelled"));
  CHECK(std::string(t.error("iptables -A INPUT -j TEE --gateway 1.2.3.4").what()).starts_with("kpath: the TEE target exists in iptables 1.8.9 but is not modelled"));
  CHECK(std::string(t.error("iptables -A INPUT -m bogus-name-that-is-very-long-xx").what()) ==
        "iptables v1.8.9 (nf_tables): Invalid match name \"bogus-name-that-is-very-long-xx\" (28 chars max)");
  CHECK(std::string(t.error("iptables -A INPUT -j bogus-name-that-is-very-long-xx").what()) ==
        "iptables v1.8.9 (nf_tables): Invalid target name `bogus-name-that-is-very-long-xx' (28 chars max)");
  CHECK(std::string(t.error("iptables -A INPUT -m conntrack --ctproto tcp").what()).starts_with("kpath: conntrack option --ctproto is valid iptables but not modelled"));
  CHECK(std::string(t.error("iptables -t bogus -A INPUT").what()) ==
        "iptables v1.8.9 (nf_tables): table 'bogus' does not exist; expected raw, mangle, nat, filter or security");
  CHECK(std::string(t.error("iptables -t raw -A INPUT -j ACCEPT").what()).starts_with("iptables: No chain/target/match by that name."));
}

TEST_CASE("iptables: option parsing like getopt_long and do_parse", "[iptables]") {
  Ipt t;
  // unique prefixes of long options are accepted (getopt_long)
  t.run("iptables --app INPUT -p tcp --dp 80 --jump ACCEPT");
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT");
  t.run("iptables -A INPUT -p tcp --dport=22 --match=comment --comment=ssh");
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT -p tcp -m tcp --dport 22 -m comment --comment ssh");
  // --dport after -m multiport is a prefix of --dports
  t.run("iptables -A INPUT -p tcp -m multiport --dport 80,443");
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT -p tcp -m multiport --dports 80,443");
  // ambiguous prefixes are unknown options
  CHECK(std::string(t.error("iptables -A INPUT --d 1.2.3.4").what()).starts_with("iptables v1.8.9 (nf_tables): unknown option \"--d\""));
  CHECK(std::string(t.error("iptables -A INPUT --in eth0").what()).starts_with("iptables v1.8.9 (nf_tables): unknown option \"--in\""));
  ConfigError e = t.error("iptables -A INPUT -p tcp --dprot 80 -j ACCEPT");
  CHECK(std::string(e.what()).starts_with("iptables v1.8.9 (nf_tables): unknown option \"--dprot\"; did you mean --dport? expected one of"));
  CHECK(e.loc() == SourceLoc{1, t.line, 26});
  CHECK(std::string(t.error("iptables -A INPUT --dport 80").what()).starts_with(
      "iptables v1.8.9 (nf_tables): unknown option \"--dport\"; --dport belongs to the tcp match, udp match"));
  CHECK(std::string(t.error("iptables -A INPUT -y").what()).starts_with("iptables v1.8.9 (nf_tables): unknown option \"-y\""));
  // iptables 1.8.9 reads -p/-s/-d/-i/-o/-j from argv[optind-1]: an attached value keeps the option letters
  CHECK(std::string(t.error("iptables -A INPUT -ptcp -j ACCEPT").what()).starts_with("iptables v1.8.9 (nf_tables): unknown protocol \"-ptcp\" specified"));
  CHECK(std::string(t.error("iptables -A INPUT -jACCEPT").what()).starts_with("iptables v1.8.9 (nf_tables): Chain '-jACCEPT' does not exist"));
  CHECK(std::string(t.error("iptables -A INPUT -d1.2.3.4").what()).starts_with("iptables v1.8.9 (nf_tables): host/network `-d1.2.3.4' not found"));
  t.run("iptables -N CH");
  t.run("iptables -AINPUT -tfilter -gCH");  // -A, -t and -g take the attached value
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT -g CH");
  CHECK(std::get<XtJump>(t.chain(filter, "INPUT").rules.back().target.data).is_goto);
  t.run("iptables -A INPUT -ieth0");
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT -i -ieth0");
  // "!" handling
  CHECK(std::string(t.error("iptables -A INPUT ! -m tcp").what()).starts_with("iptables v1.8.9 (nf_tables): unexpected ! flag before --match"));
  CHECK(std::string(t.error("iptables -A INPUT ! ! -s 1.2.3.4").what()).starts_with("iptables v1.8.9 (nf_tables): multiple consecutive ! not allowed"));
  CHECK(std::string(t.error("iptables -A INPUT -j ACCEPT !").what()).starts_with("iptables v1.8.9 (nf_tables): nothing appropriate following !"));
  CHECK(std::string(t.error("iptables -A INPUT ! -j ACCEPT").what()).starts_with("iptables v1.8.9 (nf_tables): cannot have ! before -j"));
  // the old "--dport ! 80" form is not accepted by 1.8.9
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --dport ! 80 -j ACCEPT").what()).starts_with(
      "iptables v1.8.9 (nf_tables): invalid port/service `!' specified"));
  // other do_parse errors
  CHECK(std::string(t.error("iptables -A INPUT foo").what()).starts_with("Bad argument `foo'"));
  CHECK(std::string(t.error("iptables -A INPUT -s").what()).starts_with("iptables v1.8.9 (nf_tables): option \"-s\" requires an argument"));
  CHECK(std::string(t.error("iptables -A").what()).starts_with("iptables v1.8.9 (nf_tables): option \"-A\" requires an argument"));
  CHECK(std::string(t.error("iptables -A INPUT -A INPUT").what()).starts_with("iptables v1.8.9 (nf_tables): Cannot use -A with -A"));
  CHECK(std::string(t.error("iptables -A INPUT -j ACCEPT -j DROP").what()) == "iptables v1.8.9 (nf_tables): multiple -j flags not allowed");
  CHECK(std::string(t.error("iptables -A INPUT -i eth0 -i eth1 -j DROP").what()) == "iptables v1.8.9 (nf_tables): multiple -i flags not allowed");
  CHECK(std::string(t.error("iptables -A INPUT -i '' -j DROP").what()).starts_with("iptables v1.8.9 (nf_tables): Empty interface is likely to be undesired"));
  CHECK(std::string(t.error("iptables -A INPUT -o lo -j DROP").what()).starts_with("iptables v1.8.9 (nf_tables): Can't use -o with INPUT"));
  CHECK(std::string(t.error("iptables -A OUTPUT -i lo -j DROP").what()).starts_with("iptables v1.8.9 (nf_tables): Can't use -i with OUTPUT"));
  CHECK(std::string(t.error("iptables -A INPUT -n").what()) == "iptables v1.8.9 (nf_tables): Illegal option `-n' with this command");
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --numeric").what()) == "iptables v1.8.9 (nf_tables): Illegal option `-n' with this command");
  CHECK(std::string(t.error("iptables").what()).starts_with("iptables v1.8.9 (nf_tables): no command specified"));
  CHECK(std::string(t.error("iptables -A INPUT -- -j ACCEPT").what()).starts_with("iptables v1.8.9 (nf_tables): unknown arguments found on commandline"));
  CHECK(std::string(t.error("iptables -A INPUT ! -p all -j DROP").what()) == "iptables v1.8.9 (nf_tables): rule would never match protocol");
  CHECK(std::string(t.error("iptables -A INPUT -p foo -j DROP").what()).starts_with("iptables v1.8.9 (nf_tables): unknown protocol \"foo\" specified"));
  CHECK(std::string(t.error("iptables -A INPUT -p 256 -j DROP").what()).starts_with("iptables v1.8.9 (nf_tables): unknown protocol \"256\" specified"));
  CHECK(std::string(t.error("iptables -A INPUT -s 1.2.3.4/33").what()).starts_with("iptables v1.8.9 (nf_tables): invalid mask `33' specified"));
  CHECK(std::string(t.error("iptables -A INPUT -s 1.2.3.4/").what()).starts_with("iptables v1.8.9 (nf_tables): invalid mask `' specified"));
  CHECK(std::string(t.error("iptables -A INPUT -s foo.invalid").what()).starts_with("iptables v1.8.9 (nf_tables): host/network `foo.invalid' not found"));
  CHECK(std::string(t.error("iptables -A INPUT -s 300.1.1.1").what()).starts_with("iptables v1.8.9 (nf_tables): host/network `300.1.1.1' not found"));
  e = t.error("iptables -A INPUT -s 10.0.0.1,1.2.3.4/255.0.255.0");
  CHECK(std::string(e.what()).starts_with("kpath: non-contiguous netmask 255.0.255.0"));
  CHECK(e.loc() == SourceLoc{1, t.line, t.col("1.2.3.4")});
  CHECK(std::string(t.error("iptables -W 100 -A INPUT -j ACCEPT").what()).starts_with(
      "iptables v1.8.9 (nf_tables): --wait-interval only makes sense with --wait"));
  t.run("iptables -s localhost -A INPUT -d link-local/16");
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT -s 127.0.0.1/32 -d 169.254.0.0/16");
}

TEST_CASE("iptables: ignored flags and listing commands leave notes", "[iptables]") {
  Ipt t;
  t.run("iptables -w 5 -A INPUT -j ACCEPT");
  t.run("iptables -w -A INPUT -v -j ACCEPT");
  t.run("iptables --wait=3 -W 10 -A INPUT -c 1 2 -j ACCEPT");
  t.run("iptables -L -n -v -x --line-numbers");
  t.run("iptables -S INPUT");
  t.run("iptables -t nat -nvL");
  t.run("iptables -Z");
  t.run("iptables -C INPUT -j ACCEPT");
  t.run("iptables -C INPUT -j DROP");
  CHECK(t.chain(filter, "INPUT").rules.size() == 3);
  auto has = [&](const std::string& s) {
    return std::any_of(t.notes.begin(), t.notes.end(), [&](const Diagnostic& d) { return d.message.find(s) != std::string::npos; });
  };
  CHECK(has("-w (wait for the xtables lock)"));
  CHECK(has("Ignoring deprecated --wait-interval option."));
  CHECK(has("-c sets packet/byte counters"));
  CHECK(has("-L lists rules"));
  CHECK(has("-S lists rules"));
  CHECK(has("-Z zeroes counters"));
  CHECK(has("the rule exists in chain INPUT"));
  CHECK(has("the rule does not exist in chain INPUT"));
  CHECK(std::string(t.error("iptables -L NOPE").what()) ==
        "iptables v1.8.9 (nf_tables): chain `NOPE' in table `filter' is incompatible, use 'nft' tool.; table filter has chains INPUT, FORWARD, OUTPUT");
  CHECK(std::string(t.error("iptables -Z NOPE").what()).starts_with("iptables: No chain/target/match by that name."));
}

TEST_CASE("iptables: tcp and udp matches", "[iptables]") {
  Ipt t;
  t.run("iptables -A INPUT -p tcp --syn");
  const uint32_t syn_col = t.col("--syn");
  t.run("iptables -A INPUT -p tcp ! --syn");
  t.run("iptables -A INPUT -p tcp --tcp-flags SYN,ACK,FIN,RST SYN");
  t.run("iptables -A INPUT -p tcp --tcp-flags ALL NONE");
  t.run("iptables -A INPUT -p tcp --tcp-flags syn,ack ack");
  t.run("iptables -A INPUT -p tcp --tcp-option 2");
  t.run("iptables -A INPUT -p tcp --sport 1024: --dport :1023");
  t.run("iptables -A INPUT -p tcp --sport 0:65535");
  t.run("iptables -A INPUT -p tcp --dport 0x50");
  t.run("iptables -A INPUT -p udp --dport http");
  t.run("iptables -A INPUT -p tcp --dport ssh:https");
  t.run("iptables -A INPUT -p tcp ! --sport 1000:2000 ! --dport 80");
  t.run("iptables -A INPUT -p udp ! --dport 53 --sport 1:");
  t.run("iptables -A INPUT -p 6 -m tcp --dport 1 -m tcp --sport 2");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{
                                        "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN",
                                        "-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN",
                                        "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN",
                                        "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE",
                                        "-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK ACK",
                                        "-A INPUT -p tcp -m tcp --tcp-option 2",
                                        "-A INPUT -p tcp -m tcp --sport 1024:65535 --dport 0:1023",
                                        "-A INPUT -p tcp -m tcp",
                                        "-A INPUT -p tcp -m tcp --dport 80",
                                        "-A INPUT -p udp -m udp --dport 80",
                                        "-A INPUT -p tcp -m tcp --dport 22:443",
                                        "-A INPUT -p tcp -m tcp ! --sport 1000:2000 ! --dport 80",
                                        "-A INPUT -p udp -m udp --sport 1:65535 ! --dport 53",
                                        // iptables-nft lists the two tcp matches as one
                                        "-A INPUT -p tcp -m tcp --sport 2 --dport 1",
                                    });
  const auto& r = t.chain(filter, "INPUT").rules;
  const auto& syn = std::get<XtTcpUdp>(r[0].matches[0].data);
  CHECK(syn.proto == 6);
  CHECK(syn.flg_mask == 0x17);
  CHECK(syn.flg_cmp == 0x02);
  CHECK(std::get<XtTcpUdp>(r[1].matches[0].data).inv_flags);
  CHECK(r[0].matches[0].origin == SourceLoc{1, 1, syn_col});  // the implicit match starts at --syn
  const auto& ports = std::get<XtTcpUdp>(r[11].matches[0].data);
  CHECK(ports.spts == PortRange{1000, 2000});
  CHECK(ports.inv_sport);
  CHECK(ports.dpts == PortRange{80, 80});
  CHECK(ports.inv_dport);
  CHECK(std::get<XtTcpUdp>(r[12].matches[0].data).proto == 17);
  CHECK(r[13].matches.size() == 2);  // the model keeps both matches

  t.run("iptables -A OUTPUT -p tcp -m tcp --dport 1 -m mark --mark 1 -m tcp --sport 2");
  t.run("iptables -A OUTPUT -p tcp -m tcp --dport 1 -m tcp --dport 2");
  t.run("iptables -A OUTPUT -p tcp -m tcp --syn -m tcp --dport 2");
  t.run("iptables -A OUTPUT -p udp -m udp --dport 1 -m udp --sport 2");
  t.run("iptables -A OUTPUT -p tcp -m tcp --sport 1 -m multiport --dports 3,4 -m tcp --tcp-option 5");
  t.run("iptables -A OUTPUT -p tcp -m tcp ! --dport 1 -m tcp --dport 2");
  CHECK(t.texts(filter, "OUTPUT") == std::vector<std::string>{
                                         "-A OUTPUT -p tcp -m tcp --sport 2 --dport 1 -m mark --mark 0x1",
                                         "-A OUTPUT -p tcp -m tcp --dport 2",
                                         "-A OUTPUT -p tcp -m tcp --dport 2 --tcp-flags FIN,SYN,RST,ACK SYN",
                                         "-A OUTPUT -p udp -m udp --sport 2 --dport 1",
                                         "-A OUTPUT -p tcp -m tcp --sport 1 -m multiport --dports 3,4 -m tcp --tcp-option 5",
                                         "-A OUTPUT -p tcp -m tcp ! --dport 2",
                                     });

  CHECK(std::string(t.error("iptables -A INPUT -p tcp --tcp-flags SYN").what()).starts_with("iptables v1.8.9 (nf_tables): --tcp-flags requires two args."));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --tcp-flags SYN,BOGUS SYN").what()).starts_with("iptables v1.8.9 (nf_tables): Unknown TCP flag `BOGUS'"));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --tcp-option 0").what()).starts_with("iptables v1.8.9 (nf_tables): Bad TCP option \"0\""));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --dport 90:80").what()).starts_with("iptables v1.8.9 (nf_tables): invalid portrange (min > max)"));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --dport 65536").what()).starts_with("iptables v1.8.9 (nf_tables): invalid port/service `65536' specified"));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --dport 80 --dport 81").what()) == "iptables v1.8.9 (nf_tables): Only one `--destination-port' allowed");
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --sport 5 --source-port 6").what()) == "iptables v1.8.9 (nf_tables): Only one `--source-port' allowed");
  CHECK(std::string(t.error("iptables -A INPUT -p udp --dport 80 --dport 81").what()) ==
        "iptables v1.8.9 (nf_tables): udp: option \"--destination-port\" can only be used once.");
  CHECK(std::string(t.error("iptables -A INPUT -p udp --sport 1:2:3").what()).starts_with(
      "iptables v1.8.9 (nf_tables): udp: Too many components for option \"--source-port\" (max: 2)"));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp --dport").what()).starts_with("iptables v1.8.9 (nf_tables): option \"--dport\" requires an argument"));
}

TEST_CASE("iptables: mark, connmark, socket, comment, iprange, addrtype matches", "[iptables]") {
  Ipt t;
  t.run("iptables -t mangle -A PREROUTING -m mark --mark 1 -m mark ! --mark 0x10/0xf0 -m connmark --mark 3/0xff -m connmark ! --mark 4");
  t.run("iptables -t mangle -A PREROUTING -m socket --transparent --nowildcard --restore-skmark");
  t.run("iptables -t mangle -A PREROUTING -m socket --nowildcard");
  t.run("iptables -A INPUT -m comment --comment 'a \"b\" c' -m comment --comment plain -m comment --comment with\\backslash");
  t.run("iptables -A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 -m iprange ! --dst-range 10.1 -m iprange --src-range 10.0.0.9-10.0.0.1");
  t.run("iptables -A INPUT -m addrtype --dst-type LOCAL -m addrtype ! --src-type unicast,broadcast --limit-iface-in");
  t.run("iptables -A INPUT -m addrtype --dst-type LOC -m addrtype --src-type U");
  CHECK(t.texts(mangle, "PREROUTING") == std::vector<std::string>{
                                             "-A PREROUTING -m mark --mark 0x1 -m mark ! --mark 0x10/0xf0 -m connmark --mark 0x3/0xff -m connmark ! --mark 0x4",
                                             "-A PREROUTING -m socket --transparent --nowildcard --restore-skmark",
                                             "-A PREROUTING -m socket --nowildcard",
                                         });
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{
                                        "-A INPUT -m comment --comment \"a \\\"b\\\" c\" -m comment --comment plain -m comment --comment \"with\\\\backslash\"",
                                        "-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 -m iprange ! --dst-range 10.1.0.0-10.1.0.0 -m iprange --src-range 10.0.0.9-10.0.0.1",
                                        "-A INPUT -m addrtype --dst-type LOCAL -m addrtype ! --src-type UNICAST,BROADCAST --limit-iface-in",
                                        "-A INPUT -m addrtype --dst-type LOCAL -m addrtype --src-type UNSPEC",
                                    });
  const auto& m = t.chain(mangle, "PREROUTING").rules[0].matches;
  CHECK(std::get<XtMark>(m[1].data).mark == 0x10);
  CHECK(std::get<XtMark>(m[1].data).mask == 0xf0);
  CHECK(std::get<XtMark>(m[1].data).invert);
  CHECK(std::get<XtConnmarkMatch>(m[2].data).mask == 0xff);
  CHECK(std::get<XtSocket>(t.chain(mangle, "PREROUTING").rules[1].matches[0].data).transparent);
  const auto& at = std::get<XtAddrtype>(t.chain(filter, "INPUT").rules[2].matches[1].data);
  CHECK(at.source == ((1 << 1) | (1 << 3)));
  CHECK(at.inv_src);
  CHECK(at.limit_iface_in);
  CHECK(std::any_of(t.notes.begin(), t.notes.end(), [](const Diagnostic& d) {
    return d.message == "xt_iprange: range 10.0.0.9-10.0.0.1 is reversed and will never match";
  }));

  CHECK(std::string(t.error("iptables -A INPUT -m comment").what()).starts_with("iptables v1.8.9 (nf_tables): comment: option \"--comment\" must be specified"));
  CHECK(std::string(t.error("iptables -A INPUT -m comment ! --comment x").what()) ==
        "iptables v1.8.9 (nf_tables): comment: option \"--comment\" cannot be inverted.");
  CHECK(std::string(t.error("iptables -A INPUT -m iprange --src-range bogus").what()).starts_with(
      "iptables v1.8.9 (nf_tables): iprange: Bad value for \"--src-range\" option: \"bogus\""));
  CHECK(std::string(t.error("iptables -A INPUT -m iprange").what()).starts_with(
      "iptables v1.8.9 (nf_tables): iprange match: You must specify `--src-range' or `--dst-range'"));
  CHECK(std::string(t.error("iptables -A INPUT -m addrtype --src-type LOCAL,bogus").what()).starts_with("iptables v1.8.9 (nf_tables): addrtype: bad type \"bogus\""));
  CHECK(std::string(t.error("iptables -A INPUT -m addrtype --src-type bogus,LOCAL").what()).starts_with(
      "iptables v1.8.9 (nf_tables): addrtype: bad type `bogus,LOCAL'"));
  CHECK(std::string(t.error("iptables -A INPUT -m addrtype").what()).starts_with("iptables v1.8.9 (nf_tables): addrtype: you must specify --src-type or --dst-type"));
  CHECK(std::string(t.error("iptables -A INPUT -m addrtype --dst-type LOCAL --limit-iface-in --limit-iface-out").what()) ==
        "iptables v1.8.9 (nf_tables): addrtype: option \"--limit-iface-in\" cannot be used together with \"--limit-iface-out\".");
  CHECK(std::string(t.error("iptables -A INPUT -m mark").what()).starts_with("iptables v1.8.9 (nf_tables): mark: option \"--mark\" must be specified"));
}

TEST_CASE("iptables: long comments are cut to 255 characters", "[iptables]") {
  Ipt t;
  t.run("iptables -A INPUT -m comment --comment " + std::string(300, 'x'));
  CHECK(std::get<XtComment>(t.chain(filter, "INPUT").rules[0].matches[0].data).comment == std::string(255, 'x'));
}

TEST_CASE("iptables: multiport, conntrack and state, icmp", "[iptables]") {
  Ipt t;
  t.run("iptables -A INPUT -p tcp -m multiport --dports 80,443,1000:2000 -m multiport ! --sports 1,2 -m multiport --ports 5");
  t.run("iptables -A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
  t.run("iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED,NEW,INVALID,UNTRACKED,SNAT,DNAT");
  t.run("iptables -A INPUT -m conntrack ! --ctstate e,n");
  t.run("iptables -A INPUT -m state --state NEW,ESTABLISHED");
  t.run("iptables -A INPUT -m state ! --state INVALID");
  t.run("iptables -A INPUT -p icmp --icmp-type echo-request");
  t.run("iptables -A INPUT -p icmp ! --icmp-type 3/4");
  t.run("iptables -A INPUT -p icmp --icmp-type 3");
  t.run("iptables -A INPUT -p icmp --icmp-type any");
  t.run("iptables -A INPUT -p icmp --icmp-type port-unreachable");
  t.run("iptables -A INPUT -p icmp --icmp-type ping");
  t.run("iptables -A INPUT -p icmp --icmp-type 8/0x3");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{
                                        "-A INPUT -p tcp -m multiport --dports 80,443,1000:2000 -m multiport ! --sports 1,2 -m multiport --ports 5",
                                        "-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
                                        "-A INPUT -m conntrack --ctstate INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT",
                                        "-A INPUT -m conntrack ! --ctstate NEW,ESTABLISHED",
                                        "-A INPUT -m state --state NEW,ESTABLISHED",
                                        "-A INPUT -m state ! --state INVALID",
                                        "-A INPUT -p icmp -m icmp --icmp-type 8",
                                        "-A INPUT -p icmp -m icmp ! --icmp-type 3/4",
                                        "-A INPUT -p icmp -m icmp --icmp-type 3",
                                        "-A INPUT -p icmp -m icmp --icmp-type any",
                                        "-A INPUT -p icmp -m icmp --icmp-type 3/3",
                                        "-A INPUT -p icmp -m icmp --icmp-type 8",
                                        "-A INPUT -p icmp -m icmp --icmp-type 8/3",
                                    });
  const auto& r = t.chain(filter, "INPUT").rules;
  const auto& mp = std::get<XtMultiport>(r[0].matches[0].data);
  CHECK(mp.flags == XtMultiport::DESTINATION);
  REQUIRE(mp.ports.size() == 3);
  CHECK(mp.ports[2] == PortRange{1000, 2000});
  CHECK(std::get<XtMultiport>(r[0].matches[1].data).invert);
  CHECK(std::get<XtMultiport>(r[0].matches[2].data).flags == XtMultiport::EITHER);
  const auto& ct = std::get<XtConntrack>(r[3].matches[0].data);
  CHECK(ct.state_mask == (XtConntrack::NEW | XtConntrack::ESTABLISHED));
  CHECK(ct.invert);
  CHECK(std::get<XtConntrack>(r[4].matches[0].data).state_alias);
  const auto& ic = std::get<XtIcmp>(r[7].matches[0].data);
  CHECK(ic.type == 3);
  CHECK(ic.code_min == 4);
  CHECK(ic.code_max == 4);
  CHECK(ic.invert);

  CHECK(std::string(t.error("iptables -A INPUT -m multiport --dports 80").what()).starts_with(
      "iptables v1.8.9 (nf_tables): multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'"));
  CHECK(std::string(t.error("iptables -A INPUT -p icmp -m multiport --dports 80").what()) ==
        "iptables v1.8.9 (nf_tables): multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
  CHECK(std::string(t.error("iptables -A INPUT -p tcp -m multiport --dports 80 --sports 1").what()) ==
        "iptables v1.8.9 (nf_tables): multiport: option \"--source-ports\" cannot be used together with \"--destination-ports\".");
  CHECK(std::string(t.error("iptables -A INPUT -p tcp -m multiport").what()).starts_with("iptables v1.8.9 (nf_tables): multiport expection an option"));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp -m multiport --dports 2000:1000").what()).starts_with(
      "iptables v1.8.9 (nf_tables): invalid portrange specified"));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16").what()).starts_with(
      "iptables v1.8.9 (nf_tables): too many ports specified"));
  CHECK(std::string(t.error("iptables -A INPUT -p udp -m multiport --dports domain,http").what()).starts_with(
      "iptables v1.8.9 (nf_tables): invalid port/service `http' specified"));
  CHECK(std::string(t.error("iptables -A INPUT -p tcp -m multiport --ports 1 --ports 2").what()) ==
        "iptables v1.8.9 (nf_tables): multiport: option \"--ports\" can only be used once.");
  CHECK(std::string(t.error("iptables -A INPUT -m state --state SNAT").what()).starts_with("iptables v1.8.9 (nf_tables): Bad state \"SNAT\""));
  CHECK(std::string(t.error("iptables -A INPUT -m state --state NEW,").what()).starts_with(
      "iptables v1.8.9 (nf_tables): \"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED"));
  CHECK(std::string(t.error("iptables -A INPUT -m conntrack --ctstate NEW,BOGUS").what()).starts_with("iptables v1.8.9 (nf_tables): Bad ctstate \"BOGUS\""));
  CHECK(std::string(t.error("iptables -A INPUT -m conntrack --ctstate NEW,").what()).starts_with("iptables v1.8.9 (nf_tables): Bad ctstate \"\""));
  CHECK(std::string(t.error("iptables -A INPUT -m conntrack").what()).starts_with("iptables v1.8.9 (nf_tables): conntrack: At least one option is required"));
  CHECK(std::string(t.error("iptables -A INPUT -m state").what()).starts_with("iptables v1.8.9 (nf_tables): state: option \"--state\" must be specified"));
  CHECK(std::string(t.error("iptables -A INPUT -p icmp --icmp-type bogus").what()).starts_with("iptables v1.8.9 (nf_tables): Unknown ICMP type `bogus'"));
  CHECK(std::string(t.error("iptables -A INPUT -p icmp --icmp-type 8/300").what()).starts_with("iptables v1.8.9 (nf_tables): Unknown ICMP code `8/300'"));
  CHECK(std::string(t.error("iptables -A INPUT -p icmp --icmp-type echo").what()).starts_with(
      "iptables v1.8.9 (nf_tables): Ambiguous ICMP type `echo': `echo-reply' or `echo-request'?"));
  CHECK(std::string(t.error("iptables -A INPUT -p icmp -m icmp").what()).starts_with("iptables v1.8.9 (nf_tables): icmp: option \"--icmp-type\" must be specified"));
  CHECK(std::string(t.error("iptables -A INPUT -p icmp --icmp-type 8 --icmp-type 0").what()) ==
        "iptables v1.8.9 (nf_tables): icmp: option \"--icmp-type\" can only be used once.");
}

TEST_CASE("iptables: MARK and CONNMARK targets", "[iptables]") {
  Ipt t;
  t.run("iptables -t mangle -A PREROUTING -j MARK --set-mark 1");
  t.run("iptables -t mangle -A PREROUTING -j MARK --set-mark 1/0xff");
  t.run("iptables -t mangle -A PREROUTING -j MARK --set-xmark 0x5/0xf");
  t.run("iptables -t mangle -A PREROUTING -j MARK --set-xmark 5");
  t.run("iptables -t mangle -A PREROUTING -j MARK --and-mark 0xf");
  t.run("iptables -t mangle -A PREROUTING -j MARK --or-mark 0x8");
  t.run("iptables -t mangle -A PREROUTING -j MARK --xor-mark 0x8");
  t.run("iptables -t mangle -A PREROUTING -j MARK --set-mark 010");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --set-mark 1");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --set-mark 1/0xff");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --save-mark");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --save-mark --mask 0xff");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark --nfmask 0xf --ctmask 0xf0");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --set-xmark 1/3");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --and-mark 1");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --or-mark 1");
  t.run("iptables -t mangle -A PREROUTING -j CONNMARK --xor-mark 1");
  CHECK(t.texts(mangle, "PREROUTING") == std::vector<std::string>{
                                             "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff",
                                             "-A PREROUTING -j MARK --set-xmark 0x1/0xff",
                                             "-A PREROUTING -j MARK --set-xmark 0x5/0xf",
                                             "-A PREROUTING -j MARK --set-xmark 0x5/0xffffffff",
                                             "-A PREROUTING -j MARK --set-xmark 0x0/0xfffffff0",
                                             "-A PREROUTING -j MARK --set-xmark 0x8/0x8",
                                             "-A PREROUTING -j MARK --set-xmark 0x8/0x0",
                                             "-A PREROUTING -j MARK --set-xmark 0x8/0xffffffff",
                                             "-A PREROUTING -j CONNMARK --set-xmark 0x1/0xffffffff",
                                             "-A PREROUTING -j CONNMARK --set-xmark 0x1/0xff",
                                             "-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff",
                                             "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff",
                                             "-A PREROUTING -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff",
                                             "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xf --ctmask 0xf0",
                                             "-A PREROUTING -j CONNMARK --set-xmark 0x1/0x3",
                                             "-A PREROUTING -j CONNMARK --set-xmark 0x0/0xfffffffe",
                                             "-A PREROUTING -j CONNMARK --set-xmark 0x1/0x1",
                                             "-A PREROUTING -j CONNMARK --set-xmark 0x1/0x0",
                                         });
  const auto& r = t.chain(mangle, "PREROUTING").rules;
  CHECK(std::get<XtConnmarkTarget>(r[10].target.data).mode == XtConnmarkTarget::SAVE);
  CHECK(std::get<XtConnmarkTarget>(r[13].target.data).nfmask == 0xf);
  CHECK(std::get<XtConnmarkTarget>(r[13].target.data).ctmask == 0xf0);

  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -j MARK").what()).starts_with(
      "iptables v1.8.9 (nf_tables): MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required"));
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -j MARK --set-mark 1 --or-mark 2").what()) ==
        "iptables v1.8.9 (nf_tables): MARK: option \"--set-mark\" cannot be used together with \"--or-mark\".");
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -j MARK --set-mark 1 --set-mark 2").what()) ==
        "iptables v1.8.9 (nf_tables): MARK: option \"--set-mark\" can only be used once.");
  for (const char* bad : {"0x100000000", "-1", "abc", "1/"})
    CHECK(std::string(t.error(std::string("iptables -t mangle -A PREROUTING -j MARK --set-mark ") + bad).what()).starts_with(
        "iptables v1.8.9 (nf_tables): MARK: bad integer value for option \"--set-mark\", or out of range."));
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -j MARK --and-mark x").what()).starts_with(
      "iptables v1.8.9 (nf_tables): MARK: bad value for option \"--and-mark\", or out of range (0-4294967295)."));
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -j CONNMARK").what()).starts_with(
      "iptables v1.8.9 (nf_tables): CONNMARK target: No operation specified"));
  CHECK(std::string(t.error("iptables -t mangle -A PREROUTING -j CONNMARK --save-mark --mask 3 --ctmask 4").what()) ==
        "iptables v1.8.9 (nf_tables): CONNMARK: option \"--ctmask\" cannot be used together with \"--mask\".");
}

TEST_CASE("iptables: REJECT and LOG targets", "[iptables]") {
  Ipt t;
  t.run("iptables -A INPUT -j REJECT");
  t.run("iptables -A INPUT -j REJECT --reject-with icmp");
  t.run("iptables -A INPUT -j REJECT --reject-with host-prohib");
  t.run("iptables -A INPUT -p tcp -j REJECT --reject-with tcp-rst");
  t.run("iptables -A INPUT -j REJECT --reject-with icmp-admin-prohibited");
  t.run("iptables -A INPUT -j REJECT --reject-with ''");
  t.run("iptables -A OUTPUT -j LOG");
  t.run("iptables -A OUTPUT -j LOG --log-prefix 'x y: ' --log-level debug");
  t.run("iptables -A OUTPUT -j LOG --log-level 7 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode");
  t.run("iptables -A OUTPUT -j LOG --log-level warning");
  t.run("iptables -A OUTPUT -j LOG --log-prefix 012345678901234567890123456789");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{
                                        "-A INPUT -j REJECT --reject-with icmp-port-unreachable",
                                        "-A INPUT -j REJECT --reject-with icmp-net-unreachable",
                                        "-A INPUT -j REJECT --reject-with icmp-host-prohibited",
                                        "-A INPUT -p tcp -j REJECT --reject-with tcp-reset",
                                        "-A INPUT -j REJECT --reject-with icmp-admin-prohibited",
                                        "-A INPUT -j REJECT --reject-with icmp-net-unreachable",
                                    });
  CHECK(t.texts(filter, "OUTPUT") == std::vector<std::string>{
                                         "-A OUTPUT -j LOG",
                                         "-A OUTPUT -j LOG --log-prefix \"x y: \" --log-level 7",
                                         "-A OUTPUT -j LOG --log-level 7 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode",
                                         "-A OUTPUT -j LOG",
                                         "-A OUTPUT -j LOG --log-prefix 01234567890123456789012345678",
                                     });
  CHECK(std::get<XtReject>(t.chain(filter, "INPUT").rules[3].target.data).with == XtReject::TCP_RESET);
  CHECK(std::get<XtLog>(t.chain(filter, "OUTPUT").rules[1].target.data).level == 7);
  CHECK(std::string(t.error("iptables -A INPUT -p udp -j REJECT --reject-with bogus").what()).starts_with(
      "iptables v1.8.9 (nf_tables): unknown reject type \"bogus\"; expected icmp-net-unreachable"));
  CHECK(std::string(t.error("iptables -A OUTPUT -j LOG --log-level 8").what()).starts_with("iptables v1.8.9 (nf_tables): log level \"8\" unknown"));
  CHECK(std::string(t.error("iptables -A OUTPUT -j LOG --log-level bogus").what()).starts_with("iptables v1.8.9 (nf_tables): log level \"bogus\" unknown"));
  CHECK(std::string(t.error("iptables -A OUTPUT -j LOG --log-prefix ''").what()).starts_with(
      "iptables v1.8.9 (nf_tables): Argument must have a minimum length of 1 characters"));
}

TEST_CASE("iptables: NAT and CT targets", "[iptables]") {
  Ipt t;
  t.run("iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:8080");
  t.run("iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:8080-8090");
  t.run("iptables -t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1");
  t.run("iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination :80");
  t.run("iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:http");
  t.run("iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1 --random --persistent");
  t.run("iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80-90/85");
  t.run("iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080");
  t.run("iptables -t nat -A PREROUTING -p tcp -j REDIRECT");
  t.run("iptables -t nat -A PREROUTING -p icmp -j REDIRECT --to-ports 8080");
  t.run("iptables -t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4");
  t.run("iptables -t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:1000-2000 --random-fully");
  t.run("iptables -t nat -A POSTROUTING -j MASQUERADE");
  t.run("iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000 --random");
  t.run("iptables -t nat -A INPUT -j SNAT --to-source 1.2.3.4");
  CHECK(t.texts(nat, "PREROUTING") == std::vector<std::string>{
                                          "-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:8080",
                                          "-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:8080-8090",
                                          "-A PREROUTING -j DNAT --to-destination 10.0.0.1",
                                          "-A PREROUTING -p tcp -j DNAT --to-destination :80",
                                          "-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80",
                                          "-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1 --random --persistent",
                                          "-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80-90/85",
                                          "-A PREROUTING -p tcp -j REDIRECT --to-ports 8080",
                                          "-A PREROUTING -p tcp -j REDIRECT",
                                          "-A PREROUTING -p icmp -j REDIRECT --to-ports 8080",
                                      });
  CHECK(t.texts(nat, "POSTROUTING") == std::vector<std::string>{
                                           "-A POSTROUTING -j SNAT --to-source 1.2.3.4",
                                           "-A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:1000-2000 --random-fully",
                                           "-A POSTROUTING -j MASQUERADE",
                                           "-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000 --random",
                                       });
  const auto& d = std::get<XtNat>(t.chain(nat, "PREROUTING").rules[1].target.data);
  CHECK(d.kind == XtNat::DNAT);
  CHECK(d.has_addr);
  CHECK(d.addr_min == Ipv4Addr{0x0a000001});
  CHECK(d.addr_max == Ipv4Addr{0x0a000005});
  CHECK(d.port_min == 8080);
  CHECK(d.port_max == 8090);
  const auto& redir = std::get<XtNat>(t.chain(nat, "PREROUTING").rules[7].target.data);
  CHECK(redir.kind == XtNat::REDIRECT);
  CHECK_FALSE(redir.has_addr);
  CHECK(redir.port_min == 8080);
  CHECK(std::string(t.error("iptables -t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1:80").what()).starts_with(
      "iptables v1.8.9 (nf_tables): Need TCP, UDP, SCTP or DCCP with port specification"));
  CHECK(std::string(t.error("iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80:90").what()).starts_with(
      "iptables v1.8.9 (nf_tables): Bad IP address \"10.0.0.1:80:90\""));
  CHECK(std::string(t.error("iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:90-80").what()).starts_with(
      "iptables v1.8.9 (nf_tables): Port range `80' funky"));
  CHECK(std::string(t.error("iptables -t nat -A PREROUTING -p tcp -j DNAT").what()).starts_with(
      "iptables v1.8.9 (nf_tables): DNAT: option \"--to-destination\" must be specified"));
  CHECK(std::string(t.error("iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080:8090").what()).starts_with(
      "iptables v1.8.9 (nf_tables): Invalid port:port syntax - use dash"));

  t.run("iptables -t raw -A PREROUTING -j CT --zone 5");
  t.run("iptables -t raw -A PREROUTING -p tcp -j CT --helper ftp");
  t.run("iptables -t raw -A OUTPUT -j CT");
  t.run("iptables -t raw -A OUTPUT -j CT --notrack --zone 1");
  t.run("iptables -t raw -A OUTPUT -j NOTRACK");
  CHECK(t.texts(raw, "PREROUTING") == std::vector<std::string>{"-A PREROUTING -j CT --zone 5", "-A PREROUTING -p tcp -j CT --helper ftp"});
  CHECK(t.texts(raw, "OUTPUT") == std::vector<std::string>{"-A OUTPUT -j CT", "-A OUTPUT -j CT --notrack --zone 1", "-A OUTPUT -j NOTRACK"});
  const auto& ct = std::get<XtCt>(t.chain(raw, "OUTPUT").rules[1].target.data);
  CHECK(ct.notrack);
  CHECK(ct.zone == 1);
  CHECK(std::get<XtCt>(t.chain(raw, "PREROUTING").rules[1].target.data).helper == "ftp");
  CHECK(std::holds_alternative<XtNotrack>(t.chain(raw, "OUTPUT").rules[2].target.data));
  CHECK(std::string(t.error("iptables -t raw -A PREROUTING -j CT --zone bogus").what()).starts_with(
      "iptables v1.8.9 (nf_tables): Cannot parse bogus as a zone ID"));
  CHECK(std::string(t.error("iptables -t raw -A OUTPUT -j NOTRACK --zone 1").what()).starts_with("iptables v1.8.9 (nf_tables): unknown option \"--zone\""));
}

TEST_CASE("iptables: restore format, counters and flush", "[iptables]") {
  Ipt t;
  t.run("iptables -A INPUT -j ACCEPT");
  t.run("iptables -N OLD");
  t.run("iptables -P FORWARD DROP");
  t.run("iptables -t nat -N NATCHAIN");
  t.restore(R"(# Generated by iptables-save v1.8.9 (nf_tables)
*mangle
:PREROUTING ACCEPT [10:200]
:DIVERT - [0:0]
-A PREROUTING -p tcp -m socket -j DIVERT
[5:100] -A PREROUTING -p tcp -j TPROXY --on-port 9999 --tproxy-mark 0x1/0x1
-A DIVERT -j MARK --set-mark 1
-A DIVERT -m comment --comment "a b  c" -j ACCEPT
COMMIT
*filter
:INPUT DROP [0:0]
-A INPUT -i lo -j ACCEPT
COMMIT
)");
  CHECK(t.texts(mangle, "PREROUTING") == std::vector<std::string>{
                                             "-A PREROUTING -p tcp -m socket -j DIVERT",
                                             "-A PREROUTING -p tcp -j TPROXY --on-port 9999 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1",
                                         });
  CHECK(t.texts(mangle, "DIVERT") ==
        std::vector<std::string>{"-A DIVERT -j MARK --set-xmark 0x1/0xffffffff", "-A DIVERT -m comment --comment \"a b  c\" -j ACCEPT"});
  // filter was flushed: the old rule, chain OLD and the FORWARD policy are gone
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{"-A INPUT -i lo -j ACCEPT"});
  CHECK(t.table(filter).find_chain("OLD") < 0);
  CHECK(t.chain(filter, "INPUT").policy == XtVerdict::DROP);
  CHECK(t.chain(filter, "INPUT").policy_origin == SourceLoc{1, 20, 8});
  CHECK(t.chain(filter, "FORWARD").policy == XtVerdict::ACCEPT);
  // nat was not mentioned: untouched
  CHECK(t.table(nat).find_chain("NATCHAIN") >= 0);
  // locations: line = first_line + offset, columns inside the line
  const auto& pre = t.chain(mangle, "PREROUTING").rules;
  CHECK(pre[0].origin == SourceLoc{1, 14, 1});
  CHECK(pre[1].origin == SourceLoc{1, 15, 1});
  CHECK(pre[1].target.origin == SourceLoc{1, 15, 30});
  CHECK(t.chain(mangle, "DIVERT").origin == SourceLoc{1, 13, 2});

  // --noflush keeps what is there
  t.restore("*filter\n:USER - [0:0]\n-A INPUT -j USER\n-I INPUT 1 -p tcp -j DROP\nCOMMIT\n", true);
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{"-A INPUT -p tcp -j DROP", "-A INPUT -i lo -j ACCEPT", "-A INPUT -j USER"});
  // without it the table starts over
  t.restore("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{"-A INPUT -j ACCEPT"});
  CHECK(t.table(filter).find_chain("USER") < 0);
  CHECK(t.chain(filter, "INPUT").policy == XtVerdict::ACCEPT);
  // a user chain declared with a policy is just a chain; "-" keeps a built-in policy
  t.restore("*filter\n:FOO ACCEPT [0:0]\n:OUTPUT - [0:0]\n:INPUT ACCEPT\nCOMMIT\n", true);
  CHECK(t.table(filter).find_chain("FOO") >= 0);
  // -s lists and an empty quoted word
  t.restore("*filter\n-A INPUT -s 1.1.1.1,2.2.2.2 -j LOG --log-prefix \"x\" --log-level 1\nCOMMIT\n", true);
  CHECK(t.texts(filter, "INPUT").back() == "-A INPUT -s 2.2.2.2/32 -j LOG --log-prefix x --log-level 1");
  CHECK(std::string(t.restore_error("*filter\n-A INPUT -j LOG --log-prefix \"\"\nCOMMIT\n").what())
            .starts_with("iptables-restore v1.8.9 (nf_tables): Argument must have a minimum length of 1 characters"));
}

TEST_CASE("iptables: restore errors point at the right line", "[iptables]") {
  Ipt t;
  ConfigError e = t.restore_error("*filter\n-A INPUT -p tcp --dprot 80 -j ACCEPT\nCOMMIT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore v1.8.9 (nf_tables): unknown option \"--dprot\"; did you mean --dport?"));
  CHECK(e.loc() == SourceLoc{1, 11, 17});
  e = t.restore_error("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore: COMMIT expected at line 4"));
  CHECK(e.loc().line == 13);
  e = t.restore_error("*bogus\nCOMMIT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore v1.8.9 (nf_tables): iptables-restore: line 1 table name 'bogus' invalid"));
  e = t.restore_error("*filter\n:INPUT BOGUS [0:0]\nCOMMIT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore: line 2 failed: Bad policy name."));
  CHECK(e.loc() == SourceLoc{1, 11, 8});
  e = t.restore_error("*filter\n-A INPUT -t nat -j ACCEPT\nCOMMIT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore v1.8.9 (nf_tables): The -t option cannot be used in iptables-restore."));
  e = t.restore_error("*filter\n[1:2 -A INPUT -j ACCEPT\nCOMMIT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore v1.8.9 (nf_tables): Bad line 2: need ]"));
  e = t.restore_error("-A INPUT -j ACCEPT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore: line 1 failed"));
  e = t.restore_error("*filter\n:FOO - [0:0]\n:FOO - [0:0]\n-N BAR\n-N BAR\nCOMMIT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore: line 5 failed: Chain already exists."));
  CHECK(e.loc() == SourceLoc{1, 14, 4});
  e = t.restore_error("*filter\n-A INPUT -j TPROXY --on-port 1\nCOMMIT\n", true);
  CHECK(std::string(e.what()).starts_with(
      "iptables-restore v1.8.9 (nf_tables): line 2: RULE_APPEND failed (Invalid argument): rule in chain INPUT; the kernel logs"));
  e = t.restore_error("*filter\n:INPUT DROP\n-A INPUT -j ACCEPT -w\nCOMMIT\n");
  CHECK(std::string(e.what()).starts_with("iptables-restore v1.8.9 (nf_tables): You cannot use `-w' from iptables-restore"));
  e = t.restore_error("*filter\n-A INPUT -j NOPE\nCOMMIT\n", true);
  CHECK(std::string(e.what()).starts_with("iptables-restore v1.8.9 (nf_tables): Chain 'NOPE' does not exist"));
}

TEST_CASE("iptables: restore splits words like add_param_to_argv", "[iptables]") {
  Ipt t;
  t.restore("*filter\n-A INPUT -m comment --comment \"with \\\"quotes\\\" and \\\\ \" -j ACCEPT\n"
            "-A INPUT -m comment --comment x\\\\y -j ACCEPT\n"
            "COMMIT\n");
  const auto& r = t.chain(filter, "INPUT").rules;
  REQUIRE(r.size() == 2);
  CHECK(std::get<XtComment>(r[0].matches[0].data).comment == "with \"quotes\" and \\ ");
  CHECK(std::get<XtComment>(r[1].matches[0].data).comment == "x\\\\y");
  // a closing quote ends the word: "a"b is two words, and b is a bad argument in iptables
  CHECK(std::string(t.restore_error("*filter\n-A INPUT -m comment --comment \"a\"b -j ACCEPT\nCOMMIT\n").what()).starts_with("Bad argument `b'"));
}

TEST_CASE("iptables: -S text round-trips through iptables-restore", "[iptables]") {
  Ipt a;
  const char* commands[] = {
      "iptables -t mangle -N DIVERT",
      "iptables -t mangle -A PREROUTING -p tcp -m socket --transparent -j DIVERT",
      "iptables -t mangle -A PREROUTING -p tcp --dport 80 -j TPROXY --on-port 8080 --on-ip 127.0.0.1 --tproxy-mark 0x1/0x1",
      "iptables -t mangle -A PREROUTING -m mark ! --mark 0x10/0xf0 -m connmark --mark 3 -j CONNMARK --restore-mark --nfmask 0xf --ctmask 0xf0",
      "iptables -t mangle -A DIVERT -j MARK --or-mark 4",
      "iptables -t mangle -A DIVERT -m comment --comment 'say \"hi\" \\ there' -j ACCEPT",
      "iptables -t mangle -A OUTPUT -p udp -m multiport ! --dports 53,1000:2000 -j CONNMARK --save-mark",
      "iptables -A INPUT -s 10.0.0.0/8 ! -d 1.2.3.4 -i eth+ -p tcp ! --syn -m conntrack --ctstate NEW,RELATED -j REJECT --reject-with tcp-reset",
      "iptables -A INPUT -m state --state ESTABLISHED -m addrtype ! --dst-type LOCAL,BROADCAST -j LOG --log-prefix 'in: ' --log-level 6 --log-uid",
      "iptables -A INPUT -f -m iprange --src-range 10.0.0.1-10.0.0.9 -p icmp --icmp-type 3/4 -j DROP",
      "iptables -A FORWARD ! -o wg0 -p 47 -j RETURN",
      "iptables -A FORWARD -p tcp --tcp-flags SYN,RST SYN --tcp-option 2",
      "iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:8080-8090 --random",
      "iptables -t nat -A OUTPUT -p udp -j REDIRECT --to-ports 5353",
      "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE",
      "iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1000-2000 --persistent",
      "iptables -t raw -A PREROUTING -p tcp -j CT --helper ftp --zone 3",
      "iptables -t raw -A OUTPUT -j NOTRACK",
  };
  for (const char* c : commands) a.run(c);
  std::string save;
  for (XtTableId id : {raw, mangle, nat, filter}) {
    save += '*';
    save += kXtTableNames[static_cast<size_t>(id)];
    save += '\n';
    for (const XtChain& c : a.table(id).chains) {
      save += ':';
      save += c.name;
      save += c.builtin ? " ACCEPT [0:0]\n" : " - [0:0]\n";
    }
    for (const XtChain& c : a.table(id).chains)
      for (const IptEntry& e : c.rules) {
        save += e.text;
        save += '\n';
      }
    save += "COMMIT\n";
  }
  Ipt b;
  b.restore(save);
  for (XtTableId id : {raw, mangle, nat, filter}) {
    REQUIRE(a.table(id).chains.size() == b.table(id).chains.size());
    for (size_t c = 0; c < a.table(id).chains.size(); ++c) {
      const XtChain& ca = a.table(id).chains[c];
      CHECK(b.texts(id, ca.name) == a.texts(id, ca.name));
    }
  }
  CHECK(a.last_text(mangle, "DIVERT") == "-A DIVERT -m comment --comment \"say \\\"hi\\\" \\\\ there\" -j ACCEPT");
}

TEST_CASE("iptables: iptables-legacy wording", "[iptables]") {
  Ipt t;
  t.host.xt_legacy = true;  // set by the script reader for iptables-legacy
  CHECK(std::string(t.error("iptables-legacy -A INPUT -j NOPE").what()).starts_with(
      "iptables v1.8.9 (legacy): Couldn't load target `NOPE':No such file or directory;"));
  CHECK(std::string(t.error("iptables-legacy -A INPUT -p tcp -j TPROXY --on-port 1").what()).starts_with(
      "iptables: Invalid argument. Run `dmesg' for more information.; the kernel logs \"x_tables: ip_tables: TPROXY target: only valid in mangle table, not filter\""));
  CHECK(std::string(t.error("iptables-legacy -A INPUT -m tcp --dport 1").what()).starts_with(
      "iptables: Invalid argument. Run `dmesg' for more information.; the kernel logs \"x_tables: ip_tables: tcp match: only valid for protocol 6\""));
  t.run("iptables-legacy -N A");
  t.run("iptables-legacy -A A -j ACCEPT");
  CHECK(std::string(t.error("iptables-legacy -X A").what()).starts_with("iptables: Directory not empty."));
  CHECK(std::string(t.error("iptables-legacy -A INPUT -p tcp --dprot 1").what()).starts_with("iptables v1.8.9 (legacy): unknown option \"--dprot\""));
  t.run("iptables-legacy -t mangle -A PREROUTING -p tcp -m tcp --dport 1 -m tcp --sport 2");
  CHECK(t.last_text(mangle, "PREROUTING") == "-A PREROUTING -p tcp -m tcp --dport 1 -m tcp --sport 2");
}

// The extensions added for real-world configs (kube-proxy, Docker, Calico, firewalld, Clash/v2ray
// TPROXY scripts) and the ipset front end, against iptables 1.8.9 (nf_tables) and ipset 7.17 as
// measured in a private network namespace: the expected `iptables -S` texts and error messages
// are the real programs' output; errors also carry kpath's location and hint.
#include <catch2/catch.hpp>
#include "sim/config/ipset.hpp"
#include "sim/config/iptables/iptables_cmd.hpp"
#include "sim/config/iptables/xt/xt_registry.hpp"
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

struct Host {
  HostConfig host = HostConfig::running_host();
  FileTable files;
  std::vector<Diagnostic> notes;
  uint32_t line = 0;
  std::string last;
  bool lenient = false;

  uint32_t col(const std::string& needle, int nth = 1) const {
    size_t pos = std::string::npos, from = 0;
    for (int i = 0; i < nth; ++i) {
      pos = last.find(needle, from);
      REQUIRE(pos != std::string::npos);
      from = pos + 1;
    }
    return static_cast<uint32_t>(pos + 1);
  }
  // "iptables ..." or "ipset ..."
  void run(const std::string& cmdline) {
    last = cmdline;
    const Command c = make_command(cmdline, ++line);
    std::vector<Word> args(c.argv.begin() + 1, c.argv.end());
    if (c.argv[0].text == "ipset") ipset_command(files, host, args, c, notes, lenient);
    else iptables_command(host, args, c, notes, lenient);
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
  std::string msg(const std::string& cmdline) { return error(cmdline).what(); }
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
  // The -S text of `iptables -t TABLE -A CHAIN REST` (appended to an empty chain each time).
  std::string added(const std::string& table, const std::string& chain_name, const std::string& rest) {
    run(fmt::format("iptables -t {} -A {} {}", table, chain_name, rest));
    const XtTableId id = table == "raw" ? XtTableId::raw : table == "mangle" ? XtTableId::mangle : table == "nat" ? XtTableId::nat : XtTableId::filter;
    return last_text(id, chain_name);
  }
  bool has_note(const std::string& needle) const {
    for (const Diagnostic& d : notes)
      if (d.message.find(needle) != std::string::npos) return true;
    return false;
  }
};

constexpr auto filter = XtTableId::filter;
constexpr auto mangle = XtTableId::mangle;
const std::string P = "iptables v1.8.9 (nf_tables): ";

}  // namespace

TEST_CASE("iptables ext: -S text of the new matches, as iptables 1.8.9 prints it", "[iptables][ext]") {
  Host t;
  struct Case { std::string table, chain, rule, text; };
  const std::vector<Case> cases = {
      {"mangle", "PREROUTING", "-m length --length 100", "-m length --length 100"},
      {"mangle", "PREROUTING", "-m length ! --length 100:", "-m length ! --length 100:65535"},
      {"mangle", "PREROUTING", "-m length --length :200", "-m length --length 0:200"},
      {"mangle", "PREROUTING", "-m length --length 200:100", "-m length --length 200:100"},
      {"mangle", "PREROUTING", "-m pkttype --pkt-type UNICAST", "-m pkttype --pkt-type unicast"},
      {"mangle", "PREROUTING", "-m pkttype ! --pkt-type bcast", "-m pkttype ! --pkt-type broadcast"},
      {"mangle", "PREROUTING", "-m pkttype --pkt-type mcast", "-m pkttype --pkt-type multicast"},
      {"mangle", "PREROUTING", "-m pkttype --pkt-type host", "-m pkttype --pkt-type unicast"},
      {"mangle", "PREROUTING", "-m pkttype --pkt-type otherhost", "-m pkttype --pkt-type otherhost"},
      {"mangle", "PREROUTING", "-m ttl --ttl-eq 64", "-m ttl --ttl-eq 64"},
      {"mangle", "PREROUTING", "-m ttl ! --ttl-eq 64", "-m ttl ! --ttl-eq 64"},
      {"mangle", "PREROUTING", "-m ttl --ttl 3", "-m ttl --ttl-eq 3"},
      {"mangle", "PREROUTING", "-m ttl --ttl-lt 3", "-m ttl --ttl-lt 3"},
      {"mangle", "PREROUTING", "-m tos --tos 0x10", "-m tos --tos 0x10/0xff"},
      {"mangle", "PREROUTING", "-m tos --tos 16/0xff", "-m tos --tos 0x10/0xff"},
      {"mangle", "PREROUTING", "-m tos ! --tos Minimize-Delay", "-m tos ! --tos 0x10/0x3f"},
      {"mangle", "PREROUTING", "-m tos --tos normal-service", "-m tos --tos 0x00/0x3f"},
      {"mangle", "PREROUTING", "-m dscp --dscp 10", "-m dscp --dscp 0x0a"},
      {"mangle", "PREROUTING", "-m dscp ! --dscp 0x3f", "-m dscp ! --dscp 0x3f"},
      {"mangle", "PREROUTING", "-m dscp --dscp-class EF", "-m dscp --dscp 0x2e"},
      {"mangle", "PREROUTING", "-m dscp --dscp-class af41x", "-m dscp --dscp 0x22"},
      {"mangle", "PREROUTING", "-m dscp ! --dscp-class cs1", "-m dscp ! --dscp 0x08"},
      {"filter", "INPUT", "-m limit", "-m limit --limit 3/hour"},
      {"filter", "INPUT", "-m limit --limit 5/s", "-m limit --limit 5/sec"},
      {"filter", "INPUT", "-m limit --limit 5/sec --limit-burst 10", "-m limit --limit 5/sec --limit-burst 10"},
      {"filter", "INPUT", "-m limit --limit 1/m", "-m limit --limit 1/min"},
      {"filter", "INPUT", "-m limit --limit 100/h", "-m limit --limit 100/hour"},
      {"filter", "INPUT", "-m limit --limit 2/d --limit-burst 5", "-m limit --limit 2/day"},
      {"filter", "INPUT", "-m limit --limit 7/minute", "-m limit --limit 7/min"},
      {"filter", "INPUT", "-m limit --limit 10000/s", "-m limit --limit 10000/sec"},
      {"filter", "INPUT", "-m limit --limit 5", "-m limit --limit 5/sec"},
      {"filter", "INPUT", "-m statistic --mode random --probability 0.3333", "-m statistic --mode random --probability 0.33330000006"},
      {"filter", "OUTPUT", "-m owner --uid-owner daemon --gid-owner sudo", "-m owner --uid-owner 1 --gid-owner 27"},
      {"filter", "INPUT", "-m limit --limit 1/s --limit-burst 0", "-m limit --limit 1/sec"},
      {"filter", "INPUT", "-m statistic --mode random --probability 0.5", "-m statistic --mode random --probability 0.50000000000"},
      {"filter", "INPUT", "-m statistic --mode random ! --probability 0.25", "-m statistic --mode random ! --probability 0.25000000000"},
      {"filter", "INPUT", "-m statistic --mode random --probability 0", "-m statistic --mode random --probability 0.00000000000"},
      {"filter", "INPUT", "-m statistic --mode random --probability 1", "-m statistic --mode random --probability 1.00000000000"},
      {"filter", "INPUT", "-m statistic --mode random --probability 0.1", "-m statistic --mode random --probability 0.10000000009"},
      {"filter", "INPUT", "-m statistic --mode nth --every 3 --packet 0", "-m statistic --mode nth --every 3 --packet 0"},
      {"filter", "INPUT", "-m statistic --mode nth ! --every 3 --packet 2", "-m statistic --mode nth ! --every 3 --packet 2"},
      {"filter", "OUTPUT", "-m owner --uid-owner 0", "-m owner --uid-owner 0"},
      {"filter", "OUTPUT", "-m owner --uid-owner root", "-m owner --uid-owner 0"},
      {"filter", "OUTPUT", "-m owner ! --uid-owner 1000-2000", "-m owner ! --uid-owner 1000-2000"},
      {"filter", "OUTPUT", "-m owner --gid-owner 5:9 --socket-exists", "-m owner --socket-exists --gid-owner 5-9"},
      {"filter", "OUTPUT", "-m owner ! --socket-exists", "-m owner ! --socket-exists"},
      {"filter", "OUTPUT", "-m owner --gid-owner 100 --suppl-groups", "-m owner --gid-owner 100 --suppl-groups"},
      {"filter", "FORWARD", "-m physdev --physdev-in eth0", "-m physdev --physdev-in eth0"},
      {"filter", "FORWARD", "-m physdev ! --physdev-is-bridged --physdev-out eth+", "-m physdev --physdev-out eth+ ! --physdev-is-bridged"},
      {"filter", "FORWARD", "-m physdev --physdev-is-in ! --physdev-is-out", "-m physdev --physdev-is-in ! --physdev-is-out"},
      {"filter", "FORWARD", "-m physdev --physdev-in a --physdev-is-in --physdev-out b --physdev-is-out --physdev-is-bridged",
       "-m physdev --physdev-is-in --physdev-in a --physdev-is-out --physdev-out b --physdev-is-bridged"},
      {"filter", "INPUT", "-m mac --mac-source 00:11:22:33:44:55", "-m mac --mac-source 00:11:22:33:44:55"},
      {"filter", "INPUT", "-m mac ! --mac-source AA:bb:cc:dd:ee:ff", "-m mac ! --mac-source aa:bb:cc:dd:ee:ff"},
      {"filter", "INPUT", "-m mac --mac-source 0:1:2:3:4:5", "-m mac --mac-source 00:01:02:03:04:05"},
      {"raw", "PREROUTING", "-m rpfilter", "-m rpfilter"},
      {"raw", "PREROUTING", "-m rpfilter --loose --validmark --accept-local --invert", "-m rpfilter --loose --validmark --accept-local --invert"},
      {"mangle", "PREROUTING", "-m rpfilter --invert -j DROP", "-m rpfilter --invert -j DROP"},
  };
  for (const Case& c : cases) {
    INFO(c.rule);
    CHECK(t.added(c.table, c.chain, c.rule) == fmt::format("-A {} {}", c.chain, c.text));
  }
}

TEST_CASE("iptables ext: -S text of the new targets", "[iptables][ext]") {
  Host t;
  struct Case { std::string table, chain, rule, text; };
  const std::vector<Case> cases = {
      {"mangle", "PREROUTING", "-j TOS --set-tos 0x10", "-j TOS --set-tos 0x10/0xff"},
      {"mangle", "PREROUTING", "-j TOS --set-tos 0x10/0x3f", "-j TOS --set-tos 0x10/0x3f"},
      {"mangle", "PREROUTING", "-j TOS --set-tos Minimize-Delay", "-j TOS --set-tos 0x10/0x3f"},
      {"mangle", "PREROUTING", "-j TOS --and-tos 0x0f", "-j TOS --set-tos 0x00/0xf0"},
      {"mangle", "PREROUTING", "-j TOS --or-tos 0x0f", "-j TOS --set-tos 0x0f/0x0f"},
      {"mangle", "PREROUTING", "-j TOS --xor-tos 0x0f", "-j TOS --set-tos 0x0f/0x00"},
      {"mangle", "PREROUTING", "-j DSCP --set-dscp 10", "-j DSCP --set-dscp 0x0a"},
      {"mangle", "PREROUTING", "-j DSCP --set-dscp-class EF", "-j DSCP --set-dscp 0x2e"},
      {"mangle", "PREROUTING", "-j TTL --ttl-set 64", "-j TTL --ttl-set 64"},
      {"mangle", "PREROUTING", "-j TTL --ttl-dec 1", "-j TTL --ttl-dec 1"},
      {"mangle", "PREROUTING", "-j TTL --ttl-inc 2", "-j TTL --ttl-inc 2"},
      {"mangle", "PREROUTING", "-p tcp -j TCPMSS --set-mss 1400", "-p tcp -j TCPMSS --set-mss 1400"},
      {"mangle", "PREROUTING", "-j TRACE", "-j TRACE"},
      {"mangle", "FORWARD", "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
       "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu"},
      {"mangle", "FORWARD", "-p tcp -j TCPMSS --set-mss 1 --clamp-mss-to-pmtu", "-p tcp -j TCPMSS --clamp-mss-to-pmtu"},
      {"mangle", "POSTROUTING", "-j CLASSIFY --set-class 1:10", "-j CLASSIFY --set-class 0001:0010"},
      {"mangle", "POSTROUTING", "-j CLASSIFY --set-class ffff:ffff", "-j CLASSIFY --set-class ffff:ffff"},
      {"mangle", "POSTROUTING", "-j CLASSIFY --set-class 10000:1", "-j CLASSIFY --set-class 0000:0001"},
      {"mangle", "POSTROUTING", "-p udp --dport 68 -j CHECKSUM --checksum-fill", "-p udp -m udp --dport 68 -j CHECKSUM --checksum-fill"},
      {"filter", "FORWARD", "-j CLASSIFY --set-class 1:1", "-j CLASSIFY --set-class 0001:0001"},
      {"filter", "FORWARD", "-p tcp -j TCPMSS --set-mss 1400", "-p tcp -j TCPMSS --set-mss 1400"},
      {"raw", "PREROUTING", "-j TRACE", "-j TRACE"},
      {"filter", "INPUT", "-j AUDIT --type accept", "-j AUDIT --type accept"},
      {"filter", "INPUT", "-j AUDIT --type DROP", "-j AUDIT --type drop"},
      {"filter", "INPUT", "-j NFQUEUE", "-j NFQUEUE --queue-num 0"},
      {"filter", "INPUT", "-j NFQUEUE --queue-num 5", "-j NFQUEUE --queue-num 5"},
      {"filter", "INPUT", "-j NFQUEUE --queue-num 5 --queue-bypass", "-j NFQUEUE --queue-num 5 --queue-bypass"},
      {"filter", "INPUT", "-j NFQUEUE --queue-balance 0:3 --queue-cpu-fanout", "-j NFQUEUE --queue-balance 0:3 --queue-cpu-fanout"},
  };
  for (const Case& c : cases) {
    INFO(c.rule);
    CHECK(t.added(c.table, c.chain, c.rule) == fmt::format("-A {} {}", c.chain, c.text));
  }
}

TEST_CASE("iptables ext: option errors in iptables' words, at the offending word", "[iptables][ext]") {
  Host t;
  struct Case { std::string cmd, msg, at; };
  const std::vector<Case> cases = {
      {"iptables -t mangle -A PREROUTING -m length --length 70000",
       "length: bad value for option \"--length\" near \"70000\", or out of range (0-65535).", "70000"},
      {"iptables -t mangle -A PREROUTING -m length --length 1:2:3", "length: Too many components for option \"--length\" (max: 2)", "1:2:3"},
      {"iptables -t mangle -A PREROUTING -m length", "length: option \"--length\" must be specified", "-m"},
      {"iptables -t mangle -A PREROUTING -m pkttype --pkt-type bogus", "Bad packet type 'bogus'", "bogus"},
      {"iptables -t mangle -A PREROUTING -m ttl ! --ttl-lt 3", "ttl: option \"--ttl-lt\" cannot be inverted.", "--ttl-lt"},
      {"iptables -t mangle -A PREROUTING -m ttl --ttl-lt 3 --ttl-gt 5", "ttl: option \"--ttl-lt\" cannot be used together with \"--ttl-gt\".", "-m"},
      {"iptables -t mangle -A PREROUTING -m ttl --ttl-gt 256", "ttl: bad value for option \"--ttl-gt\", or out of range (0-255).", "256"},
      {"iptables -t mangle -A PREROUTING -m ttl", "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt", "-m"},
      {"iptables -t mangle -A PREROUTING -m tos --tos bogus", "Symbolic name \"bogus\" is unknown", "bogus"},
      {"iptables -t mangle -A PREROUTING -m tos --tos 300", "Symbolic name \"300\" is unknown", "300"},
      {"iptables -t mangle -A PREROUTING -m tos --tos 0x10/", "Illegal value: \"0x10/\"", "0x10/"},
      {"iptables -t mangle -A PREROUTING -m tos --tos 0x10x", "Illegal value: \"0x10x\"", "0x10x"},
      {"iptables -t mangle -A PREROUTING -m dscp --dscp 64", "dscp: bad value for option \"--dscp\", or out of range (0-63).", "64"},
      {"iptables -t mangle -A PREROUTING -m dscp --dscp-class bogus", "Invalid DSCP value `bogus'", "bogus"},
      {"iptables -t mangle -A PREROUTING -m dscp --dscp 1 --dscp-class EF", "dscp: option \"--dscp\" cannot be used together with \"--dscp-class\".", "-m"},
      {"iptables -t mangle -A PREROUTING -m dscp", "DSCP match: Parameter --dscp is required", "-m"},
      {"iptables -A INPUT -m limit --limit 100000/s", "Rate too fast \"100000/s\"", "100000/s"},
      {"iptables -A INPUT -m limit --limit 0/s", "bad rate \"0/s\"'", "0/s"},
      {"iptables -A INPUT -m limit --limit 5/x", "bad rate \"5/x\"'", "5/x"},
      {"iptables -A INPUT -m limit ! --limit 5", "limit: option \"--limit\" cannot be inverted.", "--limit"},
      {"iptables -A INPUT -m limit --limit-burst 10001", "limit: bad value for option \"--limit-burst\", or out of range (0-10000).", "10001"},
      {"iptables -A INPUT -m statistic --mode random --probability 1.5",
       "statistic: bad value for option \"--probability\", or out of range (0-1).", "1.5"},
      {"iptables -A INPUT -m statistic --mode random", "--probability must be specified when using random mode", "-m"},
      {"iptables -A INPUT -m statistic --mode nth --every 3", "statistic: option \"--every\" also requires \"--packet\".", "-m"},
      {"iptables -A INPUT -m statistic --mode nth --every 3 --packet 3", "the --packet p must be 0 <= p <= n-1", "-m"},
      {"iptables -A INPUT -m statistic --mode nth --every 0 --packet 0",
       "statistic: bad value for option \"--every\", or out of range (1-4294967295).", "0 "},
      {"iptables -A INPUT -m statistic --mode nth", "--every and --packet must be specified when using nth mode", "-m"},
      {"iptables -A INPUT -m statistic --mode bogus", "Bad mode \"bogus\"", "bogus"},
      {"iptables -A INPUT -m statistic --probability 0.5", "statistic: option \"--mode\" must be specified", "-m"},
      {"iptables -A INPUT -m statistic --mode nth --every 2 --packet 1 --probability 0.5",
       "statistic: option \"--probability\" cannot be used together with \"--every\".", "-m"},
      {"iptables -A OUTPUT -m owner --suppl-groups", "owner: Bad value for \"--suppl-groups\" option: \"you need to use --gid-owner first\"", "--suppl"},
      {"iptables -A OUTPUT -m owner --uid-owner 4294967295", "owner: Bad value for \"--uid-owner\" option: \"4294967295\"", "4294967295"},
      {"iptables -A OUTPUT -m owner --gid-owner 5 ! --suppl-groups", "owner: option \"--suppl-groups\" cannot be inverted.", "--suppl"},
      {"iptables -t mangle -A PREROUTING -j TOS --set-tos 0x10/0xff00", "Illegal value: \"0x10/0xff00\"", "0x10/"},
      {"iptables -A OUTPUT -m owner", "owner: At least one of --uid-owner, --gid-owner or --socket-exists is required", "-m"},
      {"iptables -A INPUT -m physdev", "PHYSDEV: no physdev option specified", "-m"},
      {"iptables -A INPUT -m physdev --physdev-in verylongname0123456", "interface name `verylongname0123456' must be shorter than IFNAMSIZ (15)", "very"},
      {"iptables -A INPUT -m mac --mac-source 00:11:22:33:44", "Invalid MAC address specified.", "00:"},
      {"iptables -A INPUT -m mac --mac-source zz:11:22:33:44:55", "Invalid MAC address specified.", "zz"},
      {"iptables -A INPUT -m mac", "mac: option \"--mac-source\" must be specified", "-m"},
      {"iptables -t mangle -A PREROUTING -m rpfilter ! --loose", "rpfilter: option \"--loose\" cannot be inverted.", "--loose"},
      {"iptables -t mangle -A PREROUTING -j TOS --and-tos 300", "TOS: bad value for option \"--and-tos\", or out of range (0-255).", "300"},
      {"iptables -t mangle -A PREROUTING -j TOS --set-tos 1 --or-tos 2", "TOS: option \"--set-tos\" cannot be used together with \"--or-tos\".", "-j"},
      {"iptables -t mangle -A PREROUTING -j TOS", "TOS: An action is required", "-j"},
      {"iptables -t mangle -A PREROUTING -j DSCP --set-dscp 64", "DSCP: bad value for option \"--set-dscp\", or out of range (0-63).", "64"},
      {"iptables -t mangle -A PREROUTING -j DSCP --set-dscp-class bogus", "Invalid DSCP value `bogus'", "bogus"},
      {"iptables -t mangle -A PREROUTING -j DSCP", "DSCP target: Parameter --set-dscp is required", "-j"},
      {"iptables -t mangle -A PREROUTING -j TTL --ttl-dec 0", "TTL: bad value for option \"--ttl-dec\", or out of range (1-255).", "0"},
      {"iptables -t mangle -A PREROUTING -j TTL --ttl-set 1 --ttl-inc 1", "TTL: option \"--ttl-set\" cannot be used together with \"--ttl-inc\".", "-j"},
      {"iptables -t mangle -A PREROUTING -j TTL", "TTL: You must specify an action", "-j"},
      {"iptables -t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 65516", "TCPMSS: bad value for option \"--set-mss\", or out of range (0-65515).", "65516"},
      {"iptables -t mangle -A FORWARD -p tcp -j TCPMSS", "TCPMSS target: At least one parameter is required", "-j"},
      {"iptables -t mangle -A POSTROUTING -j CLASSIFY --set-class 1", "Bad class value \"1\"", "1"},
      {"iptables -t mangle -A POSTROUTING -j CLASSIFY", "CLASSIFY: option \"--set-class\" must be specified", "-j"},
      {"iptables -t mangle -A POSTROUTING -j CHECKSUM", "CHECKSUM: option \"--checksum-fill\" must be specified", "-j"},
      {"iptables -A INPUT -j AUDIT --type bogus", "Bad action type value \"bogus\"", "bogus"},
      {"iptables -A INPUT -j AUDIT", "AUDIT: option \"--type\" must be specified", "-j"},
      {"iptables -A INPUT -j NFQUEUE --queue-balance 3:3", "3 should be less than 3", "3:3"},
      {"iptables -A INPUT -j NFQUEUE --queue-balance 3", "Bad range \"3\"", "3"},
      {"iptables -A INPUT -j NFQUEUE --queue-cpu-fanout", "NFQUEUE: option \"--queue-cpu-fanout\" also requires \"--queue-balance\".", "-j"},
      {"iptables -A INPUT -j NFQUEUE --queue-num 70000", "NFQUEUE: bad value for option \"--queue-num\", or out of range (0-65535).", "70000"},
      {"iptables -A INPUT -j NFQUEUE --queue-num 1 --queue-balance 0:1",
       "NFQUEUE: option \"--queue-num\" cannot be used together with \"--queue-balance\".", "-j"},
  };
  for (const Case& c : cases) {
    INFO(c.cmd);
    const ConfigError e = t.error(c.cmd);
    const std::string what = e.what();
    CHECK(what.substr(0, what.find(';')) == P + c.msg);
    // the word the error points at: the value (last occurrence) or the option/extension word
    size_t pos = c.at == "-m" || c.at == "-j" ? t.last.rfind(" " + c.at + " ") + 1 : t.last.rfind(c.at);
    CHECK(e.loc() == SourceLoc{1, t.line, static_cast<uint32_t>(pos + 1)});
  }
}

TEST_CASE("iptables ext: value errors name what was expected", "[iptables][ext]") {
  Host t;
  CHECK(t.msg("iptables -t mangle -A PREROUTING -m dscp --dscp 64") ==
        P + "dscp: bad value for option \"--dscp\", or out of range (0-63).; expected a DSCP value 0-63 (0x3f) for --dscp");
  CHECK(t.msg("iptables -A INPUT -j NFQUEUE --queue-balance 3") ==
        P + "Bad range \"3\"; expected FIRST:LAST, two queue numbers with FIRST < LAST for --queue-balance");
}

TEST_CASE("iptables ext: the kernel's insert-time refusals (hooks, tables, protocols)", "[iptables][ext]") {
  Host t;
  const std::string fail = P + " RULE_APPEND failed (Invalid argument): rule in chain ";
  struct Case { std::string cmd, chain, why; };
  const std::vector<Case> cases = {
      {"iptables -A INPUT -m owner --uid-owner 0", "INPUT", "owner match: used from hooks INPUT, but only valid from OUTPUT/POSTROUTING"},
      {"iptables -t mangle -A PREROUTING -m owner --uid-owner 0", "PREROUTING", "owner match: used from hooks PREROUTING"},
      {"iptables -A OUTPUT -m physdev --physdev-is-out", "OUTPUT", "--physdev-out and --physdev-is-out only supported in the FORWARD and POSTROUTING"},
      {"iptables -A OUTPUT -m mac --mac-source 00:11:22:33:44:55", "OUTPUT", "mac match: used from hooks OUTPUT"},
      {"iptables -t mangle -A INPUT -m rpfilter", "INPUT", "rpfilter match: used from hooks INPUT, but only valid from PREROUTING"},
      {"iptables -t nat -A PREROUTING -m rpfilter", "PREROUTING", "xt_rpfilter: only valid in 'raw' or 'mangle' table, not 'nat'"},
      {"iptables -A INPUT -j TOS --set-tos 0x10", "INPUT", "TOS target: only valid in mangle table, not filter"},
      {"iptables -A INPUT -j DSCP --set-dscp 1", "INPUT", "DSCP target: only valid in mangle table"},
      {"iptables -A INPUT -j TTL --ttl-set 3", "INPUT", "TTL target: only valid in mangle table"},
      {"iptables -t mangle -A FORWARD -j TCPMSS --set-mss 1400", "FORWARD", "TCPMSS target: only valid for protocol 6"},
      {"iptables -t mangle -A PREROUTING -p tcp -j TCPMSS --clamp-mss-to-pmtu", "PREROUTING",
       "path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks"},
      {"iptables -t mangle -A PREROUTING -j CLASSIFY --set-class 1:1", "PREROUTING", "CLASSIFY target: used from hooks PREROUTING"},
      {"iptables -A OUTPUT -j CHECKSUM --checksum-fill", "OUTPUT", "CHECKSUM target: only valid in mangle table"},
  };
  for (const Case& c : cases) {
    INFO(c.cmd);
    const std::string m = t.msg(c.cmd);
    CHECK(m.starts_with(fail + c.chain + "; the kernel logs \""));
    CHECK(m.find(c.why) != std::string::npos);
  }
  // accepted where the kernel accepts them
  t.run("iptables -t nat -A POSTROUTING -m owner --uid-owner 0");
  t.run("iptables -A FORWARD -m physdev --physdev-out eth1");
  t.run("iptables -A INPUT -m physdev --physdev-is-out");
  t.run("iptables -t mangle -A PREROUTING -p tcp -j TCPMSS --set-mss 1400");
  // a user chain inherits the hooks that reach it
  t.run("iptables -t mangle -N RPF");
  t.run("iptables -t mangle -A RPF -m rpfilter --invert -j DROP");
  CHECK(t.msg("iptables -t mangle -A INPUT -j RPF").find("rpfilter match: used from hooks INPUT") != std::string::npos);
}

TEST_CASE("iptables ext: iptables-legacy's ip_tables checks differ", "[iptables][ext]") {
  Host t;
  t.host.xt_legacy = true;  // what `iptables-legacy` in a script sets
  const std::string einval = "iptables: Invalid argument. Run `dmesg' for more information.";
  CHECK(t.msg("iptables -t mangle -A PREROUTING -j TRACE").starts_with(einval));
  CHECK(t.msg("iptables -t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 1400").starts_with(einval));
  CHECK(t.msg("iptables -A INPUT -m limit --limit 1/s --limit-burst 0").starts_with("iptables: Numerical result out of range."));
  t.run("iptables -t raw -A PREROUTING -j TRACE");
  t.run("iptables -t mangle -A FORWARD -p tcp --syn -j TCPMSS --set-mss 1400");
  t.run("iptables -A INPUT -m limit --limit 1/s --limit-burst 1");
  CHECK(t.last_text(filter, "INPUT") == "-A INPUT -m limit --limit 1/sec --limit-burst 1");
}

TEST_CASE("iptables ext: matches kpath cannot model say why, QUEUE and TEE stay unmodelled", "[iptables][ext]") {
  Host t;
  std::string m = t.msg("iptables -A INPUT -m recent --name foo --set");
  CHECK(m.starts_with("kpath: the \"recent\" match exists in iptables 1.8.9 but is not modelled (it remembers addresses across packets (stateful)"));
  CHECK(m.ends_with("(use --lenient to skip such rules with a warning)"));
  const SourceLoc at = t.error("iptables -A INPUT -m recent --name foo --set").loc();
  CHECK(at == SourceLoc{1, t.line, 22});
  for (const char* payload : {"string", "u32", "bpf"}) {
    m = t.msg(fmt::format("iptables -A INPUT -m {}", payload));
    CHECK(m.find("packet") != std::string::npos);
    CHECK(m.find("payload") != std::string::npos);
  }
  CHECK(t.msg("iptables -A INPUT -m hashlimit --hashlimit 1/s").find("per-flow rate state") != std::string::npos);
  CHECK(t.msg("iptables -A OUTPUT -m owner --uid-owner clash").starts_with(
      "kpath: --uid-owner clash: kpath knows only a Debian base system's users and cannot read this host's /etc/passwd; give the numeric id"));
  CHECK(t.msg("iptables -A INPUT -j QUEUE").starts_with("kpath: the QUEUE target exists in iptables 1.8.9 but is not modelled"));
  // the counter tests of -m set depend on traffic history
  t.run("ipset create s hash:ip");
  CHECK(t.msg("iptables -A INPUT -m set --match-set s src --packets-gt 5").starts_with("kpath: set option --packets-gt is valid iptables but not modelled"));
}

TEST_CASE("iptables ext: --lenient skips unmodelled rules with a warning at their location", "[iptables][ext][lenient]") {
  Host t;
  t.lenient = true;
  t.run("iptables -A INPUT -m recent --name ssh --rcheck --seconds 60 -j DROP");
  t.run("iptables -A INPUT -p tcp --dport 22 -m string --algo bm --string foo -j DROP");
  t.run("iptables -A INPUT -p tcp --dport 22 -j ACCEPT");
  CHECK(t.texts(filter, "INPUT") == std::vector<std::string>{"-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"});
  REQUIRE(t.notes.size() == 2);
  CHECK(t.notes[0].severity == Diagnostic::Severity::warning);
  CHECK(t.notes[0].loc == SourceLoc{1, 1, 22});
  CHECK(t.notes[0].message.ends_with("--lenient: this rule is skipped"));
  CHECK(t.notes[1].loc == SourceLoc{1, 2, 40});
  // a real error is still an error
  CHECK(t.msg("iptables -A INPUT -m limit --limit 0/s").starts_with(P + "bad rate"));

  // iptables-restore: the rule line is skipped, the rest of the table loads
  std::vector<Diagnostic> notes;
  HostConfig h = HostConfig::running_host();
  const std::string text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m u32 --u32 \"0>>22&0x3C@4=0x29\" -j DROP\n-A INPUT -j ACCEPT\nCOMMIT\n";
  CHECK_THROWS_AS(iptables_restore(h, text, SourceLoc{1, 10, 1}, false, notes), ConfigError);
  h = HostConfig::running_host();
  iptables_restore(h, text, SourceLoc{1, 10, 1}, false, notes, true);
  REQUIRE(h.table(filter).chains[0].rules.size() == 1);
  CHECK(h.table(filter).chains[0].rules[0].text == "-A INPUT -j ACCEPT");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].loc == SourceLoc{1, 12, 13});
  CHECK(notes[0].message.ends_with("--lenient: this rule is skipped"));
}

TEST_CASE("iptables ext: --lenient through the script loader", "[iptables][ext][lenient]") {
  LoadOptions opt;
  opt.use_environment = false;
  {
    ConfigSet set;
    set.hosts.push_back(HostConfig::running_host());
    try {
      load_script_text(set, "s.sh", "ipset create macs hash:mac\n", opt);
      FAIL("expected an error");
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()) ==
            "kpath: ipset type hash:mac is not modelled (kpath models hash:ip, hash:net, hash:ip,port and bitmap:port); rules that match this "
            "set cannot be evaluated (use --lenient to continue with a warning)");
      CHECK(e.loc() == SourceLoc{1, 1, 19});
    }
  }
  opt.lenient = true;
  ConfigSet set;
  set.hosts.push_back(HostConfig::running_host());
  load_script_text(set, "s.sh", "ipset create macs hash:mac\niptables -A INPUT -m set --match-set macs src -j DROP\niptables -A INPUT -m recent --set\n"
                               "iptables -A INPUT -j ACCEPT\n", opt);
  const XtTable& f = set.hosts[0].table(filter);
  REQUIRE(f.chains[0].rules.size() == 1);
  size_t warnings = 0;
  for (const Diagnostic& d : set.diagnostics)
    if (d.severity == Diagnostic::Severity::warning) ++warnings;
  CHECK(warnings == 3);
}

TEST_CASE("ipset: create, add, del, flush, destroy with ipset 7.17's words", "[ipset]") {
  Host t;
  t.run("ipset create chnroute hash:net family inet hashsize 1024 maxelem 65536");
  t.run("ipset add chnroute 1.0.1.0/24");
  t.run("ipset -A chnroute 10.0.0.0/8");
  t.run("ipset add chnroute 10.1.0.0/16 nomatch");
  t.run("ipset add chnroute 10.0.0.0-10.0.0.9");
  const IpSet& c = t.host.ipsets.at("chnroute");
  CHECK(c.type == IpSetType::hash_net);
  CHECK(c.size() == 5);  // 1.0.1.0/24, 10.0.0.0/8, 10.1.0.0/16 nomatch, and the range as 10.0.0.0/29 + 10.0.0.8/31
  IpSetElem found;
  CHECK(c.lookup(IpSetElem{Ipv4Addr{0x0a010203}}, &found) == -1);  // the /16 nomatch entry is more specific than the /8
  CHECK(found.cidr == 16);
  CHECK(c.lookup(IpSetElem{Ipv4Addr{0x0a020304}}, &found) == 1);
  CHECK(found.cidr == 8);
  CHECK(c.lookup(IpSetElem{Ipv4Addr{0x0b000001}}, nullptr) == 0);

  const std::string I = "ipset v7.17: ";
  CHECK(t.msg("ipset create chnroute hash:net") == I + "Set cannot be created: set with the same name already exists");
  t.run("ipset create chnroute hash:net -exist");
  CHECK(t.msg("ipset create chnroute hash:ip -exist") ==
        I + "Set cannot be created: set with the same name already exists; -exist accepts only a set of the same type and options");
  CHECK(t.msg("ipset create b hash:bogus").starts_with(I + "Syntax error: typename 'hash:bogus' is unknown"));
  const SourceLoc at = t.error("ipset create b hash:bogus").loc();
  CHECK(at == SourceLoc{1, t.line, 16});
  CHECK(t.msg("ipset create b") == I + "Missing second mandatory argument to command create");
  CHECK(t.msg("ipset add") == I + "Missing mandatory argument to command add");
  CHECK(t.msg("ipset create d bitmap:port").starts_with(I + "Mandatory option `range' is missing"));
  CHECK(t.msg("ipset create d bitmap:port range 0-70000") == I + "Syntax error: '70000' is out of range 0-65535");
  CHECK(t.msg("ipset create e hash:ip bogus 1").starts_with(I + "Unknown argument: `bogus'"));
  CHECK(t.msg("ipset create e hash:ip netmask 33") == I + "Syntax error: '33' is out of range 1-32");
  CHECK(t.msg("ipset create e hash:net netmask 24").starts_with(I + "Unknown argument: `netmask'"));
  CHECK(t.msg("ipset create e hash:ip family inet4").starts_with(I + "Syntax error: unknown inet family inet4"));
  CHECK(t.msg("ipset create e hash:ip family") == I + "Missing mandatory argument of option `family'");
  CHECK(t.msg("ipset add nosuch 1.2.3.4").starts_with(I + "The set with the given name does not exist"));
  CHECK(t.msg("ipset add chnroute 1.0.1.0/24") == I + "Element cannot be added to the set: it's already added; -exist (or -!) ignores that");
  t.run("ipset add chnroute 1.0.1.0/24 -exist");
  t.run("ipset -! add chnroute 1.0.1.0/24");
  CHECK(t.msg("ipset add chnroute 10.0.0.0/33") == I + "Syntax error: '33' is out of range 0-32");
  CHECK(t.msg("ipset add chnroute 10.0.0.0/0") == I + "The value of the CIDR parameter of the IP address is invalid");
  CHECK(t.msg("ipset add chnroute 1.2.3.300").starts_with(I + "Syntax error: cannot parse 1.2.3.300: resolving to IPv4 address failed"));
  CHECK(t.msg("ipset add chnroute 10.0.0.0/8,80") == I + "Syntax error: Elem separator in 10.0.0.0/8,80, but settype hash:net supports none.");
  CHECK(t.msg("ipset add chnroute 1.2.3.4 timeout 5") == I + "Timeout cannot be used: set was created without timeout support");
  CHECK(t.msg("ipset del chnroute 9.9.9.9") == I + "Element cannot be deleted from the set: it's not added");
  t.run("ipset del chnroute 9.9.9.9 -exist");
  t.run("ipset del chnroute 1.0.1.0/24");
  CHECK(t.host.ipsets.at("chnroute").size() == 4);
  CHECK(t.msg("ipset bogus") == I + "No command specified: unknown argument bogus; expected create, add, del, test, destroy, flush, rename, swap, "
                                    "list, save or restore");

  t.run("ipset -N a hash:ip");
  t.run("ipset a a 10.1");  // a prefix of "add"; inet_aton reads 10.1 as 10.0.0.1
  CHECK(t.host.ipsets.at("a").contains(IpSetElem{Ipv4Addr{0x0a000001}}));
  t.run("ipset add a 1.2.3.4/30");
  t.run("ipset add a 10.0.0.2-10.0.0.3");
  CHECK(t.host.ipsets.at("a").size() == 7);
  CHECK(t.msg("ipset add a 0.0.0.0") == I + "Null-valued element, cannot be stored in a hash type of set");
  CHECK(t.msg("ipset add a 1.2.3.4 1.2.3.5").starts_with(I + "Unknown argument: `1.2.3.5'"));
  t.run("ipset create f hash:ip netmask 24");
  t.run("ipset add f 1.2.3.4");
  CHECK(t.msg("ipset add f 1.2.3.5").starts_with(I + "Element cannot be added to the set: it's already added"));
  t.run("ipset create m hash:ip maxelem 2");
  t.run("ipset add m 1.1.1.1");
  t.run("ipset add m 1.1.1.2");
  CHECK(t.msg("ipset add m 1.1.1.3").starts_with(I + "Hash is full, cannot add more elements"));

  t.run("ipset create pp hash:ip,port");
  t.run("ipset add pp 1.2.3.4,tcp:80");
  t.run("ipset add pp 1.2.3.5,53");
  t.run("ipset add pp 1.2.3.6,udp:53-54");
  t.run("ipset add pp 1.2.3.4,icmp:echo-request");
  t.run("ipset add pp 1.2.3.4,icmp:3/1");
  t.run("ipset add pp 1.2.3.4,gre:0");
  CHECK(t.host.ipsets.at("pp").contains(IpSetElem{Ipv4Addr{0x01020305}, 32, 6, 53}));
  CHECK(t.host.ipsets.at("pp").size() == 7);
  CHECK(t.msg("ipset add pp 1.2.3.4") == I + "Syntax error: Second element is missing from 1.2.3.4.");
  CHECK(t.msg("ipset add pp 1.2.3.4,99999") == I + "Syntax error: '99999' is out of range 0-65535");
  CHECK(t.msg("ipset add pp 1.2.3.4,http") == I + "Element cannot be added to the set: it's already added; -exist (or -!) ignores that");
  CHECK(t.msg("ipset add pp 1.2.3.4,gre:5") == I + "Syntax error: Protocol gre can be used with pseudo port value 0 only.");
  CHECK(t.msg("ipset add pp 1.2.3.4,bogus:5") == I + "Syntax error: cannot parse 'bogus' as a protocol");
  CHECK(t.msg("ipset add pp 1.2.3.4,icmp:bogus") == I + "Cannot parse bogus as an ICMP type/code.");

  t.run("ipset create bp bitmap:port range 100-50");
  CHECK(t.host.ipsets.at("bp").first_port == 50);
  CHECK(t.host.ipsets.at("bp").last_port == 100);
  t.run("ipset add bp 60");
  t.run("ipset add bp tcp:70");
  t.run("ipset add bp 55-57");
  t.run("ipset add bp http-80");
  CHECK(t.host.ipsets.at("bp").size() == 6);
  CHECK(t.msg("ipset add bp 10").starts_with(I + "Element is out of the range of the set"));

  t.run("ipset flush a");
  CHECK(t.host.ipsets.at("a").size() == 0);
  t.run("ipset -X a");
  CHECK(t.host.ipsets.count("a") == 0);
  t.run("ipset test chnroute 10.2.3.4");
  CHECK(t.has_note("Warning: 10.2.3.4 is in set chnroute."));
  t.run("ipset test chnroute 10.1.2.3");
  CHECK(t.has_note("10.1.2.3 is NOT in set chnroute."));
  t.run("ipset list");
  t.run("ipset save chnroute");
  t.run("ipset destroy");
  CHECK(t.host.ipsets.empty());
}

TEST_CASE("ipset: family inet6 sets are kept empty with a note", "[ipset]") {
  Host t;
  t.run("ipset create s6 hash:net family inet6");
  t.run("ipset add s6 2001:db8::/32");
  CHECK(t.has_note("an IPv6 set is outside kpath's IPv4 model"));
  CHECK(t.has_note("IPv6 set s6: ignored"));
  CHECK(t.host.ipsets.at("s6").family == IpSetFamily::inet6);
  // iptables refuses to use it, as the real one does
  CHECK(t.msg("iptables -A INPUT -m set --match-set s6 src") == P + "The protocol family of set s6 is IPv6, which is not applicable.");
}

TEST_CASE("ipset restore: here-documents in the `ipset save` format", "[ipset]") {
  HostConfig h = HostConfig::running_host();
  std::vector<Diagnostic> notes;
  ipset_restore(h,
                "create chn hash:net family inet hashsize 1024 maxelem 65536\n"
                "add chn 1.0.1.0/24\n"
                "add chn 1.0.2.0/23\n"
                "# comment\n"
                "-A chn 1.0.8.0/21\n"
                "\n"
                "create foo hash:ip\n"
                "COMMIT\n",
                SourceLoc{1, 20, 1}, false, notes);
  CHECK(h.ipsets.at("chn").size() == 3);
  CHECK(h.ipsets.count("foo") == 1);
  try {
    ipset_restore(h, "add chn 2.0.0.0/8\nadd chn 2.0.0.0/8\n", SourceLoc{1, 40, 1}, false, notes);
    FAIL("expected an error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "ipset v7.17: Error in line 2: Element cannot be added to the set: it's already added; -exist (or -!) ignores that");
    CHECK(e.loc() == SourceLoc{1, 41, 9});
  }
  ipset_restore(h, "create chn hash:net\nadd chn 2.0.0.0/8\n", SourceLoc{1, 50, 1}, true, notes);
  try {
    ipset_restore(h, "add nosuch 1.2.3.4\n", SourceLoc{1, 60, 1}, false, notes);
    FAIL("expected an error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).starts_with("ipset v7.17: Error in line 1: The set with the given name does not exist"));
    CHECK(e.loc() == SourceLoc{1, 60, 5});
  }
  try {
    ipset_restore(h, "bogus line\n", SourceLoc{1, 70, 1}, false, notes);
    FAIL("expected an error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).starts_with("ipset v7.17: No command specified: unknown argument bogus"));
  }

  // through the script loader: `ipset restore <<EOF` and `ipset -exist restore`
  ConfigSet set;
  set.hosts.push_back(HostConfig::running_host());
  LoadOptions opt;
  opt.use_environment = false;
  load_script_text(set, "s.sh",
                   "ipset restore <<EOF\ncreate cn hash:net\nadd cn 1.2.0.0/16\nEOF\n"
                   "ipset -exist restore <<'EOF'\ncreate cn hash:net\nadd cn 1.2.0.0/16\nadd cn 5.0.0.0/8\nEOF\n",
                   opt);
  CHECK(set.hosts[0].ipsets.at("cn").size() == 2);
}

TEST_CASE("iptables ext: -m set and -j SET parse and print like libxt_set", "[iptables][ext][ipset]") {
  Host t;
  t.run("ipset create chnroute hash:net");
  t.run("ipset create pp hash:ip,port");
  t.run("ipset create foo hash:ip");
  CHECK(t.added("mangle", "PREROUTING", "-m set --match-set chnroute dst -j RETURN") == "-A PREROUTING -m set --match-set chnroute dst -j RETURN");
  CHECK(t.added("mangle", "PREROUTING", "-m set ! --match-set chnroute src,dst --return-nomatch -j RETURN") ==
        "-A PREROUTING -m set ! --match-set chnroute src,dst --return-nomatch -j RETURN");
  CHECK(t.added("mangle", "PREROUTING", "-m set --match-set pp src,dst ! --update-counters -j RETURN") ==
        "-A PREROUTING -m set --match-set pp src,dst ! --update-counters -j RETURN");
  CHECK(t.added("mangle", "PREROUTING", "-m set --set chnroute dst -j RETURN") == "-A PREROUTING -m set --match-set chnroute dst -j RETURN");
  CHECK(t.has_note("--set option deprecated, please use --match-set"));
  CHECK(t.added("mangle", "PREROUTING", "-m set --match-set foo srcdst") == "-A PREROUTING -m set --match-set foo src");
  CHECK(t.added("mangle", "PREROUTING", "-j SET --add-set foo src") == "-A PREROUTING -j SET --add-set foo src");
  CHECK(t.added("mangle", "PREROUTING", "-j SET --add-set foo src --exist --timeout 10") == "-A PREROUTING -j SET --add-set foo src --exist --timeout 10");
  CHECK(t.added("mangle", "PREROUTING", "-j SET --del-set foo dst") == "-A PREROUTING -j SET --del-set foo dst");
  CHECK(t.added("mangle", "PREROUTING", "-j SET --map-set foo dst --map-mark") == "-A PREROUTING -j SET --map-set foo dst --map-mark");
  CHECK(t.added("filter", "INPUT", "-m set --match-set foo src,dst,dst,src,src,src") == "-A INPUT -m set --match-set foo src,dst,dst,src,src,src");

  // the rule holds the set's contents
  const auto& m = std::get<XtSetMatch>(t.chain(mangle, "PREROUTING").rules[0].matches[0].data);
  REQUIRE(m.match_set.set);
  CHECK(m.match_set.set->name == "chnroute");
  CHECK(m.match_set.dim == 1);
  CHECK(m.match_set.flags == 0);

  struct Case { std::string cmd, msg, at; };
  const std::vector<Case> errors = {
      {"iptables -A INPUT -m set --match-set nosuch src", "Set nosuch doesn't exist.", "nosuch"},
      {"iptables -A INPUT -m set --match-set foo src,dst,dst,src,src,src,src", "Can't be more src/dst options than 6.", "src,"},
      {"iptables -A INPUT -m set --match-set foo sr", "You must spefify (the comma separated list of) 'src' or 'dst'.", "sr"},
      {"iptables -A INPUT -m set --match-set foo", "--match-set requires two args.", "--match-set"},
      {"iptables -A INPUT -m set --match-set foo -j ACCEPT", "--match-set requires two args.", "--match-set"},
      {"iptables -A INPUT -m set", "You must specify `--match-set' with proper arguments", "-m"},
      {"iptables -A INPUT -m set --match-set foo src ! --return-nomatch", "--return-nomatch flag cannot be inverted", "--return-nomatch"},
      {"iptables -A INPUT -m set --match-set foo src --match-set foo dst", "--match-set can be specified only once", "--match-set foo dst"},
      {"iptables -A INPUT -j SET", "You must specify either `--add-set' or `--del-set' or `--map-set'", "-j"},
      {"iptables -A INPUT -j SET --del-set foo src --exist", "Flag `--exist' can be used with `--add-set' only", "-j"},
      {"iptables -A INPUT -j SET --add-set foo src --map-mark", "Flag `--map-mark' can be used with `--map-set' only", "-j"},
      {"iptables -t mangle -A OUTPUT -j SET --map-set foo src", "You must specify flags `--map-mark' or '--map-prio` or `--map-queue'", "-j"},
      {"iptables -A INPUT -j SET --add-set foo src --timeout x", "Invalid value for option --timeout or out of range 0-4294967294", "x"},
  };
  for (const Case& c : errors) {
    INFO(c.cmd);
    const ConfigError e = t.error(c.cmd);
    const std::string what = e.what();
    CHECK(what.substr(0, what.find(';')) == P + c.msg);
    const size_t pos = c.at == "-m" || c.at == "-j" ? t.last.rfind(" " + c.at + " ") + 1 : t.last.find(c.at);
    CHECK(e.loc() == SourceLoc{1, t.line, static_cast<uint32_t>(pos + 1)});
  }
  // the kernel's checks of the SET target
  CHECK(t.msg("iptables -A INPUT -j SET --map-set foo src --map-mark").find("--map-set only usable from mangle table") != std::string::npos);
  CHECK(t.msg("iptables -t mangle -A PREROUTING -j SET --map-set foo src --map-prio").find("mapping of prio or/and queue") != std::string::npos);
}

TEST_CASE("ipset and rules: in use, rename, swap, later changes reach the rules", "[iptables][ext][ipset]") {
  Host t;
  t.run("ipset create chnroute hash:net");
  t.run("iptables -t mangle -A PREROUTING -m set --match-set chnroute dst -j RETURN");
  const auto ref = [&]() -> const XtSetMatch& { return std::get<XtSetMatch>(t.chain(mangle, "PREROUTING").rules[0].matches[0].data); };
  CHECK(ref().match_set.set->size() == 0);
  t.run("ipset add chnroute 1.0.0.0/8");  // added after the rule: the kernel's rule sees it
  CHECK(ref().match_set.set->size() == 1);
  CHECK(t.msg("ipset destroy chnroute").starts_with("ipset v7.17: Set cannot be destroyed: it is in use by a kernel component"));
  CHECK(t.msg("ipset destroy").starts_with("ipset v7.17: Set cannot be destroyed: it is in use by a kernel component"));

  t.run("ipset create other hash:net");
  t.run("ipset add other 2.0.0.0/8");
  t.run("ipset add other 3.0.0.0/8");
  t.run("ipset swap chnroute other");  // the rule keeps the name and sees the other contents
  CHECK(ref().match_set.name == "chnroute");
  CHECK(ref().match_set.set->size() == 2);
  CHECK(t.msg("ipset swap chnroute nosuch") == "ipset v7.17: Sets cannot be swapped: the second set does not exist");
  t.run("ipset create ips hash:ip");
  CHECK(t.msg("ipset swap chnroute ips").starts_with("ipset v7.17: The sets cannot be swapped: their type does not match"));

  t.run("ipset rename chnroute cn");  // the rule follows the set
  CHECK(t.texts(mangle, "PREROUTING") == std::vector<std::string>{"-A PREROUTING -m set --match-set cn dst -j RETURN"});
  CHECK(t.msg("ipset rename cn other") == "ipset v7.17: Set cannot be renamed: a set with the new name already exists");
  t.run("iptables -t mangle -D PREROUTING -m set --match-set cn dst -j RETURN");
  t.run("ipset destroy cn");
  CHECK(t.host.ipsets.count("cn") == 0);
}

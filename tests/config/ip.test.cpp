// ip (iproute2 6.1 front end + the kernel's insert-time behaviour) applied to HostConfig:
// hidden defaults (STYLE rule 9), keyword prefixes, exact error wording with locations, and the
// side effects across objects (device down, address removal, netns moves). Expected messages
// were captured from iproute2 6.1 on Linux 6.18 in throwaway namespaces.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/config/ip/ip.hpp"
#include "sim/config/ip/ip_fib.hpp"

using namespace kpath;
using namespace kpath::kernel;

namespace {

constexpr uint32_t kFile = 1;

// Words of one `ip ...` line, split on spaces, with 1-based columns on that line (the lexer is
// not used so these tests stand alone).
struct Line {
  Command cmd;
  std::vector<Word> args;  // after "ip"
};

Line split(const std::string& text, uint32_t line) {
  Line l;
  l.cmd.loc = SourceLoc{kFile, line, 1};
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    l.cmd.argv.push_back(Word{text.substr(i, j - i), SourceLoc{kFile, line, static_cast<uint32_t>(i + 1)}});
    i = j;
  }
  l.args.assign(l.cmd.argv.begin() + 1, l.cmd.argv.end());
  return l;
}

struct Sim {
  ConfigSet set;
  std::vector<Diagnostic> notes;
  uint32_t line = 0;
  std::vector<Line> lines;  // keeps Commands alive for exec

  Sim() { set.hosts.push_back(HostConfig::running_host()); }
  HostConfig& host(std::string_view name = "") {
    HostConfig* h = set.find_host(name);
    REQUIRE(h);
    return *h;
  }

  void run_in(HostConfig& h, std::vector<Word> argv, const Command& cmd) {
    REQUIRE(!argv.empty());
    REQUIRE(argv[0].text == "ip");
    std::vector<Word> rest(argv.begin() + 1, argv.end());
    ip_command(set, h, rest, cmd, notes, exec());
  }
  ExecInHost exec() {
    return [this](HostConfig& h, std::vector<Word> a, const Command& c) { run_in(h, std::move(a), c); };
  }
  // Runs one full line, "ip ..." in the script's host.
  void ip(const std::string& text) {
    Line l = split(text, ++line);
    REQUIRE(l.cmd.argv[0].text == "ip");
    ip_command(set, set.hosts[0], l.args, l.cmd, notes, exec());
  }
  // Runs a line that must fail; returns the error (message and location).
  ConfigError err(const std::string& text) {
    try {
      ip(text);
    } catch (const ConfigError& e) {
      return e;
    }
    FAIL("expected an error from: " << text);
    return ConfigError({}, "");
  }
  NetDevice& dev(std::string_view name, std::string_view ns = "") {
    NetDevice* d = host(ns).find_dev(name);
    REQUIRE(d);
    return *d;
  }
  std::vector<FibAlias> routes(uint32_t table, std::string_view ns = "") {
    std::vector<FibAlias> r;
    for (auto& fa : host(ns).routes)
      if (fa.table == table) r.push_back(fa);
    return r;
  }
  bool noted(std::string_view needle) const {
    for (auto& n : notes)
      if (n.message.find(needle) != std::string::npos) return true;
    return false;
  }
};

Ipv4Addr A(const char* s) { return *parse_ipv4(s); }
Prefix P(const char* s) { return *parse_prefix(s); }

std::string msg(const ConfigError& e) { return e.what(); }

// A host with an up dummy d0 (10.1.0.1/24) and a down dummy d1.
Sim with_devices() {
  Sim s;
  s.ip("ip link add d0 type dummy");
  s.ip("ip link add d1 type dummy");
  s.ip("ip addr add 10.1.0.1/24 dev d0");
  s.ip("ip link set d0 up");
  return s;
}

}  // namespace

TEST_CASE("ip: route defaults of iproute_modify", "[ip][route]") {
  // STYLE rule 9: iproute2 fills type, table, scope and protocol without the user writing them.
  struct Row {
    const char* cmd;
    RtnType type;
    uint32_t table;
    uint8_t scope;
    const char* dst;
  };
  const Row rows[] = {
      {"ip route add 10.0.0.0/8 dev d0", RTN_UNICAST, RT_TABLE_MAIN, RT_SCOPE_LINK, "10.0.0.0/8"},
      {"ip route add 10.9.0.0/16 via 10.1.0.2", RTN_UNICAST, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, "10.9.0.0/16"},
      {"ip route add 10.8.0.0/16 nexthop via 10.1.0.2 nexthop via 10.1.0.3", RTN_UNICAST, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, "10.8.0.0/16"},
      {"ip route add local 1.2.3.4 dev lo", RTN_LOCAL, RT_TABLE_LOCAL, RT_SCOPE_HOST, "1.2.3.4/32"},
      {"ip route add broadcast 10.1.0.127 dev d0", RTN_BROADCAST, RT_TABLE_LOCAL, RT_SCOPE_LINK, "10.1.0.127/32"},
      {"ip route add anycast 10.1.0.64 dev d0", RTN_ANYCAST, RT_TABLE_LOCAL, RT_SCOPE_LINK, "10.1.0.64/32"},
      {"ip route add multicast 224.1.0.0/16 dev d0", RTN_MULTICAST, RT_TABLE_MAIN, RT_SCOPE_LINK, "224.1.0.0/16"},
      {"ip route add local default dev d0 scope host table 100", RTN_LOCAL, 100, RT_SCOPE_HOST, "0.0.0.0/0"},
      {"ip route add default dev d1 scope host table 101", RTN_UNICAST, 101, RT_SCOPE_HOST, "0.0.0.0/0"},
      {"ip route add local default dev lo table 102", RTN_LOCAL, 102, RT_SCOPE_HOST, "0.0.0.0/0"},
      {"ip route add blackhole 10.2.0.0/16", RTN_BLACKHOLE, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, "10.2.0.0/16"},
      {"ip route add unreachable 10.3.0.0/16", RTN_UNREACHABLE, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, "10.3.0.0/16"},
      {"ip route add prohibit 10.4.0.0/16", RTN_PROHIBIT, RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, "10.4.0.0/16"},
      {"ip route add throw 10.5.0.0/16 table 7", RTN_THROW, 7, RT_SCOPE_UNIVERSE, "10.5.0.0/16"},
      {"ip route add to local 31.0.0.0/8 dev d0", RTN_LOCAL, RT_TABLE_LOCAL, RT_SCOPE_HOST, "31.0.0.0/8"},
      {"ip ro a 169.254/16 dev d0 table main", RTN_UNICAST, RT_TABLE_MAIN, RT_SCOPE_LINK, "169.254.0.0/16"},
      {"ip r add 0/0 dev d0 table 5", RTN_UNICAST, 5, RT_SCOPE_LINK, "0.0.0.0/0"},
      {"ip route add 11/8 dev d0 table default", RTN_UNICAST, RT_TABLE_DEFAULT, RT_SCOPE_LINK, "11.0.0.0/8"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.cmd);
    Sim s = with_devices();
    s.ip(row.cmd);
    REQUIRE(s.host().routes.size() == 1);
    const FibAlias& fa = s.host().routes[0];
    CHECK(fa.type == row.type);
    CHECK(fa.table == row.table);
    CHECK(int(fa.scope) == int(row.scope));
    CHECK(fa.dst == P(row.dst));
    CHECK(int(fa.protocol) == RTPROT_BOOT);
    CHECK(fa.origin == SourceLoc{kFile, s.line, 1});
    CHECK(s.host().fib_has_custom_local_routes == (row.type == RTN_LOCAL));
  }
}

TEST_CASE("ip: route attributes", "[ip][route]") {
  Sim s = with_devices();
  s.ip("ip route add default via 10.1.0.254 dev d0 proto static metric 5 src 10.1.0.1 tos 10 mtu lock 1400 initcwnd 10");
  const FibAlias& fa = s.host().routes.at(0);
  CHECK(fa.dst == P("0.0.0.0/0"));
  CHECK(fa.priority == 5);
  CHECK(int(fa.protocol) == RTPROT_STATIC);
  CHECK(fa.prefsrc == A("10.1.0.1"));
  CHECK(int(fa.tos) == 0x10);  // rt_dsfield numbers are hex
  CHECK(fa.mtu == 1400);
  REQUIRE(fa.nhs.size() == 1);
  CHECK(fa.nhs[0].gw == A("10.1.0.254"));
  CHECK(fa.nhs[0].dev == s.dev("d0").ifindex);
  CHECK(s.noted("initcwnd 10"));

  // the gateway's device comes from the lookup; weights; mtu capped like fib_convert_metrics
  s.ip("ip route add 10.20.0.0/16 via 10.1.0.9 proto 16 preference 7 mtu 100000");
  const FibAlias& g = s.host().routes.at(1);
  CHECK(g.nhs.at(0).dev == s.dev("d0").ifindex);
  CHECK(int(g.protocol) == 16);
  CHECK(g.priority == 7);
  CHECK(g.mtu == 65520);
  s.ip("ip route add 10.21.0.0/16 nexthop via 10.1.0.2 dev d0 weight 3 nexthop via 10.1.0.3");
  const FibAlias& m = s.host().routes.at(2);
  REQUIRE(m.nhs.size() == 2);
  CHECK(int(m.nhs[0].weight) == 3);
  CHECK(int(m.nhs[1].weight) == 1);
  CHECK(m.nhs[1].gw == A("10.1.0.3"));
  // a gateway reachable through a link-scope user route is valid (fib_check_nh looks it up)
  s.ip("ip route add 10.30.0.0/16 dev d0");
  s.ip("ip route add 10.31.0.0/16 via 10.30.0.1");
  // onlink skips the lookup
  s.ip("ip route add 10.40.0.0/16 via 192.0.2.1 dev d0 onlink");
  CHECK(s.host().routes.back().nhs.at(0).onlink);
  // from and pref are accepted and ignored by the IPv4 FIB
  s.ip("ip route add 10.50.0.0/16 from 1.2.3.4 dev d0 pref 5");
  CHECK(s.noted("from 1.2.3.4"));
}

TEST_CASE("ip: route insert-time errors of the kernel", "[ip][route]") {
  Sim s = with_devices();
  struct Row {
    const char* cmd;
    const char* message;  // prefix of the error
    uint32_t col;         // column of the offending word
  };
  const Row rows[] = {
      {"ip route add 10.9.0.0/16 dev d1", "Error: Device for nexthop is not up.", 30},
      {"ip route add 10.9.0.0/16 via 10.99.0.1", "Error: Nexthop has invalid gateway.", 30},
      {"ip route add 10.9.0.0/16 via 10.99.0.1 dev d0", "Error: Nexthop has invalid gateway.", 30},
      {"ip route add 10.9.0.0/16 via 10.1.0.7 dev d1", "Error: Nexthop has invalid gateway.", 30},
      {"ip route add 10.9.0.0/16 via 10.99.0.1 onlink", "Error: Nexthop device required for onlink.", 30},
      {"ip route add 10.9.0.0/16 via 10.99.0.1 dev d1 onlink", "Error: Nexthop device is not up.", 44},
      {"ip route add 10.9.0.0/16 via 10.1.0.1 dev d0 onlink", "Error: Nexthop has invalid gateway.", 30},
      {"ip route add 10.9.0.0/16 via 10.1.0.2 dev d0 onlink scope link", "Error: Nexthop has invalid scope.", 30},
      {"ip route add 10.9.0.0/16 dev d0 onlink", "Error: Invalid flags for nexthop - PERVASIVE and ONLINK can not be set.", 33},
      {"ip route add blackhole 10.9.0.0/16 dev d0", "Error: Gateway, device and multipath can not be specified for this route type.", 40},
      {"ip route add unreachable 10.9.0.0/16 via 10.1.0.2", "Error: Gateway, device and multipath can not be specified for this route type.", 42},
      {"ip route add 10.9.0.1/16 dev d0", "Error: Invalid prefix for given prefix length.", 14},
      {"ip route add 10.9.0.0/16 dev d0 src 10.9.9.9", "Error: Invalid prefsrc address.", 37},
      {"ip route add local 10.9.0.0/16 dev d0 scope link", "Error: Invalid scope.", 45},
      {"ip route add broadcast 10.9.0.255 dev d0 scope global", "Error: Invalid scope.", 48},
      {"ip route add 10.9.0.0/16 dev d0 scope nowhere", "Error: Invalid scope.", 39},
      {"ip route add nat 10.9.0.0/16 via 1.2.3.4", "Error: Invalid scope.", 14},
      {"ip route add 10.9.0.0/16 dev d0 tos 3", "Error: Invalid dsfield (tos): ECN bits must be 0.", 37},
      {"ip route add 10.9.0.0/16 dev d0 tos 16", "Error: Invalid dsfield (tos): ECN bits must be 0.", 37},
      {"ip route add 10.9.0.0/16 scope host via 10.1.0.2 dev d0", "Error: Route with host scope can not have a gateway.", 41},
      {"ip route add 10.9.0.0/16 scope host nexthop dev d0 nexthop dev d0", "Error: Route with host scope can not have multiple nexthops.", 52},
      {"ip route add 10.9.0.0/16 via 10.1.0.2 dev d0 nexthop via 10.1.0.3", "Error: Nexthop device index does not match RTA_OIF.", 43},
      {"ip route add 10.9.0.0/16 via 10.1.0.2 nexthop via 10.1.0.3", "Error: Nexthop gateway does not match RTA_GATEWAY or RTA_VIA.", 30},
      {"ip route add 10.9.0.0/16", "RTNETLINK answers: No such device", 14},
      {"ip route add 10.9.0.0/16 scope host", "RTNETLINK answers: No such device", 14},
      {"ip route add 10.1.0.0/24 dev d0", "RTNETLINK answers: File exists", 14},  // the kernel's prefix route
      {"ip route change 10.99.0.0/16 dev d0", "RTNETLINK answers: No such file or directory", 17},
      {"ip route del 10.99.0.0/16", "RTNETLINK answers: No such process", 14},
      {"ip route del 10.99.0.0/16 table 77", "Error: FIB table does not exist.", 33},
      // iproute2's own parsing
      {"ip route add 10.9.0.0/16 dev nosuch", "Cannot find device \"nosuch\"", 30},
      {"ip route add 10.9.0.0/16 dev d0 table foo", "Error: argument \"foo\" is wrong: \"table\" value is invalid", 39},
      {"ip route add 10.9.0.0/16 dev d0 proto 300", "Error: argument \"300\" is wrong: \"protocol\" value is invalid", 39},
      {"ip route add 10.9.0.0/16 dev d0 metric foo", "Error: argument \"foo\" is wrong: \"metric\" value is invalid", 40},
      {"ip route add 10.9.0.0/16 dev d0 scope universe", "Error: argument \"universe\" is wrong: invalid \"scope\" value", 39},
      {"ip route add foo dev d0", "Error: any valid prefix is expected rather than \"foo\"", 14},
      {"ip route add 10.9.0.0/16 bogus dev d0", "Error: either \"to\" is duplicate, or \"bogus\" is a garbage.", 26},
      {"ip route add 10.9.0.0/16 dev d0 via foo", "Error: inet address is expected rather than \"foo\"", 37},
      {"ip route add 10.9.0.0/16 dev", "Command line is not complete. Try option \"help\"", 26},
      {"ip route add 10.9.0.0/16 via 10.1.0.2 via 10.1.0.3", "Error: argument \"via\" is wrong: use nexthop syntax to specify multiple via", 39},
      {"ip route add 10.9.0.0/16 nexthop via 10.1.0.2 weight 257", "Error: argument \"257\" is wrong: \"weight\" is invalid", 54},
      {"ip route add 10.9.0.0/16 nexthop via 10.1.0.2 bogus", "Error: \"nexthop\" or end of line is expected instead of \"bogus\"", 47},
      {"ip route flush", "\"ip route flush\" requires arguments.", 10},
  };
  for (const Row& row : rows) {
    CAPTURE(row.cmd);
    ConfigError e = s.err(row.cmd);
    CHECK_THAT(msg(e), Catch::StartsWith(row.message));
    CHECK(e.loc().line == s.line);
    CHECK(e.loc().col == row.col);
  }
  CHECK(s.host().routes.empty());
  CHECK_THAT(msg(s.err("ip route add 10.9.0.0/16 dev d0 table foo")), Catch::Contains("expected a number or a name from /etc/iproute2/rt_tables"));
}

TEST_CASE("ip: duplicate routes of any type collide in one table", "[ip][route]") {
  // notes/live-observations.md §12: the broken unicast default and the fixed local default
  Sim s = with_devices();
  s.ip("ip route add default dev d0 scope host table 100");
  ConfigError e = s.err("ip route add local default dev d0 table 100");
  CHECK_THAT(msg(e), Catch::StartsWith("RTNETLINK answers: File exists"));
  CHECK(e.loc().col == 20);
  CHECK_THAT(msg(s.err("ip route add default dev d0 scope host table 100")), Catch::StartsWith("RTNETLINK answers: File exists"));
  // replace swaps it for the local route; a different metric coexists
  s.ip("ip route replace local default dev d0 table 100");
  REQUIRE(s.routes(100).size() == 1);
  CHECK(s.routes(100)[0].type == RTN_LOCAL);
  s.ip("ip route add default dev d0 scope host table 100 metric 10");
  CHECK(s.routes(100).size() == 2);
  CHECK(s.host().fib_has_custom_local_routes);
}

TEST_CASE("ip: replace, prepend, append and del pick routes like fib_table_insert/delete", "[ip][route]") {
  // the 42/8 sequence observed on 6.18: [bird, static, kernel] after these, del takes the first match
  Sim s = with_devices();
  s.ip("ip route add 42/8 dev d0 metric 5 proto static");
  CHECK_THAT(msg(s.err("ip route add 42/8 dev d0 metric 5 proto static")), Catch::StartsWith("RTNETLINK answers: File exists"));
  s.ip("ip route prepend 42/8 dev d0 metric 5 proto dhcp");
  s.ip("ip route append 42/8 dev d0 metric 5 proto kernel");
  s.ip("ip route replace 42/8 dev d0 metric 5 proto bird");
  auto protos = [&] {
    std::vector<int> p;
    for (auto& fa : s.routes(RT_TABLE_MAIN)) p.push_back(fa.protocol);
    return p;
  };
  CHECK(protos() == std::vector<int>{12, 4, 2});  // bird, static, kernel
  CHECK_THAT(msg(s.err("ip route prepend 42/8 dev d0 metric 5 proto static")), Catch::StartsWith("RTNETLINK answers: File exists"));
  s.ip("ip route del 42/8");
  CHECK(protos() == std::vector<int>{4, 2});
  CHECK_THAT(msg(s.err("ip route del 42/8 metric 5 proto boot")), Catch::StartsWith("RTNETLINK answers: No such process"));
  s.ip("ip route del 42/8 metric 5 proto kernel");
  CHECK(protos() == std::vector<int>{4});
  CHECK_THAT(msg(s.err("ip route del 42/8 dev d1")), Catch::StartsWith("RTNETLINK answers: No such process"));
  s.ip("ip route del 42/8 dev d0");
  CHECK(s.routes(RT_TABLE_MAIN).empty());
  // `ip route del local ...` defaults to table local and scope host
  s.ip("ip route add local 10.77.0.1 dev lo");
  s.ip("ip route del local 10.77.0.1");
  CHECK(s.routes(RT_TABLE_LOCAL).empty());
}

TEST_CASE("ip: kernel routes deleted by ip route come back with the device", "[ip][route]") {
  Sim s = with_devices();
  auto has = [&](RtnType t, const char* dst, uint32_t table) {
    for (auto& fa : fib_magic_routes(s.host()))
      if (fa.type == t && fa.dst == P(dst) && fa.table == table) return true;
    return false;
  };
  REQUIRE(has(RTN_UNICAST, "10.1.0.0/24", RT_TABLE_MAIN));
  REQUIRE(has(RTN_LOCAL, "10.1.0.1/32", RT_TABLE_LOCAL));
  REQUIRE(has(RTN_BROADCAST, "10.1.0.255/32", RT_TABLE_LOCAL));
  s.ip("ip route del 10.1.0.0/24");
  CHECK_FALSE(has(RTN_UNICAST, "10.1.0.0/24", RT_TABLE_MAIN));
  s.ip("ip route add 10.1.0.0/24 dev d0 metric 0");  // no longer a duplicate
  s.ip("ip route del local 10.1.0.1 table local");
  CHECK_FALSE(has(RTN_LOCAL, "10.1.0.1/32", RT_TABLE_LOCAL));
  s.ip("ip link set d0 down");
  s.ip("ip link set d0 up");  // fib_add_ifaddr re-creates them
  CHECK(has(RTN_UNICAST, "10.1.0.0/24", RT_TABLE_MAIN));
  CHECK(has(RTN_LOCAL, "10.1.0.1/32", RT_TABLE_LOCAL));
  CHECK(s.routes(RT_TABLE_MAIN).empty());  // the user's copy went with the device
  // replace takes the kernel route's place; flush removes kernel routes too
  s.ip("ip route replace 10.1.0.0/24 dev d0 proto static");
  CHECK_FALSE(has(RTN_UNICAST, "10.1.0.0/24", RT_TABLE_MAIN));
  CHECK(s.routes(RT_TABLE_MAIN).size() == 1);
  s.ip("ip route flush table local dev d0");
  CHECK_FALSE(has(RTN_LOCAL, "10.1.0.1/32", RT_TABLE_LOCAL));
  CHECK(has(RTN_LOCAL, "127.0.0.1/32", RT_TABLE_LOCAL));
  s.ip("ip route flush table main");
  CHECK(s.routes(RT_TABLE_MAIN).empty());
  s.ip("ip route flush cache");
}

TEST_CASE("ip: device and address events flush routes like the kernel", "[ip][route][link][addr]") {
  Sim s = with_devices();
  s.ip("ip link set d1 up");
  s.ip("ip addr add 10.2.0.1/24 dev d1");
  s.ip("ip route add 10.10.0.0/16 via 10.2.0.5 src 10.2.0.1");
  s.ip("ip route add 10.11.0.0/16 via 10.2.0.5 src 10.2.0.1 table 100");
  s.ip("ip route add 10.12.0.0/16 dev d1 table 100 scope host");
  s.ip("ip route add local default dev d1 table 101");
  s.ip("ip route add 10.13.0.0/16 dev d1");
  s.ip("ip route add blackhole 10.14.0.0/16");
  REQUIRE(s.host().routes.size() == 6);
  // fib_sync_down_addr: only table main loses the routes with the address as prefsrc
  s.ip("ip addr add 10.3.0.1/24 dev d1");
  s.ip("ip addr del 10.2.0.1/24 dev d1");
  CHECK(s.routes(RT_TABLE_MAIN).size() == 2);  // 10.13/16 and the blackhole
  CHECK(s.routes(100).size() == 2);
  // device down: nexthops die except those of host-scope routes
  s.ip("ip link set d1 down");
  CHECK(s.routes(100).size() == 1);  // 10.12/16 scope host stays
  CHECK(s.routes(101).size() == 1);  // local default (scope host) stays
  CHECK(s.routes(RT_TABLE_MAIN).size() == 1);  // the blackhole stays
  // the last address going away disables IP on the device: every route through it goes
  s.ip("ip addr flush dev d1");
  CHECK(s.routes(100).empty());
  CHECK(s.routes(101).empty());
  CHECK(s.routes(RT_TABLE_MAIN).size() == 1);
}

TEST_CASE("ip: link add, set and del", "[ip][link]") {
  Sim s;
  s.host().conf_dflt.set(DevConfKey::rp_filter, 2, SourceLoc{kFile, 99, 1});
  s.ip("ip link add d0 type dummy");
  NetDevice& d0 = s.dev("d0");
  CHECK(d0.ifindex == 2);
  CHECK(d0.kind == DevKind::dummy);
  CHECK_FALSE(d0.up);
  CHECK(d0.mtu == 1500);
  CHECK(d0.mac != 0);
  CHECK(d0.conf.get(DevConfKey::rp_filter) == 2);  // new devices start from conf.default
  CHECK(d0.origin == SourceLoc{kFile, 1, 1});
  // veth: the peer is registered first
  s.ip("ip link add va type veth peer name vb");
  CHECK(s.dev("vb").ifindex == 3);
  CHECK(s.dev("va").ifindex == 4);
  CHECK(s.dev("va").peer == "vb");
  CHECK(s.dev("vb").peer == "va");
  s.ip("ip link add vc type veth");
  CHECK(s.dev("veth0").ifindex == 5);
  CHECK(s.dev("vc").peer == "veth0");
  s.ip("ip link add name br0 type bridge stp_state 0");
  CHECK(s.dev("br0").kind == DevKind::bridge);
  s.ip("ip link add foo3 mtu 9000 up type veth peer name bar3 mtu 1400");
  CHECK(s.dev("foo3").mtu == 9000);
  CHECK(s.dev("foo3").up);
  CHECK_FALSE(s.dev("foo3").carrier);  // its peer is down
  CHECK(s.dev("bar3").mtu == 1400);
  s.ip("ip link set bar3 up");
  CHECK(s.dev("foo3").carrier);

  CHECK_THAT(msg(s.err("ip link add d0 type dummy")), Catch::StartsWith("RTNETLINK answers: File exists"));
  CHECK_THAT(msg(s.err("ip link add name d1 dev d2 type dummy")), Catch::StartsWith("both \"name\" and \"dev\" cannot be used when creating devices."));
  CHECK_THAT(msg(s.err("ip link add foo")), Catch::StartsWith("Not enough information: \"type\" argument is required"));
  CHECK_THAT(msg(s.err("ip link add v0 type veth peer name v0")), Catch::StartsWith("RTNETLINK answers: File exists"));
  CHECK_THAT(msg(s.err("ip link add vr type vrf table 10")), Catch::Contains("not modelled"));
  CHECK_THAT(msg(s.err("ip link add x type veth bogus")), Catch::StartsWith("Usage: ip link <options> type veth [peer <options>]"));
  CHECK_THAT(msg(s.err("ip link add x type bridge bogus")), Catch::StartsWith("bridge: unknown command \"bogus\"?"));

  // set: do_setlink order, errors at the word
  s.ip("ip link set dev d0 up mtu 9000 address 02:11:22:33:44:55 group 5");
  CHECK(s.dev("d0").up);
  CHECK(s.dev("d0").mtu == 9000);
  CHECK(s.dev("d0").mac == 0x021122334455ull);
  CHECK(s.dev("d0").group == 5);
  s.ip("ip link set d0 arp off promisc on");
  CHECK(s.noted("arp off"));
  ConfigError e = s.err("ip link set d9 up");
  CHECK(msg(e) == "Cannot find device \"d9\"");
  CHECK(e.loc().col == 13);
  CHECK_THAT(msg(s.err("ip link set va mtu 40")), Catch::StartsWith("Error: mtu less than device minimum."));
  CHECK_THAT(msg(s.err("ip link set va mtu 70000")), Catch::StartsWith("Error: mtu greater than device maximum."));
  CHECK_THAT(msg(s.err("ip link set va mtu x")), Catch::StartsWith("Error: argument \"x\" is wrong: Invalid \"mtu\" value"));
  CHECK_THAT(msg(s.err("ip link set va address ff:ff:ff:ff:ff:ff")), Catch::StartsWith("RTNETLINK answers: Cannot assign requested address"));
  CHECK_THAT(msg(s.err("ip link set va master nosuch")), Catch::StartsWith("Error: argument \"nosuch\" is wrong: Device does not exist"));
  CHECK_THAT(msg(s.err("ip link set va master vb")), Catch::StartsWith("RTNETLINK answers: Operation not supported"));
  CHECK_THAT(msg(s.err("ip link set br0 master br0")), Catch::StartsWith("Error: Can not enslave a bridge to a bridge."));
  CHECK_THAT(msg(s.err("ip link set lo master br0")), Catch::StartsWith("RTNETLINK answers: Invalid argument"));
  CHECK_THAT(msg(s.err("ip link set va name vb")), Catch::StartsWith("RTNETLINK answers: File exists"));
  CHECK_THAT(msg(s.err("ip link set lo netns 1")), Catch::StartsWith("Error: The interface netns is immutable."));
  CHECK_THAT(msg(s.err("ip link set va group foo")), Catch::StartsWith("Error: argument \"foo\" is wrong: Invalid \"group\" value"));
  CHECK_THAT(msg(s.err("ip link set va arp maybe")), Catch::StartsWith("Error: argument of \"arp\" must be \"on\" or \"off\", not \"maybe\""));
  CHECK_THAT(msg(s.err("ip link set")), Catch::StartsWith("Not enough information: \"dev\" argument is required."));
  CHECK_THAT(msg(s.err("ip link set dev")), Catch::StartsWith("Command line is not complete. Try option \"help\""));
  CHECK_THAT(msg(s.err("ip link foo")), Catch::StartsWith("Command \"foo\" is unknown, try \"ip link help\"."));

  // master/nomaster, bridge carrier follows its ports
  s.ip("ip link set va master br0");
  CHECK(s.dev("va").master == s.dev("br0").ifindex);
  CHECK_FALSE(s.dev("br0").carrier);
  s.ip("ip link set va up");
  s.ip("ip link set vb up");
  CHECK(s.dev("br0").carrier);
  s.ip("ip link set va nomaster");
  CHECK(s.dev("va").master == 0);

  // rename: address labels follow (inetdev_changename)
  s.ip("ip addr add 10.5.0.1/24 dev d0");
  s.ip("ip addr add 10.6.0.1/24 dev d0");
  s.ip("ip addr add 10.7.0.1/24 dev d0 label d0:x");
  s.ip("ip link set d0 name e0");
  CHECK(s.dev("e0").addrs.at(0).label == "e0");
  CHECK(s.dev("e0").addrs.at(1).label == "e0:2");
  CHECK(s.dev("e0").addrs.at(2).label == "e0:x");
  s.ip("ip link set va name vz");
  CHECK(s.dev("vb").peer == "vz");

  // del: a veth takes its peer; lo cannot go
  s.ip("ip link del vz");
  CHECK(s.host().find_dev("vb") == nullptr);
  CHECK_THAT(msg(s.err("ip link del lo")), Catch::StartsWith("RTNETLINK answers: Operation not supported"));
  CHECK(msg(s.err("ip link del nosuch")) == "Cannot find device \"nosuch\"");
  // ifindexes are not reused while the counter moves on
  s.ip("ip link add d5 type dummy");
  CHECK(s.dev("d5").ifindex == 10);
}

TEST_CASE("ip: address add, del and flush", "[ip][addr]") {
  Sim s = with_devices();
  s.ip("ip addr add 10.1.0.2/24 dev d0");
  s.ip("ip addr add 10.1.0.1/16 dev d0");  // other mask: another primary
  s.ip("ip addr add 10.2.0.1/24 brd + dev d0 label d0:b");
  s.ip("ip addr add 10.5.0.1 peer 10.5.0.2/30 dev d0 metric 7");
  s.ip("ip addr add 127.5.0.1/8 dev d1");
  s.ip("ip addr add 10.6.0.1 dev d1 noprefixroute");
  const auto& a = s.dev("d0").addrs;
  REQUIRE(a.size() == 5);
  CHECK(a[0].local == A("10.1.0.1"));
  CHECK(a[0].prefixlen == 24);
  CHECK_FALSE(a[0].secondary);
  // primaries first, secondaries at the end
  CHECK(a[1].local == A("10.1.0.1"));
  CHECK(a[1].prefixlen == 16);
  CHECK(a[2].local == A("10.2.0.1"));
  CHECK(a[2].broadcast == A("10.2.0.255"));
  CHECK(a[2].label == "d0:b");
  CHECK(a[3].peer == A("10.5.0.2"));
  CHECK(a[3].prefixlen == 30);
  CHECK(a[3].rt_priority == 7);
  CHECK(a[4].local == A("10.1.0.2"));
  CHECK(a[4].secondary);
  CHECK(int(s.dev("d1").addrs.at(0).scope) == RT_SCOPE_HOST);  // 127/8 defaults to scope host
  CHECK(s.dev("d1").addrs.at(1).prefixlen == 32);
  CHECK(s.dev("d1").addrs.at(1).noprefixroute);

  ConfigError dup = s.err("ip addr add 10.1.0.1/24 dev d0");
  CHECK_THAT(msg(dup), Catch::StartsWith("Error: ipv4: Address already assigned."));
  CHECK(dup.loc().col == 13);
  CHECK_THAT(msg(s.err("ip addr add 10.1.0.3/24 dev d0 scope link")), Catch::StartsWith("Error: ipv4: Invalid scope value."));
  CHECK_THAT(msg(s.err("ip addr add 10.7.0.1/24")), Catch::StartsWith("Not enough information: \"dev\" argument is required."));
  CHECK(msg(s.err("ip addr add 10.7.0.1/24 dev nosuch")) == "Cannot find device \"nosuch\"");
  CHECK_THAT(msg(s.err("ip addr add foo dev d0")), Catch::StartsWith("Error: any valid prefix is expected rather than \"foo\""));
  CHECK_THAT(msg(s.err("ip addr add 10.0.0.1/33 dev d0")), Catch::StartsWith("Error: any valid prefix is expected rather than \"10.0.0.1/33\""));
  CHECK_THAT(msg(s.err("ip addr add 10.0.0.1/24 10.0.0.2/24 dev d0")), Catch::StartsWith("Error: either \"local\" is duplicate, or \"10.0.0.2/24\" is a garbage."));
  CHECK_THAT(msg(s.err("ip addr add 10.0.0.1/24 dev d0 brd + brd -")), Catch::StartsWith("Error: duplicate \"broadcast\": \"-\" is the second value."));
  CHECK_THAT(msg(s.err("ip addr add peer 1.2.3.4 dev d0")), Catch::StartsWith("Error: ipv4: Local address is not supplied."));
  CHECK_THAT(msg(s.err("ip addr del 10.9.9.9/24 dev d0")), Catch::StartsWith("Error: ipv4: Address not found."));
  CHECK_THAT(msg(s.err("ip addr del 10.1.0.1/8 dev d0")), Catch::StartsWith("Error: ipv4: Address not found."));
  CHECK_THAT(msg(s.err("ip addr flush")), Catch::StartsWith("Flush requires arguments."));
  CHECK(msg(s.err("ip addr flush dev nosuch")) == "Device \"nosuch\" does not exist.");

  // replace of an existing address changes only its metric
  s.ip("ip addr replace 10.1.0.2/24 dev d0 scope host metric 9");
  CHECK(int(s.dev("d0").addrs.back().scope) == RT_SCOPE_UNIVERSE);
  CHECK(s.dev("d0").addrs.back().rt_priority == 9);
  // wildcard deletion without /len; a primary takes its secondaries (promote_secondaries=0)
  s.ip("ip addr del 10.1.0.1 dev d0");
  CHECK(s.noted("wildcard deletion"));
  REQUIRE(s.dev("d0").addrs.size() == 3);
  CHECK(s.dev("d0").addrs[0].prefixlen == 16);
  // with promote_secondaries the first secondary becomes primary
  s.ip("ip addr add 10.8.0.1/24 dev d0");
  s.ip("ip addr add 10.8.0.2/24 dev d0");
  s.host().conf_all.set(DevConfKey::promote_secondaries, 1, {});
  s.ip("ip addr del 10.8.0.1/24 dev d0");
  bool promoted = false;
  for (auto& x : s.dev("d0").addrs)
    if (x.local == A("10.8.0.2")) promoted = !x.secondary;
  CHECK(promoted);
  // flush filters
  s.ip("ip addr flush dev d0 to 10.5.0.0/16");
  for (auto& x : s.dev("d0").addrs) CHECK(x.local != A("10.5.0.1"));
  s.ip("ip -4 addr flush label d0:*");
  for (auto& x : s.dev("d0").addrs) CHECK(x.label != "d0:b");
  s.ip("ip addr flush scope host");
  CHECK(s.dev("lo").addrs.empty());
  CHECK(s.dev("d1").addrs.size() == 1);
  // 0.0.0.0 is silently ignored (__inet_insert_ifa)
  s.ip("ip addr add 0.0.0.0/0 dev d1");
  CHECK(s.dev("d1").addrs.size() == 1);
}

TEST_CASE("ip: rule priorities, selectors and actions", "[ip][rule]") {
  Sim s;
  CHECK_FALSE(s.host().fib_has_custom_rules);
  s.ip("ip rule add fwmark 1 lookup 100");
  CHECK(s.host().fib_has_custom_rules);
  s.ip("ip rule add fwmark 1 lookup 100");  // no pref: another priority, so no duplicate
  s.ip("ip rule add fwmark 0x1/0x1 table 100");
  auto& rules = s.host().rules;
  REQUIRE(rules.size() == 6);
  CHECK(rules[1].pref == 32763);
  CHECK(rules[2].pref == 32764);
  CHECK(rules[3].pref == 32765);
  CHECK(rules[3].mark == 1);
  CHECK(rules[3].mark_mask == 0xffffffffu);
  CHECK(rules[1].mark_mask == 1);
  CHECK(rules[3].action == FR_ACT_TO_TBL);
  CHECK(rules[3].table == 100);
  CHECK(rules[3].protocol == RTPROT_UNSPEC);
  CHECK(rules[3].origin == SourceLoc{kFile, 1, 1});

  s.ip("ip rule add pref 100 fwmark 0 lookup 101");  // fwmark 0: mask 0, matches every packet
  s.ip("ip rule add pref 101 fwmark 0/0xffffffff lookup 101");
  s.ip("ip rule add pref 102 not from 10/8 to 192.168.0.0/16 iif eth0 oif eth1 tos 0x10 ipproto tcp sport 80 dport 1000-2000 uidrange 5-10 lookup main");
  s.ip("ip ru a pref 103 from all to 0/0 lookup local protocol static suppress_prefixlength 0 suppress_ifgroup 5");
  s.ip("ip rule add pref 5 goto 103");
  s.ip("ip rule add pref 6 nop");
  s.ip("ip rule add pref 7 blackhole");
  s.ip("ip rule add pref 8 unreachable");
  s.ip("ip rule add pref 9 type prohibit");
  s.ip("ip rule add pref 10 dscp 46 lookup 5");
  s.ip("ip rule add pref 11 l3mdev");
  auto find = [&](uint32_t pref) -> const FibRule& {
    for (auto& r : s.host().rules)
      if (r.pref == pref) return r;
    FAIL("no rule " << pref);
    return s.host().rules[0];
  };
  CHECK(find(100).mark_mask == 0);
  CHECK(find(101).mark_mask == 0xffffffffu);
  const FibRule& r = find(102);
  CHECK(r.invert);
  CHECK((r.has_src && r.src == P("10.0.0.0/8")));
  CHECK((r.has_dst && r.dst == P("192.168.0.0/16")));
  CHECK(r.iifname == "eth0");
  CHECK(r.oifname == "eth1");
  CHECK(r.tos == 0x10);
  CHECK(r.ipproto == 6);
  CHECK((r.sport == PortRange{80, 80}));
  CHECK((r.dport == PortRange{1000, 2000}));
  CHECK((r.has_uidrange && r.uid_start == 5 && r.uid_end == 10));
  CHECK(r.table == RT_TABLE_MAIN);
  const FibRule& r2 = find(103);
  CHECK_FALSE(r2.has_src);
  CHECK(r2.table == RT_TABLE_LOCAL);
  CHECK(r2.protocol == RTPROT_STATIC);
  CHECK(r2.suppress_prefixlen == 0);
  CHECK(r2.suppress_ifgroup == 5);
  CHECK(find(5).action == FR_ACT_GOTO);
  CHECK(find(5).goto_pref == 103);
  CHECK(find(6).action == FR_ACT_NOP);
  CHECK(find(7).action == FR_ACT_BLACKHOLE);
  CHECK(find(8).action == FR_ACT_UNREACHABLE);
  CHECK(find(9).action == FR_ACT_PROHIBIT);
  CHECK(find(10).dscp == 46);
  CHECK(find(11).l3mdev);
  CHECK(find(11).table == 0);
  // `type unicast` is action to-table with table 0: the kernel picks an empty table
  s.ip("ip rule add pref 12 type unicast");
  CHECK(find(12).table == 1);
  CHECK(s.noted("table 0"));
}

TEST_CASE("ip: rule errors", "[ip][rule]") {
  Sim s;
  s.ip("ip rule add pref 100 fwmark 1 lookup 100");
  struct Row {
    const char* cmd;
    const char* message;
    uint32_t col;
  };
  const Row rows[] = {
      {"ip rule add pref 100 fwmark 1 lookup 100", "RTNETLINK answers: File exists", 18},
      {"ip rule add pref 100 fwmark 1 lookup 100 not", "RTNETLINK answers: File exists", 18},  // `not` is not compared
      {"ip rule add tos 3 table 102", "Error: Invalid dsfield (tos): ECN bits must be 0.", 17},
      {"ip rule add tos 0x20 table 102", "Error: Invalid tos.", 17},
      {"ip rule add goto 10", "Error: Backward goto not supported.", 18},
      {"ip rule add pref 20 goto 10", "Error: Backward goto not supported.", 26},
      {"ip rule add pref 27 type local", "Error: Missing goto target for action goto.", 26},
      {"ip rule add pref 29 bogus", "Error: argument \"bogus\" is wrong: Failed to parse rule type", 21},
      {"ip rule add pref 32 ipproto foo lookup 5", "Error: argument \"foo\" is wrong: Invalid \"ipproto\" value", 29},
      {"ip rule add pref 34 uidrange 200-100 lookup 5", "Error: Invalid uid range.", 30},
      {"ip rule add pref 36 l3mdev table 5", "table can not be specified for l3mdev rules", 34},
      {"ip rule add pref 41 lookup foo", "Error: argument \"foo\" is wrong: invalid table ID", 28},
      {"ip rule add pref 42 from foo lookup 5", "Error: any valid prefix is expected rather than \"foo\"", 26},
      {"ip rule add pref 44 dport 5-3 lookup 5", "Error: Invalid dport range.", 27},
      {"ip rule add fwmark foo lookup 5", "Error: argument \"foo\" is wrong: fwmark value is invalid", 20},
      {"ip rule add fwmark 1/foo lookup 5", "Error: argument \"foo\" is wrong: fwmask value is invalid", 20},
      {"ip rule add pref foo lookup 5", "Error: argument \"foo\" is wrong: preference value is invalid", 18},
      {"ip rule add iif a/b lookup 5", "Error: argument \"a/b\" is wrong: \"iif\"/\"dev\" not a valid ifname", 17},
      {"ip rule add lookup", "Command line is not complete. Try option \"help\"", 13},
      {"ip rule add", "\"ip rule add\" requires arguments.", 9},
      {"ip rule del", "\"ip rule del\" requires arguments.", 9},
      {"ip rule add pref 50 tun_id 5 lookup 5", "ip rule ... tun_id (metadata tunnels): not modelled", 21},
      {"ip rule del pref 100 from 9.9.9.9", "RTNETLINK answers: No such file or directory", 9},
      {"ip rule del fwmark 1/1", "RTNETLINK answers: No such file or directory", 9},
      {"ip rule foo", "Command \"foo\" is unknown, try \"ip rule help\".", 9},
  };
  for (const Row& row : rows) {
    CAPTURE(row.cmd);
    ConfigError e = s.err(row.cmd);
    CHECK_THAT(msg(e), Catch::StartsWith(row.message));
    CHECK(e.loc().col == row.col);
  }
  CHECK(s.host().rules.size() == 4);
}

TEST_CASE("ip: rule del and flush match like fib_nl_delrule", "[ip][rule]") {
  Sim s;
  s.ip("ip rule add fwmark 1 lookup 100");
  s.ip("ip rule add pref 100 fwmark 1 lookup 100");
  s.ip("ip rule add pref 100 from 1.2.3.4 fwmark 1 lookup 100");
  s.ip("ip rule add pref 100 fwmark 1/1 lookup 100");
  s.ip("ip rule add iif eth0 lookup main");  // fib_default_rule_pref: the second rule's pref - 1
  auto prefs = [&] {
    std::vector<uint32_t> p;
    for (auto& r : s.host().rules) p.push_back(r.pref);
    return p;
  };
  REQUIRE(prefs() == std::vector<uint32_t>{0, 99, 100, 100, 100, 32765, 32766, 32767});
  s.ip("ip rule del fwmark 1 lookup 100");  // the first match in list order
  CHECK(s.host().rules[2].has_src);
  s.ip("ip rule del pref 100");
  CHECK(s.host().rules[2].mark_mask == 1);
  s.ip("ip rule del pref 100 not");  // `not` is not compared
  s.ip("ip rule del iif eth0");
  CHECK(prefs() == std::vector<uint32_t>{0, 32765, 32766, 32767});
  s.ip("ip rule flush");
  CHECK(prefs() == std::vector<uint32_t>{0});
  // deleting marks the rules as custom even when they end as they began
  Sim t;
  t.ip("ip rule del pref 32767");
  CHECK(t.host().fib_has_custom_rules);
}

TEST_CASE("ip: netns forms", "[ip][netns]") {
  Sim s;
  s.ip("ip netns add ns1");
  s.ip("ip netns add ns2");
  REQUIRE(s.set.hosts.size() == 3);
  CHECK(s.host("ns1").devices.size() == 1);
  CHECK_FALSE(s.dev("lo", "ns1").up);
  CHECK(s.dev("lo", "ns1").addrs.empty());
  CHECK(msg(s.err("ip netns add ns1")) == "Cannot create namespace file \"/run/netns/ns1\": File exists");
  CHECK(msg(s.err("ip netns del nosuch")) == "Cannot remove namespace file \"/run/netns/nosuch\": No such file or directory");
  CHECK_THAT(msg(s.err("ip -n nosuch link show")), Catch::StartsWith("Cannot open network namespace \"nosuch\": No such file or directory"));
  CHECK_THAT(msg(s.err("ip netns exec nosuch ip link")), Catch::StartsWith("Cannot open network namespace \"nosuch\": No such file or directory"));
  CHECK(msg(s.err("ip netns exec ns1")) == "No command specified");
  CHECK(msg(s.err("ip netns add a/b")) == "Invalid netns name \"a/b\"");

  // lo comes up with 127.0.0.1/8 (inetdev_event NETDEV_UP)
  s.ip("ip -n ns1 link set lo up");
  REQUIRE(s.dev("lo", "ns1").addrs.size() == 1);
  CHECK(s.dev("lo", "ns1").addrs[0].local == A("127.0.0.1"));
  s.ip("ip netns exec ns1 ip addr add 10.9.0.1/24 dev lo");
  CHECK(s.dev("lo", "ns1").addrs.size() == 2);
  s.ip("ip -netns ns1 -4 route add local default dev lo table 100");
  CHECK(s.routes(100, "ns1").size() == 1);
  CHECK(s.host().routes.empty());

  // a veth across namespaces is a topology link
  s.ip("ip link add v0 type veth peer name v1 netns ns1");
  CHECK(s.dev("v1", "ns1").ifindex == 2);
  CHECK(s.dev("v1", "ns1").peer_netns == "");
  CHECK(s.dev("v0").peer_netns == "ns1");
  REQUIRE(s.set.links.size() == 1);
  CHECK(s.set.links[0].host_a == "");
  CHECK(s.set.links[0].dev_a == "v0");
  CHECK(s.set.links[0].host_b == "ns1");
  CHECK(s.set.links[0].dev_b == "v1");
  CHECK(s.set.links[0].origin.line == s.line);

  // moving a device: down, addresses and routes gone, ifindex kept when free
  s.ip("ip link add x2 type veth peer name y2");
  s.ip("ip addr add 10.0.0.1/24 dev x2");
  s.ip("ip link set x2 up");
  s.ip("ip route add 10.99.0.0/16 via 10.0.0.2");
  s.ip("ip rule add iif x2 lookup 5");
  const int x2 = s.dev("x2").ifindex;
  s.ip("ip link set x2 netns ns2");
  CHECK(s.host().find_dev("x2") == nullptr);
  CHECK(s.host().routes.empty());
  CHECK(s.host().rules[1].iifname == "x2");  // rules keep the name
  NetDevice& m = s.dev("x2", "ns2");
  CHECK(m.ifindex == x2);
  CHECK_FALSE(m.up);
  CHECK(m.addrs.empty());
  CHECK(s.dev("y2").peer_netns == "ns2");
  CHECK(s.set.links.size() == 2);
  // an ifindex already used in the target namespace is replaced by the next free one there
  s.ip("ip link add q type dummy");
  CHECK(s.dev("q").ifindex == 5);
  s.ip("ip -n ns1 link add z0 type dummy");
  s.ip("ip -n ns1 link add z1 type dummy");
  s.ip("ip -n ns1 link add z2 type dummy");
  CHECK(s.dev("z2", "ns1").ifindex == 5);
  s.ip("ip link set q netns ns1");
  CHECK(s.dev("q", "ns1").ifindex == 6);
  CHECK_THAT(msg(s.err("ip link set y2 netns nosuch")), Catch::StartsWith("Error: argument \"nosuch\" is wrong: Invalid \"netns\" value"));
  s.ip("ip -n ns1 link add y2 type dummy");
  CHECK_THAT(msg(s.err("ip link set y2 netns ns1")), Catch::StartsWith("RTNETLINK answers: File exists"));

  // deleting a namespace takes its devices and the veth peers outside it
  s.ip("ip netns del ns2");
  CHECK(s.set.find_host("ns2") == nullptr);
  CHECK(s.host().find_dev("y2") == nullptr);
  CHECK(s.set.links.size() == 1);
  s.ip("ip netns delete ns1");
  CHECK(s.host().find_dev("v0") == nullptr);
  CHECK(s.set.links.empty());
  CHECK(s.set.hosts.size() == 1);
}

TEST_CASE("ip: objects, commands and options by prefix", "[ip]") {
  Sim s = with_devices();
  s.ip("ip ro a 10.9.0.0/16 dev d0");
  s.ip("ip r add 10.10.0.0/16 dev d0");
  s.ip("ip rou d 10.10.0.0/16");
  CHECK(s.host().routes.size() == 1);
  s.ip("ip a add 10.3.0.1/24 dev d0");
  s.ip("ip addr a 10.4.0.1/24 dev d0");
  s.ip("ip address del 10.4.0.1/24 dev d0");
  CHECK(s.dev("d0").addrs.size() == 2);
  s.ip("ip l s d1 up");
  CHECK(s.dev("d1").up);
  s.ip("ip li a d2 type dummy");
  s.ip("ip ru a fwmark 3 lookup 3");
  CHECK(s.host().rules.size() == 4);
  s.ip("ip -4 -d -s -j -o -br -c=never route add 10.11.0.0/16 dev d0");
  s.ip("ip r");  // listing
  CHECK(s.noted("listing commands"));
  s.ip("ip n add 10.1.0.9 lladdr 02:00:00:00:00:09 dev d0");
  CHECK(s.noted("ip neighbor"));
  s.ip("ip m");
  CHECK(s.noted("ip maddress"));
  s.ip("ip -6 route add 2001:db8::/32 dev d0");
  s.ip("ip route add 2001:db8::/32 dev d0");
  s.ip("ip addr add fe80::1/64 dev d0");
  s.ip("ip route add default via fe80::1 dev d0");  // "default" leaves the family to the gateway
  CHECK(s.noted("IPv6"));
  CHECK_THAT(msg(s.err("ip route add 10.0.0.0/8 via fe80::1")), Catch::StartsWith("Error: inet address is expected rather than \"fe80::1\"."));
  CHECK(s.host().routes.size() == 2);

  CHECK_THAT(msg(s.err("ip t add t0 mode gre")), Catch::Contains("not modelled"));
  CHECK_THAT(msg(s.err("ip nexthop add id 1 dev d0")), Catch::Contains("not modelled"));
  CHECK_THAT(msg(s.err("ip foo")), Catch::StartsWith("Object \"foo\" is unknown, try \"ip help\"."));
  CHECK_THAT(msg(s.err("ip -x link")), Catch::StartsWith("Option \"-x\" is unknown, try \"ip -help\"."));
  ConfigError b = s.err("ip -batch cmds.txt");
  CHECK_THAT(msg(b), Catch::Contains("not supported"));
  CHECK(b.loc().col == 4);
  CHECK_THAT(msg(s.err("ip")), Catch::StartsWith("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }"));
  CHECK_THAT(msg(s.err("ip route foo")), Catch::StartsWith("Command \"foo\" is unknown, try \"ip route help\"."));
  CHECK_THAT(msg(s.err("ip addr foo")), Catch::StartsWith("Command \"foo\" is unknown, try \"ip address help\"."));
}

TEST_CASE("ip: kernel routes derived from addresses (fib_add_ifaddr)", "[ip][addr][route]") {
  // notes/live-observations.md §8-9 and the 6.18 dumps: local routes exist while the device is
  // down; prefix and broadcast routes only while it is up; secondaries take the primary as src.
  Sim s;
  s.ip("ip link add d0 type dummy");
  s.ip("ip addr add 10.9.0.1/24 dev d0");
  s.ip("ip addr add 10.9.0.2/24 dev d0");
  s.ip("ip addr add 10.5.0.1 peer 10.5.0.2/30 dev d0");
  s.ip("ip addr add 10.6.0.1/24 dev d0 metric 7 noprefixroute");
  s.ip("ip addr add 10.3.0.1/24 brd 10.3.0.7 dev d0");
  auto text = [&] {
    std::vector<std::string> out;
    for (auto& fa : fib_magic_routes(s.host()))
      if (fa.nhs.at(0).dev == s.dev("d0").ifindex)
        out.push_back(std::string(kRtnNames[fa.type]) + " " + to_string(fa.dst) + " table " + std::to_string(fa.table) + " src " +
                      to_string(fa.prefsrc) + " metric " + std::to_string(fa.priority));
    return out;
  };
  CHECK(text() == std::vector<std::string>{
                      "local 10.9.0.1/32 table 255 src 10.9.0.1 metric 0",
                      "local 10.5.0.1/32 table 255 src 10.5.0.1 metric 0",
                      "local 10.6.0.1/32 table 255 src 10.6.0.1 metric 0",
                      "local 10.3.0.1/32 table 255 src 10.3.0.1 metric 0",
                      "local 10.9.0.2/32 table 255 src 10.9.0.1 metric 0",
                  });
  s.ip("ip link set d0 up");
  CHECK(text() == std::vector<std::string>{
                      "local 10.9.0.1/32 table 255 src 10.9.0.1 metric 0",
                      "unicast 10.9.0.0/24 table 254 src 10.9.0.1 metric 0",
                      "broadcast 10.9.0.255/32 table 255 src 10.9.0.1 metric 0",
                      "local 10.5.0.1/32 table 255 src 10.5.0.1 metric 0",
                      "unicast 10.5.0.0/30 table 254 src 10.5.0.1 metric 0",
                      "broadcast 10.5.0.3/32 table 255 src 10.5.0.1 metric 0",
                      "local 10.6.0.1/32 table 255 src 10.6.0.1 metric 0",
                      "broadcast 10.6.0.255/32 table 255 src 10.6.0.1 metric 0",
                      "local 10.3.0.1/32 table 255 src 10.3.0.1 metric 0",
                      "broadcast 10.3.0.7/32 table 255 src 10.3.0.1 metric 0",
                      "unicast 10.3.0.0/24 table 254 src 10.3.0.1 metric 0",
                      "broadcast 10.3.0.255/32 table 255 src 10.3.0.1 metric 0",
                      "local 10.9.0.2/32 table 255 src 10.9.0.1 metric 0",
                  });
  // loopback's prefix route is a local route in table local
  bool lo_prefix = false;
  for (auto& fa : fib_magic_routes(s.host()))
    lo_prefix = lo_prefix || (fa.type == RTN_LOCAL && fa.dst == P("127.0.0.0/8") && fa.table == RT_TABLE_LOCAL);
  CHECK(lo_prefix);
}

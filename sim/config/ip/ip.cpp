// ip/ip.c: global options and the object table. Objects are matched by prefix in iproute2's
// table order, so `ip a` is address, `ip r` route, `ip ru` rule, `ip l` link, `ip n` neighbor.
#include "sim/config/ip/ip.hpp"
#include <fmt/format.h>
#include "sim/config/ip/ip_common.hpp"

namespace kpath {

namespace {

using namespace ip;

enum class Obj { address, route, rule, link, netns, note, unmodelled, help };

struct ObjEntry {
  std::string_view name;
  Obj obj;
  std::string_view why;  // for notes / errors
};

// cmds[] of ip/ip.c (iproute2 6.1), in order.
constexpr ObjEntry kObjects[] = {
    {"address", Obj::address, ""},
    {"addrlabel", Obj::note, "IPv6 address labels are outside kpath's IPv4 model"},
    {"maddress", Obj::note, "multicast addresses do not change the unicast IPv4 path"},
    {"route", Obj::route, ""},
    {"rule", Obj::rule, ""},
    {"neighbor", Obj::note, "neighbour entries do not change the routing decisions kpath explains"},
    {"neighbour", Obj::note, "neighbour entries do not change the routing decisions kpath explains"},
    {"ntable", Obj::note, "neighbour table parameters are not modelled"},
    {"ntbl", Obj::note, "neighbour table parameters are not modelled"},
    {"link", Obj::link, ""},
    {"l2tp", Obj::unmodelled, "L2TP tunnels"},
    {"fou", Obj::unmodelled, "FOU/GUE encapsulation"},
    {"ila", Obj::unmodelled, "ILA (IPv6)"},
    {"macsec", Obj::unmodelled, "MACsec devices"},
    {"tunnel", Obj::unmodelled, "IP tunnels"},
    {"tunl", Obj::unmodelled, "IP tunnels"},
    {"tuntap", Obj::unmodelled, "tun/tap devices"},
    {"tap", Obj::unmodelled, "tun/tap devices"},
    {"token", Obj::note, "IPv6 tokens are outside kpath's IPv4 model"},
    {"tcpmetrics", Obj::note, "TCP metrics do not change the IPv4 path"},
    {"tcp_metrics", Obj::note, "TCP metrics do not change the IPv4 path"},
    {"monitor", Obj::note, "monitoring has no effect on the configuration"},
    {"xfrm", Obj::unmodelled, "IPsec (xfrm) states and policies"},
    {"mroute", Obj::note, "multicast routing is not modelled"},
    {"mrule", Obj::note, "multicast routing rules are not modelled"},
    {"netns", Obj::netns, ""},
    {"netconf", Obj::note, "listing commands have no effect"},
    {"vrf", Obj::unmodelled, "VRFs"},
    {"sr", Obj::unmodelled, "segment routing (IPv6)"},
    {"nexthop", Obj::unmodelled, "nexthop objects (ip nexthop / nhid)"},
    {"nh", Obj::unmodelled, "nexthop objects (ip nexthop / nhid)"},
    {"mptcp", Obj::note, "MPTCP endpoints do not change the IPv4 path"},
    {"ioam", Obj::note, "IOAM (IPv6) is outside kpath's IPv4 model"},
    {"help", Obj::help, ""},
    {"stats", Obj::note, "listing commands have no effect"},
};

constexpr std::string_view kUsage = "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }";

}  // namespace

void ip_command(ConfigSet& set, HostConfig& host, const std::vector<Word>& argv, const Command& cmd,
                std::vector<Diagnostic>& notes, const ExecInHost& exec) {
  Ctx c{set, &host, cmd, notes, exec};
  Args a(argv, 0);
  try {
    // main() of ip/ip.c: options until the first word not starting with '-'
    while (!a.done()) {
      std::string_view opt = a.s();
      const Word& ow = a.w();
      if (opt == "--") { a.next(); break; }
      if (opt.empty() || opt[0] != '-') break;
      if (opt.size() > 1 && opt[1] == '-') opt.remove_prefix(1);
      auto arg = [&]() -> const Word& {
        a.next();
        if (a.done()) fail(ow.loc, fmt::format("{}; expected a value after \"{}\"", kUsage, ow.text));
        return a.w();
      };
      if (matches(opt, "-loops")) {
        arg();
      } else if (matches(opt, "-family")) {
        const Word& f = arg();
        if (f.text == "inet") c.inet4_only = true;
        else if (f.text == "help") fail(f.loc, std::string(kUsage));
        else if (f.text == "inet6" || f.text == "link" || f.text == "mpls" || f.text == "bridge" || f.text == "ipx" || f.text == "dnet") {
          c.note(f.loc, fmt::format("ip -family {}: outside kpath's IPv4 model; command ignored", f.text));
          return;
        } else {
          invarg(f, "invalid protocol family", "inet, inet6, link, mpls or bridge");
        }
      } else if (opt == "-4") {
        c.inet4_only = true;
      } else if (opt == "-6" || opt == "-0" || opt == "-I" || opt == "-D" || opt == "-M" || opt == "-B") {
        c.note(ow.loc, fmt::format("ip {}: outside kpath's IPv4 model; command ignored", opt));
        return;
      } else if (matches(opt, "-human") || matches(opt, "-human-readable") || matches(opt, "-iec") || matches(opt, "-stats") ||
                 matches(opt, "-statistics") || matches(opt, "-details") || matches(opt, "-resolve") || matches(opt, "-oneline") ||
                 matches(opt, "-timestamp") || matches(opt, "-tshort")) {
        // output options: no effect on the configuration
      } else if (matches(opt, "-Version")) {
        c.note(ow.loc, "ip -V prints the version; no effect on the configuration");
        return;
      } else if (matches(opt, "-force")) {
      } else if (matches(opt, "-batch")) {
        fail(ow.loc, "ip -batch: not supported by kpath; write the commands as separate `ip` lines in the script");
      } else if (matches(opt, "-brief") || matches(opt, "-json") || matches(opt, "-pretty")) {
      } else if (matches(opt, "-rcvbuf")) {
        arg();
      } else if (matches(opt.substr(0, opt.find('=')), "-color")) {
      } else if (matches(opt, "-help")) {
        fail(ow.loc, std::string(kUsage));
      } else if (matches(opt, "-netns")) {
        a.next();
        if (a.done()) fail(ow.loc, "Cannot open network namespace \"(null)\": No such file or directory; expected a namespace name after -n");
        const Word& ns = a.w();
        HostConfig* h = set.find_host(ns.text);
        if (!h || ns.text.empty())
          fail(ns.loc, fmt::format("Cannot open network namespace \"{}\": No such file or directory; expected a namespace created earlier "
                                   "with `ip netns add {}`", ns.text, ns.text));
        c.host = h;
      } else if (matches(opt, "-Numeric")) {
      } else if (matches(opt, "-all")) {
        fail(ow.loc, "ip -all: not supported by kpath; name each namespace with -n NS or `ip netns exec NS`");
      } else if (opt == "-echo") {
      } else {
        fail(ow.loc, fmt::format("Option \"{}\" is unknown, try \"ip -help\".", ow.text));
      }
      a.next();
    }
    if (a.done()) fail(argv.empty() ? cmd.loc : argv.back().loc, fmt::format("{}; expected an object such as link, address, route, rule or netns", kUsage));

    const Word& objw = a.w();
    const ObjEntry* e = nullptr;
    for (const auto& x : kObjects)
      if (matches(objw.text, x.name)) { e = &x; break; }
    if (!e)
      fail(objw.loc, fmt::format("Object \"{}\" is unknown, try \"ip help\".; expected link, address, route, rule or netns", objw.text));
    a.next();
    switch (e->obj) {
      case Obj::address: do_ipaddr(c, a); return;
      case Obj::route: do_iproute(c, a); return;
      case Obj::rule: do_iprule(c, a); return;
      case Obj::link: do_iplink(c, a); return;
      case Obj::netns: do_netns(c, a); return;
      case Obj::note: c.note(objw.loc, fmt::format("ip {}: {}; ignored", e->name, e->why)); return;
      case Obj::unmodelled: not_modelled(objw.loc, fmt::format("ip {} ({})", e->name, e->why));
      case Obj::help: fail(objw.loc, std::string(kUsage));
    }
  } catch (const Inet6Skip& s) {
    c.note(s.loc, fmt::format("\"{}\" is an IPv6 address: kpath models IPv4 only; command ignored", s.what));
  }
}

}  // namespace kpath

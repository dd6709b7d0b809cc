#include "sim/config/kpath_directive.hpp"
#include <fmt/format.h>

namespace kpath {

using namespace kernel;

static std::pair<Ipv4Addr, uint16_t> parse_endpoint(const Word& w) {
  auto colon = w.text.rfind(':');
  if (colon == std::string::npos)
    throw ConfigError(w.loc, fmt::format("bad socket address \"{}\"; expected ADDR:PORT, e.g. 0.0.0.0:9999", w.text));
  auto a = parse_ipv4(w.text.substr(0, colon));
  auto p = parse_u32(w.text.substr(colon + 1));
  if (!a) throw ConfigError(w.loc, fmt::format("bad address in \"{}\"; expected a dotted IPv4 address", w.text));
  if (!p || *p > 65535) throw ConfigError(w.loc, fmt::format("bad port in \"{}\"; expected 0-65535", w.text));
  return {*a, static_cast<uint16_t>(*p)};
}

static void socket_directive(HostConfig& host, const Command& cmd) {
  const auto& a = cmd.argv;
  if (a.size() < 4)
    throw ConfigError(cmd.loc, "incomplete #kpath socket; expected: #kpath socket tcp|udp listen|bind|established|connected ADDR:PORT [REMOTE:PORT] [transparent] [mark N] [dev DEV]");
  Sock s;
  if (a[1].text == "tcp") s.proto = IPPROTO_TCP_;
  else if (a[1].text == "udp") s.proto = IPPROTO_UDP_;
  else throw ConfigError(a[1].loc, fmt::format("unknown socket protocol \"{}\"; expected tcp or udp", a[1].text));
  const std::string& st = a[2].text;
  size_t i = 3;
  if (st == "listen" || st == "bind") {
    if ((st == "listen") != (s.proto == IPPROTO_TCP_))
      throw ConfigError(a[2].loc, fmt::format("\"{}\" does not fit {}; expected {} for {}", st, a[1].text, s.proto == IPPROTO_TCP_ ? "listen or established" : "bind or connected", a[1].text));
    s.state = s.proto == IPPROTO_TCP_ ? SockState::Listen : SockState::Bound;
    std::tie(s.laddr, s.lport) = parse_endpoint(a[i++]);
  } else if (st == "established" || st == "connected") {
    s.state = s.proto == IPPROTO_TCP_ ? SockState::Established : SockState::Connected;
    if (a.size() < 5) throw ConfigError(cmd.loc, fmt::format("#kpath socket {} {} needs LOCAL:PORT REMOTE:PORT", a[1].text, st));
    std::tie(s.laddr, s.lport) = parse_endpoint(a[i++]);
    std::tie(s.raddr, s.rport) = parse_endpoint(a[i++]);
  } else {
    throw ConfigError(a[2].loc, fmt::format("unknown socket state \"{}\"; expected listen, bind, established or connected", st));
  }
  for (; i < a.size(); ++i) {
    if (a[i].text == "transparent") s.transparent = true;
    else if (a[i].text == "mark" && i + 1 < a.size()) {
      auto m = parse_u32(a[++i].text);
      if (!m) throw ConfigError(a[i].loc, "bad mark; expected a number like 0x1");
      s.mark = *m;
    } else if (a[i].text == "dev" && i + 1 < a.size()) {
      auto* d = host.find_dev(a[++i].text);
      if (!d) throw ConfigError(a[i].loc, fmt::format("Cannot find device \"{}\"", a[i].text));
      s.bound_dev = d->ifindex;
    } else {
      throw ConfigError(a[i].loc, fmt::format("unexpected \"{}\"; expected transparent, mark N or dev DEV", a[i].text));
    }
  }
  // A non-transparent socket can only bind a local address (or 0.0.0.0): bind() says EADDRNOTAVAIL.
  if (!s.transparent && !s.laddr.is_zero() && s.state != SockState::Established && s.state != SockState::Connected) {
    bool local = s.laddr.is_loopback();
    for (auto& d : host.devices) for (auto& ia : d.addrs) if (ia.local == s.laddr) local = true;
    if (!local && !host.sysctl.get(NetSysctlKey::ip_nonlocal_bind))
      throw ConfigError(a[3].loc, fmt::format("bind {}:{}: Cannot assign requested address (not a local address; a transparent socket or ip_nonlocal_bind=1 may bind it)", s.laddr, s.lport));
  }
  s.origin = cmd.loc;
  host.socks.push_back(s);
}

void kpath_directive(ConfigSet& set, HostConfig& host, const Command& cmd, std::vector<Diagnostic>& notes) {
  if (cmd.argv.empty()) throw ConfigError(cmd.loc, "empty #kpath directive; expected socket or expect");
  const std::string& kw = cmd.argv[0].text;
  if (kw == "socket") return socket_directive(host, cmd);
  if (kw == "expect" || kw == "expect:") {
    ConfigSet::Directive d{host.name, {}, cmd.loc};
    for (size_t i = 1; i < cmd.argv.size(); ++i) d.words.push_back(cmd.argv[i].text);
    set.expectations.push_back(std::move(d));
    return;
  }
  throw ConfigError(cmd.argv[0].loc, fmt::format("unknown #kpath directive \"{}\"; expected socket or expect", kw));
}

}  // namespace kpath

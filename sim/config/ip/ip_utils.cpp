// lib/utils.c and lib/rt_names.c of iproute2 6.1 as kpath needs them.
#include <fmt/format.h>
#include <array>
#include <cctype>
#include "sim/config/ip/ip_common.hpp"

namespace kpath::ip {

using namespace kernel;

void Ctx::note(SourceLoc loc, std::string msg) const { notes.push_back({Diagnostic::Severity::note, loc, std::move(msg)}); }

bool matches(std::string_view arg, std::string_view full) { return !arg.empty() && full.substr(0, arg.size()) == arg; }

bool Args::pre(std::string_view kw) const { return matches(s(), kw); }

const Word& Args::next_arg() {
  const Word& kw = w();
  ++i_;
  if (done()) fail(kw.loc, "Command line is not complete. Try option \"help\"");
  return w();
}

void fail(SourceLoc loc, std::string msg) { throw ConfigError(loc, std::move(msg)); }

static std::string with_expected(std::string msg, std::string_view expected) {
  if (!expected.empty()) msg += fmt::format("; expected {}", expected);
  return msg;
}

void invarg(const Word& w, std::string_view msg, std::string_view expected) {
  fail(w.loc, with_expected(fmt::format("Error: argument \"{}\" is wrong: {}", w.text, msg), expected));
}

void duparg(const Word& w, std::string_view key) {
  fail(w.loc, fmt::format("Error: duplicate \"{}\": \"{}\" is the second value.", key, w.text));
}

void duparg2(const Word& w, std::string_view key, std::string_view expected) {
  fail(w.loc, with_expected(fmt::format("Error: either \"{}\" is duplicate, or \"{}\" is a garbage.", key, w.text), expected));
}

void nodev(const Word& w) { fail(w.loc, fmt::format("Cannot find device \"{}\"", w.text)); }

void not_modelled(SourceLoc loc, std::string_view what) { fail(loc, fmt::format("{}: not modelled by kpath", what)); }

void rtnl_error(SourceLoc loc, Errno e, std::string_view hint) {
  static constexpr std::array<std::string_view, 11> kText = {
      "File exists", "No such process", "No such file or directory", "No such device", "Network is down", "Invalid argument",
      "Operation not supported", "Cannot assign requested address", "Device or resource busy", "Operation not permitted",
      "No buffer space available"};
  std::string msg = fmt::format("RTNETLINK answers: {}", kText[static_cast<size_t>(e)]);
  if (!hint.empty()) msg += fmt::format(" ({})", hint);
  fail(loc, std::move(msg));
}

void extack(SourceLoc loc, std::string_view m, std::string_view hint) {
  std::string msg = fmt::format("Error: {}.", m);
  if (!hint.empty()) msg += fmt::format(" ({})", hint);
  fail(loc, std::move(msg));
}

// strtoul(s, &end, base) on the longest valid prefix; `used` = characters consumed (0: none).
static uint64_t strtoul_prefix(std::string_view s, int base, size_t& used, bool& overflow) {
  size_t i = 0;
  overflow = false;
  if (base == 0) {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s.size() > 2 && std::isxdigit(static_cast<unsigned char>(s[2]))) { base = 16; i = 2; }
    else if (!s.empty() && s[0] == '0') base = 8;
    else base = 10;
  } else if (base == 16 && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && std::isxdigit(static_cast<unsigned char>(s[2]))) {
    i = 2;
  }
  uint64_t v = 0;
  const size_t start = i;
  for (; i < s.size(); ++i) {
    const char ch = s[i];
    int d;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (ch >= 'a' && ch <= 'z') d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'Z') d = ch - 'A' + 10;
    else break;
    if (d >= base) break;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) overflow = true;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  used = i == start ? (start == 2 ? 1 : 0) : i;  // "0x" alone: strtoul reads the "0"
  return v;
}

std::optional<uint64_t> strtoul_base(std::string_view s, int base) {
  size_t used;
  bool ovf;
  const uint64_t v = strtoul_prefix(s, base, used, ovf);
  if (s.empty() || used != s.size() || ovf) return std::nullopt;
  return v;
}

std::optional<uint32_t> get_u32(std::string_view s) {
  auto v = strtoul_base(s, 0);
  if (!v || *v > 0xffffffffull) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

std::optional<int64_t> get_integer(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  auto v = strtoul_base(neg ? s.substr(1) : s, 0);
  if (!v || *v > 0x80000000ull || (!neg && *v > 0x7fffffffull)) return std::nullopt;
  return neg ? -static_cast<int64_t>(*v) : static_cast<int64_t>(*v);
}

std::optional<Ipv4Addr> get_addr_ipv4(std::string_view cp) {
  uint32_t ap[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    size_t used;
    bool ovf;
    const uint64_t n = strtoul_prefix(cp, 0, used, ovf);
    if (ovf || n > 255) return std::nullopt;   // bogus network value
    if (used == 0) return std::nullopt;        // no digits
    ap[i] = static_cast<uint32_t>(n);
    if (used == cp.size()) break;
    if (i == 3 || cp[used] != '.') return std::nullopt;  // extra characters
    cp.remove_prefix(used + 1);
  }
  return Ipv4Addr{(ap[0] << 24) | (ap[1] << 16) | (ap[2] << 8) | ap[3]};
}

static int mask2bits(uint32_t m) {
  int n = 0;
  while (m & 0x80000000u) { ++n; m <<= 1; }
  return m ? -1 : n;
}

static constexpr std::string_view kPrefixExpected =
    "an IPv4 prefix like 10.0.0.0/8 (abbreviations like 10/8 allowed), \"default\" or \"all\"";

InetPrefix get_prefix(const Ctx& c, const Word& w, bool family_known, std::string_view expected) {
  const std::string_view s = w.text;
  const auto slash = s.find('/');
  const std::string_view a = s.substr(0, slash);
  InetPrefix p;
  bool ok = true;
  bool special = a == "default" || a == "all" || a == "any";
  if (special) {
    p.any = true;
    p.bitlen = 0;
  } else if (a.find(':') != std::string_view::npos) {
    if (!c.inet4_only && !family_known) throw Inet6Skip{w.loc, std::string(s)};
    ok = false;
  } else if (auto v = get_addr_ipv4(a)) {
    p.addr = *v;
  } else {
    ok = false;
  }
  if (ok && slash != std::string_view::npos) {
    const std::string_view m = s.substr(slash + 1);
    std::optional<int> plen;
    if (auto u = strtoul_base(m, 0); u && *u <= 0xffffffffull) plen = static_cast<int>(std::min<uint64_t>(*u, 1000));
    else if (m.find('.') != std::string_view::npos) {
      if (auto mv = get_addr_ipv4(m); mv && mask2bits(mv->v) >= 0) plen = mask2bits(mv->v);
    }
    if (special || !plen || *plen > 32) ok = false;
    else { p.bitlen = static_cast<uint8_t>(*plen); p.len_given = true; }
  }
  if (!ok)
    fail(w.loc, with_expected(fmt::format("Error: {} prefix is expected rather than \"{}\".", c.inet4_only || family_known ? "inet" : "any valid", s),
                              expected.empty() ? kPrefixExpected : expected));
  return p;
}

Ipv4Addr get_addr(const Ctx& c, const Word& w, bool family_known) {
  const std::string_view s = w.text;
  if (s.find(':') != std::string_view::npos && !family_known && !c.inet4_only) throw Inet6Skip{w.loc, std::string(s)};
  if (s == "default" || s == "all" || s == "any") return Ipv4Addr{};
  if (auto v = get_addr_ipv4(s)) return *v;
  fail(w.loc, with_expected(fmt::format("Error: {} address is expected rather than \"{}\".", family_known || c.inet4_only ? "inet" : "any valid", s),
                            "an IPv4 address like 192.0.2.1"));
}

// ---- lib/rt_names.c ----

std::optional<uint32_t> rt_table_a2n(const HostConfig& h, std::string_view s) {
  if (auto it = h.rt_tables.find(std::string(s)); it != h.rt_tables.end()) return it->second;
  return get_u32(s);
}

std::string table_name(const HostConfig& h, uint32_t id) {
  for (const auto& [n, v] : h.rt_tables)
    if (v == id) return n;
  return std::to_string(id);
}

namespace {
struct NameVal { std::string_view name; uint32_t v; };
// Debian's /etc/iproute2/rt_protos (iproute2 6.1)
constexpr NameVal kProtos[] = {
    {"unspec", 0}, {"redirect", 1}, {"kernel", 2}, {"boot", 3}, {"static", 4}, {"gated", 8}, {"ra", 9}, {"mrt", 10},
    {"zebra", 11}, {"bird", 12}, {"dnrouted", 13}, {"xorp", 14}, {"ntk", 15}, {"dhcp", 16}, {"keepalived", 18},
    {"babel", 42}, {"openr", 99}, {"bgp", 186}, {"isis", 187}, {"ospf", 188}, {"rip", 189}, {"eigrp", 192}};
// /etc/iproute2/rt_scopes
constexpr NameVal kScopes[] = {{"global", 0}, {"nowhere", 255}, {"host", 254}, {"link", 253}, {"site", 200}};
// /etc/iproute2/rt_dsfield plus the built-in "0"
constexpr NameVal kDsfield[] = {
    {"0", 0}, {"default", 0}, {"AF11", 0x28}, {"AF12", 0x30}, {"AF13", 0x38}, {"AF21", 0x48}, {"AF22", 0x50}, {"AF23", 0x58},
    {"AF31", 0x68}, {"AF32", 0x70}, {"AF33", 0x78}, {"AF41", 0x88}, {"AF42", 0x90}, {"AF43", 0x98}, {"CS1", 0x20},
    {"CS2", 0x40}, {"CS3", 0x60}, {"CS4", 0x80}, {"CS5", 0xA0}, {"CS6", 0xC0}, {"CS7", 0xE0}, {"EF", 0xB8}};
// /etc/protocols names and aliases (getprotobyname)
constexpr NameVal kInetProtos[] = {
    {"ip", 0}, {"IP", 0}, {"hopopt", 0}, {"HOPOPT", 0}, {"icmp", 1}, {"ICMP", 1}, {"igmp", 2}, {"IGMP", 2}, {"ipencap", 4},
    {"IP-ENCAP", 4}, {"tcp", 6}, {"TCP", 6}, {"egp", 8}, {"EGP", 8}, {"udp", 17}, {"UDP", 17}, {"dccp", 33}, {"DCCP", 33},
    {"ipv6", 41}, {"IPv6", 41}, {"rsvp", 46}, {"RSVP", 46}, {"gre", 47}, {"GRE", 47}, {"esp", 50}, {"IPSEC-ESP", 50},
    {"ah", 51}, {"IPSEC-AH", 51}, {"ipv6-icmp", 58}, {"IPv6-ICMP", 58}, {"ospf", 89}, {"OSPFIGP", 89}, {"ipip", 94},
    {"IPIP", 94}, {"pim", 103}, {"PIM", 103}, {"vrrp", 112}, {"VRRP", 112}, {"l2tp", 115}, {"L2TP", 115}, {"sctp", 132},
    {"SCTP", 132}, {"udplite", 136}, {"UDPLite", 136}, {"mpls-in-ip", 137}, {"MPLS-in-IP", 137}};

template <size_t N>
std::optional<uint32_t> lookup(const NameVal (&t)[N], std::string_view s) {
  for (const auto& e : t)
    if (e.name == s) return e.v;
  return std::nullopt;
}
}  // namespace

std::optional<uint8_t> rtprot_a2n(std::string_view s) {
  if (auto v = lookup(kProtos, s)) return static_cast<uint8_t>(*v);
  if (auto v = strtoul_base(s, 0); v && *v <= 255) return static_cast<uint8_t>(*v);
  return std::nullopt;
}

std::optional<uint8_t> rtscope_a2n(std::string_view s) {
  if (auto v = lookup(kScopes, s)) return static_cast<uint8_t>(*v);
  if (auto v = strtoul_base(s, 0); v && *v <= 255) return static_cast<uint8_t>(*v);
  return std::nullopt;
}

std::optional<uint8_t> dsfield_a2n(std::string_view s) {
  if (auto v = lookup(kDsfield, s)) return static_cast<uint8_t>(*v);
  if (auto v = strtoul_base(s, 16); v && *v <= 255) return static_cast<uint8_t>(*v);
  return std::nullopt;
}

std::optional<int> rtntype_a2n(std::string_view a) {
  if (a == "local") return RTN_LOCAL;
  if (a == "nat") return RTN_NAT;
  if (matches(a, "broadcast") || a == "brd") return RTN_BROADCAST;
  if (matches(a, "anycast")) return RTN_ANYCAST;
  if (matches(a, "multicast")) return RTN_MULTICAST;
  if (matches(a, "prohibit")) return RTN_PROHIBIT;
  if (matches(a, "unreachable")) return RTN_UNREACHABLE;
  if (matches(a, "blackhole")) return RTN_BLACKHOLE;
  if (matches(a, "xresolve")) return RTN_XRESOLVE;
  if (matches(a, "unicast")) return RTN_UNICAST;
  if (a == "throw") return RTN_THROW;
  if (auto v = strtoul_base(a, 0); v && *v <= 255) return static_cast<int>(*v);
  return std::nullopt;
}

std::optional<uint32_t> group_a2n(std::string_view s) {
  if (s == "default") return 0u;
  if (auto v = get_integer(s); v && *v >= 0) return static_cast<uint32_t>(*v);
  return std::nullopt;
}

std::optional<uint8_t> inet_proto_a2n(std::string_view s) {
  if (auto v = strtoul_base(s, 10); v && *v <= 255) return static_cast<uint8_t>(*v);
  if (auto v = lookup(kInetProtos, s)) return static_cast<uint8_t>(*v);
  return std::nullopt;
}

bool check_ifname(std::string_view s) {
  if (s.empty() || s.size() >= 16) return false;
  for (char ch : s)
    if (ch == '/' || std::isspace(static_cast<unsigned char>(ch))) return false;
  return true;
}

bool dev_valid_name(std::string_view s) {
  if (!check_ifname(s) || s == "." || s == "..") return false;
  for (char ch : s)
    if (ch == ':') return false;
  return true;
}

}  // namespace kpath::ip

// Registry of modelled extensions and the libxtables pieces they share: xtables_option_parse
// (libxtables/xtoptions.c), xtables_options_fcheck, number/port/address parsing (xtables.c).
#include "sim/config/iptables/xt/xt_registry.hpp"
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <fmt/format.h>

namespace kpath::xt {

// One declaration per extension, defined in its libxt_*.cpp.
extern const MatchExt kTcpMatch, kUdpMatch, kIcmpMatch, kMarkMatch, kConnmarkMatch, kSocketMatch, kMultiportMatch,
    kConntrackMatch, kStateMatch, kAddrtypeMatch, kIprangeMatch, kCommentMatch, kSetMatch, kLengthMatch, kPkttypeMatch,
    kTtlMatch, kTosMatch, kDscpMatch, kLimitMatch, kStatisticMatch, kOwnerMatch, kPhysdevMatch, kMacMatch, kRpfilterMatch;
extern const TargetExt kMarkTarget, kConnmarkTarget, kTproxyTarget, kRejectTarget, kLogTarget, kDnatTarget, kSnatTarget,
    kMasqueradeTarget, kRedirectTarget, kCtTarget, kNotrackTarget, kTosTarget, kDscpTarget, kTtlTarget, kTcpmssTarget,
    kClassifyTarget, kChecksumTarget, kTraceTarget, kAuditTarget, kNfqueueTarget, kSetTarget;

namespace {

constexpr std::array<const MatchExt*, 24> kMatches = {
    &kAddrtypeMatch, &kCommentMatch,   &kConnmarkMatch, &kConntrackMatch, &kDscpMatch,  &kIcmpMatch,
    &kIprangeMatch,  &kLengthMatch,    &kLimitMatch,    &kMacMatch,       &kMarkMatch,  &kMultiportMatch,
    &kOwnerMatch,    &kPhysdevMatch,   &kPkttypeMatch,  &kRpfilterMatch,  &kSetMatch,   &kSocketMatch,
    &kStateMatch,    &kStatisticMatch, &kTcpMatch,      &kTosMatch,       &kTtlMatch,   &kUdpMatch,
};
constexpr std::array<const TargetExt*, 21> kTargets = {
    &kAuditTarget,   &kChecksumTarget, &kClassifyTarget, &kConnmarkTarget, &kCtTarget,      &kDnatTarget,
    &kDscpTarget,    &kLogTarget,      &kMarkTarget,     &kMasqueradeTarget, &kNfqueueTarget, &kNotrackTarget,
    &kRedirectTarget, &kRejectTarget,  &kSetTarget,      &kSnatTarget,     &kTcpmssTarget,  &kTosTarget,
    &kTproxyTarget,  &kTraceTarget,    &kTtlTarget,
};

struct Unmodelled { std::string_view name, why; };
// Matches iptables ships whose semantics need what kpath's single explained packet lacks.
constexpr Unmodelled kUnmodelledMatches[] = {
    {"recent", "it remembers addresses across packets (stateful), which kpath does not model"},
    {"hashlimit", "it keeps per-flow rate state across packets, which kpath does not model"},
    {"connlimit", "it counts the host's connections, which kpath does not model"},
    {"connbytes", "it counts a connection's traffic, which kpath does not model"},
    {"quota", "it counts traffic across packets, which kpath does not model"},
    {"string", "it matches the packet payload, which kpath does not model"},
    {"u32", "it reads arbitrary packet bytes (payload), which kpath does not model"},
    {"bpf", "it runs a BPF program over the packet bytes (payload), which kpath does not model"},
};

// What `ls /usr/lib/x86_64-linux-gnu/xtables` offers iptables 1.8.9 for IPv4 (libxt_* and libipt_*).
constexpr std::string_view kIptablesMatches[] = {
    "addrtype", "ah", "bpf", "cgroup", "cluster", "comment", "connbytes", "connlabel", "connlimit", "connmark",
    "conntrack", "cpu", "dccp", "devgroup", "dscp", "ecn", "esp", "hashlimit", "helper", "icmp", "ipcomp",
    "iprange", "ipvs", "length", "limit", "mac", "mark", "multiport", "nfacct", "osf", "owner", "physdev",
    "pkttype", "policy", "quota", "rateest", "realm", "recent", "rpfilter", "sctp", "set", "socket", "state",
    "statistic", "string", "tcp", "tcpmss", "time", "tos", "ttl", "u32", "udp",
};
constexpr std::string_view kIptablesTargets[] = {
    "AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK", "CONNSECMARK", "CT", "DNAT", "DSCP", "ECN",
    "HMARK", "IDLETIMER", "LED", "LOG", "MARK", "MASQUERADE", "NETMAP", "NFLOG", "NFQUEUE", "NOTRACK",
    "RATEEST", "REDIRECT", "REJECT", "SECMARK", "SET", "SNAT", "SYNPROXY", "TCPMSS", "TCPOPTSTRIP", "TEE",
    "TOS", "TPROXY", "TRACE", "TTL", "ULOG",
};

}  // namespace

// ---- errors ----
std::string fold_message(std::string_view msg) {
  std::string out;
  bool pending_space = false;
  for (char c : msg) {
    if (c == '\n') { pending_space = !out.empty(); continue; }
    if (pending_space) { out += ' '; pending_space = false; }
    out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  size_t lead = 0;
  while (lead < out.size() && out[lead] == ' ') ++lead;
  return out.substr(lead);
}

void param_error(const Program& prog, SourceLoc loc, std::string_view msg, std::string_view hint) {
  std::string text = prog.prefix() + fold_message(msg);
  if (!hint.empty()) text += fmt::format("; {}", hint);
  throw ConfigError(loc, text);
}

void unmodelled_error(SourceLoc loc, std::string_view msg) { throw UnmodelledError(loc, std::string(msg)); }

void OptCall::error(std::string_view msg) const {
  std::string hint;
  if (entry && !entry->expect.empty()) hint = fmt::format("expected {} for --{}", entry->expect, entry->name);
  param_error(prog, has_arg ? arg_loc : opt_loc, msg, hint);
}
void OptCall::error_at_option(std::string_view msg) const { param_error(prog, opt_loc, msg); }
void OptCall::note(std::string msg) const {
  if (notes) notes->push_back({Diagnostic::Severity::note, opt_loc, std::move(msg)});
}
void FcheckCall::error(std::string_view msg, std::string_view hint) const { param_error(prog, loc, msg, hint); }

// ---- numbers ----
bool xtables_strtoul(std::string_view s, size_t* end, uint64_t* value, uint64_t min, uint64_t max) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  if (i < s.size() && s[i] == '-') return false;  // strtoul would accept a minus; libxtables refuses it
  size_t p = i;
  if (p < s.size() && s[p] == '+') ++p;
  unsigned base = 10;
  if (p < s.size() && s[p] == '0') {
    if (p + 2 < s.size() + 0 && (s[p + 1] == 'x' || s[p + 1] == 'X') && std::isxdigit(static_cast<unsigned char>(s[p + 2]))) {
      base = 16;
      p += 2;
    } else {
      base = 8;
    }
  }
  uint64_t v = 0;
  bool overflow = false;
  size_t digits = 0;
  for (; p < s.size(); ++p, ++digits) {
    const char c = s[p];
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else break;
    if (d >= base) break;
    if (v > (UINT64_MAX - d) / base) overflow = true;
    v = v * base + d;
  }
  if (digits == 0) return false;  // strtoumax consumed nothing
  if (end) *end = p;
  if (overflow || v < min || (max != 0 && v > max)) return false;
  if (value) *value = v;
  return end ? true : p == s.size();
}

bool xtables_strtoui(std::string_view s, size_t* end, uint32_t* value, uint32_t min, uint32_t max) {
  uint64_t v = 0;
  if (!xtables_strtoul(s, end, &v, min, max)) return false;
  if (value) *value = static_cast<uint32_t>(v);
  return true;
}

std::optional<uint16_t> xtables_parse_port(std::string_view port, std::string_view proto) {
  uint32_t v;
  if (xtables_strtoui(port, nullptr, &v, 0, 0xffff)) return static_cast<uint16_t>(v);
  return service_port(port, proto);
}

int getportbyname(std::string_view name) {
  // glibc gaih_inet_serv: strtoul(name, &end, 10); numeric when nothing follows; the value is
  // kept in an int (negative = not a port) and put into the 16-bit sin_port.
  size_t i = 0;
  while (i < name.size() && std::isspace(static_cast<unsigned char>(name[i]))) ++i;
  bool neg = false;
  if (i < name.size() && (name[i] == '+' || name[i] == '-')) neg = name[i++] == '-';
  uint64_t v = 0;
  bool overflow = false;
  size_t j = i;
  for (; j < name.size() && name[j] >= '0' && name[j] <= '9'; ++j) {
    const unsigned d = static_cast<unsigned>(name[j] - '0');
    if (v > (UINT64_MAX - d) / 10) overflow = true;
    v = v * 10 + d;
  }
  const bool numeric = (j > i && j == name.size()) || name.empty();
  if (numeric) {
    if (overflow) v = UINT64_MAX;
    else if (neg) v = ~v + 1;
    const int32_t as_int = static_cast<int32_t>(static_cast<uint32_t>(v));
    if (as_int < 0) return -1;
    return as_int & 0xffff;
  }
  if (auto p = service_port(name, "")) return *p;
  return -1;
}

// ---- addresses ----
std::optional<kernel::Ipv4Addr> numeric_to_ipaddr(std::string_view s) {
  uint32_t o[4] = {0, 0, 0, 0};
  std::string_view p = s;
  for (int i = 0; i < 3; ++i) {
    const size_t dot = p.find('.');
    if (dot == std::string_view::npos) {
      uint32_t v;
      if (!xtables_strtoui(p, nullptr, &v, 0, 255)) return std::nullopt;
      o[i] = v;
      return kernel::Ipv4Addr{(o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]};
    }
    uint32_t v;
    if (!xtables_strtoui(p.substr(0, dot), nullptr, &v, 0, 255)) return std::nullopt;
    o[i] = v;
    p = p.substr(dot + 1);
  }
  uint32_t v;
  if (!xtables_strtoui(p, nullptr, &v, 0, 255)) return std::nullopt;
  o[3] = v;
  return kernel::Ipv4Addr{(o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]};
}

std::optional<uint32_t> numeric_to_ipmask(std::string_view s) {
  if (std::count(s.begin(), s.end(), '.') < 3) return std::nullopt;
  auto a = numeric_to_ipaddr(s);
  if (!a) return std::nullopt;
  return a->v;
}

std::optional<kernel::Ipv4Addr> inet_aton(std::string_view s) {
  uint64_t parts[4];
  int n = 0;
  size_t i = 0;
  while (true) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    unsigned base = 10;
    if (s[i] == '0') {
      base = 8;
      ++i;
      if (i < s.size() && (s[i] == 'x' || s[i] == 'X')) { base = 16; ++i; }
    }
    uint64_t v = 0;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      unsigned d;
      if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
      else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
      else break;
      if (d >= base) return std::nullopt;
      v = v * base + d;
      if (v > 0xffffffffull) return std::nullopt;
    }
    if (n == 4) return std::nullopt;
    parts[n++] = v;
    if (i == s.size()) break;
    if (s[i] != '.') return std::nullopt;
    ++i;
  }
  uint64_t r = 0;
  switch (n) {
    case 1: r = parts[0]; break;
    case 2: if (parts[0] > 255 || parts[1] > 0xffffff) return std::nullopt; r = parts[0] << 24 | parts[1]; break;
    case 3: if (parts[0] > 255 || parts[1] > 255 || parts[2] > 0xffff) return std::nullopt; r = parts[0] << 24 | parts[1] << 16 | parts[2]; break;
    default:
      for (int k = 0; k < 4; ++k) if (parts[k] > 255) return std::nullopt;
      r = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3];
  }
  return kernel::Ipv4Addr{static_cast<uint32_t>(r)};
}

// ---- protocols ----
namespace {
struct ChainProto { std::string_view name; uint8_t num; };
// xtables_chain_protos (libxtables/xtables.c)
constexpr ChainProto kChainProtos[] = {
    {"tcp", 6}, {"sctp", 132}, {"udp", 17}, {"udplite", 136}, {"icmp", 1}, {"ipv6-icmp", 58},
    {"icmpv6", 58}, {"esp", 50}, {"ah", 51}, {"ipv6-mh", 135}, {"mh", 135}, {"all", 0},
};
}  // namespace

std::optional<uint8_t> parse_protocol(std::string_view s) {
  uint32_t v;
  if (xtables_strtoui(s, nullptr, &v, 0, 255)) return static_cast<uint8_t>(v);
  if (s == "all") return 0;
  if (auto p = protocol_by_name(s)) return *p;
  for (const ChainProto& c : kChainProtos)
    if (c.name == s) return c.num;
  return std::nullopt;
}

std::string proto_name(uint8_t proto) {
  for (const ChainProto& c : kChainProtos)
    if (c.num == proto) return std::string(c.name);
  if (auto n = protocol_by_number(proto)) return std::string(*n);
  return std::to_string(proto);
}

// ---- printing ----
void save_string(std::string& out, std::string_view value) {
  static constexpr std::string_view kNoQuote = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const size_t plain = value.find_first_not_of(kNoQuote);
  out += ' ';
  if (!value.empty() && plain == std::string_view::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '"';
}

std::string hex(uint32_t v) { return fmt::format("0x{:x}", v); }

std::string hook_names(uint8_t mask) {
  std::string s;
  for (int h = 0; h < kernel::NF_INET_NUMHOOKS; ++h)
    if (mask & (1 << h)) s += fmt::format("{}{}", s.empty() ? "" : "/", kernel::kHookChainNames[static_cast<size_t>(h)]);
  return s;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// ---- xtables_option_parse ----
namespace {

uint64_t type_max(OptType t) {
  switch (t) {
    case OptType::UINT8: return 0xff;
    case OptType::UINT16:
    case OptType::UINT16RC: return 0xffff;
    default: return 0xffffffffull;
  }
}

void parse_int(OptCall& cb) {
  const OptEntry& e = *cb.entry;
  const uint64_t lmin = e.min, lmax = e.max ? e.max : type_max(e.type);
  uint64_t v;
  if (!xtables_strtoul(cb.arg, nullptr, &v, lmin, lmax))
    cb.error(fmt::format("{}: bad value for option \"--{}\", or out of range ({}-{}).\n", cb.ext_name, e.name, lmin, lmax));
  cb.u32 = static_cast<uint32_t>(v);
}

void parse_markmask(OptCall& cb) {
  size_t end = 0;
  uint32_t mark;
  const std::string& a = cb.arg;
  const std::string bad = fmt::format("{}: bad integer value for option \"--{}\", or out of range.\n", cb.ext_name, cb.entry->name);
  if (!xtables_strtoui(a, &end, &mark, 0, 0xffffffffu)) cb.error(bad);
  uint32_t mask = 0xffffffffu;
  if (end < a.size() && a[end] == '/') {
    const std::string_view rest = std::string_view(a).substr(end + 1);
    size_t end2 = 0;
    if (!xtables_strtoui(rest, &end2, &mask, 0, 0xffffffffu)) cb.error(bad);
    end += 1 + end2;
  }
  if (end != a.size()) cb.error(fmt::format("{}: trailing garbage after value for option \"--{}\".\n", cb.ext_name, cb.entry->name));
  cb.mark = mark;
  cb.mask = mask;
}

void parse_string(OptCall& cb) {
  const OptEntry& e = *cb.entry;
  if (e.min != 0 && cb.arg.size() < e.min)
    cb.error(fmt::format("Argument must have a minimum length of {} characters\n", e.min));
  if (e.max != 0 && cb.arg.size() > e.max)
    cb.error(fmt::format("Argument must have a maximum length of {} characters\n", e.max));
  if (e.size != 0 && cb.arg.size() >= e.size) cb.arg.resize(e.size - 1);
}

void parse_port(OptCall& cb) {
  const int p = getportbyname(cb.arg);
  if (p < 0) cb.error(fmt::format("Port \"{}\" does not resolve to anything.\n", cb.arg));
  cb.port = static_cast<uint16_t>(p);
}

void parse_portrc(OptCall& cb) {
  cb.port_range[0] = 0;
  cb.port_range[1] = 0xffff;
  cb.nvals = 0;
  std::string_view rest = cb.arg;
  while (true) {  // strsep(&arg, ":")
    const size_t colon = rest.find(':');
    const std::string_view part = rest.substr(0, colon);
    if (cb.nvals == 2)
      cb.error(fmt::format("{}: Too many components for option \"--{}\" (max: 2)\n", cb.ext_name, cb.entry->name));
    if (!part.empty()) {
      const int p = getportbyname(part);
      if (p < 0) cb.error(fmt::format("Port \"{}\" does not resolve to anything.\n", part));
      cb.port_range[cb.nvals] = static_cast<uint16_t>(p);
    }
    ++cb.nvals;
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  if (cb.nvals == 1) {
    cb.port_range[1] = cb.port_range[0];
    ++cb.nvals;
  }
}

void parse_host(OptCall& cb) {
  auto a = inet_aton(cb.arg);
  if (!a) a = resolve_local_name(cb.arg, false);
  if (!a)
    param_error(cb.prog, cb.arg_loc, "getaddrinfo: Name or service not known\n",
                "expected an IPv4 address (kpath does not resolve host names)");
  cb.haddr = *a;
  cb.hlen = 32;
}

void parse_hostmask(OptCall& cb) {
  const size_t slash = cb.arg.find('/');
  const std::string host = cb.arg.substr(0, slash);
  auto a = inet_aton(host);
  if (!a) a = resolve_local_name(host, false);
  if (!a)
    param_error(cb.prog, cb.arg_loc, "getaddrinfo: Name or service not known\n",
                "expected an IPv4 address (kpath does not resolve host names)");
  cb.haddr = *a;
  cb.hlen = 32;
  if (slash != std::string::npos) {
    uint32_t plen;
    const std::string m = cb.arg.substr(slash + 1);
    if (xtables_strtoui(m, nullptr, &plen, 0, 32)) cb.hlen = static_cast<uint8_t>(plen);
    else if (!numeric_to_ipmask(m))
      cb.error(fmt::format("{}: bad value for option \"--{}\", neither a valid network mask nor valid CIDR (0-32).\n", cb.ext_name, cb.entry->name));
  }
}

void parse_sysloglevel(OptCall& cb) {
  struct Level { std::string_view name; uint8_t level; };
  static constexpr Level kLevels[] = {  // must be sorted (bsearch in xtoptions.c)
      {"alert", 1}, {"crit", 2}, {"debug", 7}, {"emerg", 0}, {"error", 3},
      {"info", 6},  {"notice", 5}, {"panic", 0}, {"warning", 4},
  };
  uint32_t num = 0;
  if (!xtables_strtoui(cb.arg, nullptr, &num, 0, 7)) {
    auto it = std::find_if(std::begin(kLevels), std::end(kLevels), [&](const Level& l) { return l.name == cb.arg; });
    if (it == std::end(kLevels)) cb.error(fmt::format("log level \"{}\" unknown\n", cb.arg));
    num = it->level;
  }
  cb.syslog_level = static_cast<uint8_t>(num);
}

void parse_protocol_opt(OptCall& cb) {
  auto p = parse_protocol(cb.arg);
  if (!p) cb.error(fmt::format("unknown protocol \"{}\" specified", cb.arg));
  cb.protocol = *p;
}

void parse_mint(OptCall& cb) {
  const uint64_t lmax = type_max(cb.entry->type);
  cb.nvals = 0;
  std::string_view rest = cb.arg;
  while (true) {
    if (cb.nvals == 2)
      cb.error(fmt::format("{}: Too many components for option \"--{}\" (max: 2)\n", cb.ext_name, cb.entry->name));
    size_t end = 0;
    uint64_t v = 0;
    if (rest.empty() || rest[0] == ':') {
      v = cb.nvals == 1 ? lmax : 0;
    } else {
      if (!xtables_strtoul(rest, &end, &v, 0, lmax))
        cb.error(fmt::format("{}: bad value for option \"--{}\" near \"{}\", or out of range (0-{}).\n", cb.ext_name, cb.entry->name, rest, lmax));
      if (end < rest.size() && rest[end] != ':')
        cb.error(fmt::format("{}: Argument to \"--{}\" has unexpected characters near \"{}\".\n", cb.ext_name, cb.entry->name, rest.substr(end)));
    }
    cb.u32_range[cb.nvals++] = static_cast<uint32_t>(v);
    if (end >= rest.size()) break;
    rest = rest.substr(end + 1);
  }
}

// xtopt_parse_float
void parse_double(OptCall& cb) {
  const OptEntry& e = *cb.entry;
  const std::string& a = cb.arg;
  char* end = nullptr;
  const double v = a.empty() ? 0 : std::strtod(a.c_str(), &end);
  if (a.empty() || end == a.c_str() || *end != '\0' || (e.min != e.max && (v < e.min || v > e.max)))
    cb.error(fmt::format("{}: bad value for option \"--{}\", or out of range ({}-{}).\n", cb.ext_name, e.name, e.min, e.max));
  cb.dbl = v;
}

// xtopt_parse_tosmask / tos_parse_numeric: a number (then value[/mask], mask 0xff by default)
// or a symbolic name, which takes the option's default mask (entry->max).
void parse_tosmask(OptCall& cb) {
  const std::string& a = cb.arg;
  size_t end = 0;
  uint32_t v = 0;
  if (xtables_strtoui(a, &end, &v, 0, 255)) {
    const std::string illegal = fmt::format("Illegal value: \"{}\"", a);
    cb.tos_value = static_cast<uint8_t>(v);
    cb.tos_mask = 0xff;
    if (end < a.size() && a[end] == '/') {
      size_t end2 = 0;
      if (!xtables_strtoui(std::string_view(a).substr(end + 1), &end2, &v, 0, 255)) cb.error(illegal);
      cb.tos_mask = static_cast<uint8_t>(v);
      end += 1 + end2;
    }
    if (end != a.size()) cb.error(illegal);
    return;
  }
  cb.tos_mask = static_cast<uint8_t>(cb.entry->max);
  auto sym = tos_symbol(a);
  if (!sym) cb.error(fmt::format("Symbolic name \"{}\" is unknown", a));
  cb.tos_value = *sym;
}

// xtopt_parse_ethermac: six hex groups of at most two digits, ':' between them
void parse_ethermac(OptCall& cb) {
  std::string_view a = cb.arg;
  for (size_t i = 0; i < 6; ++i) {
    size_t n = 0;
    unsigned v = 0;
    while (n < a.size() && std::isxdigit(static_cast<unsigned char>(a[n]))) {
      v = v * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(a[n])) ? a[n] - '0' : (std::tolower(a[n]) - 'a' + 10));
      ++n;
    }
    const bool last = i == 5;
    if (n > 2 || (last ? n != a.size() : (n >= a.size() || a[n] != ':'))) cb.error("Invalid MAC address specified.");
    cb.ethermac[i] = static_cast<uint8_t>(v);
    a.remove_prefix(last ? n : n + 1);
  }
}

}  // namespace

void xtables_option_parse(OptCall& cb) {
  const OptEntry& e = *cb.entry;
  const uint32_t eflag = 1u << e.id;
  if ((!(e.flags & XTOPT_MULTI) || (e.excl & eflag)) && (cb.xflags & eflag))
    cb.error_at_option(fmt::format("{}: option \"--{}\" can only be used once.\n", cb.ext_name, e.name));
  if (cb.invert && !(e.flags & XTOPT_INVERT))
    cb.error_at_option(fmt::format("{}: option \"--{}\" cannot be inverted.\n", cb.ext_name, e.name));
  if (e.type != OptType::NONE && !cb.has_arg)
    cb.error_at_option(fmt::format("{}: option \"--{}\" requires an argument.\n", cb.ext_name, e.name));
  cb.nvals = 1;
  switch (e.type) {
    case OptType::NONE: break;
    case OptType::UINT8:
    case OptType::UINT16:
    case OptType::UINT32: parse_int(cb); break;
    case OptType::STRING: parse_string(cb); break;
    case OptType::MARKMASK32: parse_markmask(cb); break;
    case OptType::PORT: parse_port(cb); break;
    case OptType::PORTRC: parse_portrc(cb); break;
    case OptType::HOST: parse_host(cb); break;
    case OptType::HOSTMASK: parse_hostmask(cb); break;
    case OptType::PROTOCOL: parse_protocol_opt(cb); break;
    case OptType::SYSLOGLEVEL: parse_sysloglevel(cb); break;
    case OptType::UINT32RC:
    case OptType::UINT16RC: parse_mint(cb); break;
    case OptType::DOUBLE: parse_double(cb); break;
    case OptType::TOSMASK: parse_tosmask(cb); break;
    case OptType::ETHERMAC: parse_ethermac(cb); break;
  }
  cb.xflags |= eflag;
}

void xtables_options_fcheck(const FcheckCall& cb, std::span<const OptEntry> table) {
  auto lookup = [&](unsigned id) -> const OptEntry* {
    for (const OptEntry& e : table)
      if (e.id == id) return &e;
    return nullptr;
  };
  for (const OptEntry& e : table) {
    const uint32_t ef = 1u << e.id;
    if ((e.flags & XTOPT_MAND) && !(cb.xflags & ef))
      cb.error(fmt::format("{}: option \"--{}\" must be specified\n", cb.ext_name, e.name),
               e.expect.empty() ? std::string() : fmt::format("expected --{} {}", e.name, e.expect));
    if (!(cb.xflags & ef)) continue;
    for (unsigned i = 0; i < 32; ++i) {
      if (i == e.id) continue;
      const OptEntry* other = lookup(i);
      if (!other) continue;
      const uint32_t of = 1u << i;
      if ((e.also & of) && !(cb.xflags & of))
        cb.error(fmt::format("{}: option \"--{}\" also requires \"--{}\".\n", cb.ext_name, e.name, other->name));
      if (!(e.excl & of)) continue;
      if ((cb.xflags & (ef | of)) != (ef | of)) continue;
      cb.error(fmt::format("{}: option \"--{}\" cannot be used together with \"--{}\".\n", cb.ext_name, e.name, other->name));
    }
  }
}

// ---- registry ----
const MatchExt* find_match(std::string_view name) {
  for (const MatchExt* m : kMatches)
    if (m->name == name) return m;
  return nullptr;
}
const TargetExt* find_target(std::string_view name) {
  for (const TargetExt* t : kTargets)
    if (t->name == name) return t;
  return nullptr;
}
std::span<const MatchExt* const> all_matches() { return kMatches; }
std::span<const TargetExt* const> all_targets() { return kTargets; }

const MatchExt& match_ext_of(const kernel::XtMatchData& d) {
  using namespace kernel;
  return std::visit([](auto&& v) -> const MatchExt& {
    using D = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<D, XtTcpUdp>) return v.proto == 17 ? kUdpMatch : kTcpMatch;
    else if constexpr (std::is_same_v<D, XtMultiport>) return kMultiportMatch;
    else if constexpr (std::is_same_v<D, XtMark>) return kMarkMatch;
    else if constexpr (std::is_same_v<D, XtConnmarkMatch>) return kConnmarkMatch;
    else if constexpr (std::is_same_v<D, XtSocket>) return kSocketMatch;
    else if constexpr (std::is_same_v<D, XtConntrack>) return v.state_alias ? kStateMatch : kConntrackMatch;
    else if constexpr (std::is_same_v<D, XtAddrtype>) return kAddrtypeMatch;
    else if constexpr (std::is_same_v<D, XtIprange>) return kIprangeMatch;
    else if constexpr (std::is_same_v<D, XtIcmp>) return kIcmpMatch;
    else if constexpr (std::is_same_v<D, XtSetMatch>) return kSetMatch;
    else if constexpr (std::is_same_v<D, XtLength>) return kLengthMatch;
    else if constexpr (std::is_same_v<D, XtPkttype>) return kPkttypeMatch;
    else if constexpr (std::is_same_v<D, XtTtl>) return kTtlMatch;
    else if constexpr (std::is_same_v<D, XtTos>) return kTosMatch;
    else if constexpr (std::is_same_v<D, XtDscp>) return kDscpMatch;
    else if constexpr (std::is_same_v<D, XtLimit>) return kLimitMatch;
    else if constexpr (std::is_same_v<D, XtStatistic>) return kStatisticMatch;
    else if constexpr (std::is_same_v<D, XtOwner>) return kOwnerMatch;
    else if constexpr (std::is_same_v<D, XtPhysdev>) return kPhysdevMatch;
    else if constexpr (std::is_same_v<D, XtMac>) return kMacMatch;
    else if constexpr (std::is_same_v<D, XtRpfilter>) return kRpfilterMatch;
    else return kCommentMatch;
  }, d);
}

const TargetExt* target_ext_of(const kernel::XtTargetData& d) {
  using namespace kernel;
  return std::visit([](auto&& v) -> const TargetExt* {
    using D = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<D, XtMarkTarget>) return &kMarkTarget;
    else if constexpr (std::is_same_v<D, XtTproxy>) return &kTproxyTarget;
    else if constexpr (std::is_same_v<D, XtConnmarkTarget>) return &kConnmarkTarget;
    else if constexpr (std::is_same_v<D, XtReject>) return &kRejectTarget;
    else if constexpr (std::is_same_v<D, XtLog>) return &kLogTarget;
    else if constexpr (std::is_same_v<D, XtNat>) {
      switch (v.kind) {
        case XtNat::DNAT: return &kDnatTarget;
        case XtNat::SNAT: return &kSnatTarget;
        case XtNat::REDIRECT: return &kRedirectTarget;
        default: return &kMasqueradeTarget;
      }
    } else if constexpr (std::is_same_v<D, XtNotrack>) return &kNotrackTarget;
    else if constexpr (std::is_same_v<D, XtCt>) return &kCtTarget;
    else if constexpr (std::is_same_v<D, XtTosTarget>) return &kTosTarget;
    else if constexpr (std::is_same_v<D, XtDscpTarget>) return &kDscpTarget;
    else if constexpr (std::is_same_v<D, XtTtlTarget>) return &kTtlTarget;
    else if constexpr (std::is_same_v<D, XtTcpmss>) return &kTcpmssTarget;
    else if constexpr (std::is_same_v<D, XtClassify>) return &kClassifyTarget;
    else if constexpr (std::is_same_v<D, XtChecksum>) return &kChecksumTarget;
    else if constexpr (std::is_same_v<D, XtTrace>) return &kTraceTarget;
    else if constexpr (std::is_same_v<D, XtAudit>) return &kAuditTarget;
    else if constexpr (std::is_same_v<D, XtNfqueue>) return &kNfqueueTarget;
    else if constexpr (std::is_same_v<D, XtSetTarget>) return &kSetTarget;
    else return nullptr;
  }, d);
}

bool iptables_has_match(std::string_view name) {
  return std::find(std::begin(kIptablesMatches), std::end(kIptablesMatches), name) != std::end(kIptablesMatches);
}
bool iptables_has_target(std::string_view name) {
  return std::find(std::begin(kIptablesTargets), std::end(kIptablesTargets), name) != std::end(kIptablesTargets);
}
std::string_view unmodelled_match_reason(std::string_view name) {
  for (const Unmodelled& u : kUnmodelledMatches)
    if (u.name == name) return u.why;
  return {};
}

// ---- TOS and DSCP names ----
namespace {
bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}
struct NamedValue { std::string_view name; uint8_t value; };
constexpr NamedValue kTosSymbols[] = {
    {"Minimize-Delay", 0x10}, {"Maximize-Throughput", 0x08}, {"Maximize-Reliability", 0x04}, {"Minimize-Cost", 0x02}, {"Normal-Service", 0x00},
};
constexpr NamedValue kDsClasses[] = {
    {"CS0", 0x00}, {"CS1", 0x08}, {"CS2", 0x10}, {"CS3", 0x18}, {"CS4", 0x20}, {"CS5", 0x28}, {"CS6", 0x30}, {"CS7", 0x38},
    {"BE", 0x00},  {"AF11", 0x0a}, {"AF12", 0x0c}, {"AF13", 0x0e}, {"AF21", 0x12}, {"AF22", 0x14}, {"AF23", 0x16},
    {"AF31", 0x1a}, {"AF32", 0x1c}, {"AF33", 0x1e}, {"AF41", 0x22}, {"AF42", 0x24}, {"AF43", 0x26}, {"EF", 0x2e},
};
// A Debian 12 base system's /etc/passwd and /etc/group (base-passwd).
constexpr std::pair<std::string_view, uint32_t> kUsers[] = {
    {"root", 0}, {"daemon", 1}, {"bin", 2}, {"sys", 3}, {"sync", 4}, {"games", 5}, {"man", 6}, {"lp", 7}, {"mail", 8},
    {"news", 9}, {"uucp", 10}, {"proxy", 13}, {"www-data", 33}, {"backup", 34}, {"list", 38}, {"irc", 39}, {"_apt", 42},
    {"nobody", 65534},
};
constexpr std::pair<std::string_view, uint32_t> kGroups[] = {
    {"root", 0}, {"daemon", 1}, {"bin", 2}, {"sys", 3}, {"adm", 4}, {"tty", 5}, {"disk", 6}, {"lp", 7}, {"mail", 8},
    {"news", 9}, {"uucp", 10}, {"man", 12}, {"proxy", 13}, {"kmem", 15}, {"dialout", 20}, {"fax", 21}, {"voice", 22},
    {"cdrom", 24}, {"floppy", 25}, {"tape", 26}, {"sudo", 27}, {"audio", 29}, {"dip", 30}, {"www-data", 33},
    {"backup", 34}, {"operator", 37}, {"list", 38}, {"irc", 39}, {"src", 40}, {"shadow", 42}, {"utmp", 43},
    {"video", 44}, {"sasl", 45}, {"plugdev", 46}, {"staff", 50}, {"games", 60}, {"users", 100}, {"nogroup", 65534},
};
}  // namespace

std::optional<uint8_t> tos_symbol(std::string_view name) {
  for (const NamedValue& s : kTosSymbols)
    if (iequal(s.name, name)) return s.value;
  return std::nullopt;
}

std::optional<uint8_t> class_to_dscp(std::string_view name) {
  for (const NamedValue& c : kDsClasses)
    if (name.size() >= c.name.size() && iequal(name.substr(0, c.name.size()), c.name)) return c.value;
  return std::nullopt;
}

std::optional<uint32_t> system_user(std::string_view name) {
  for (const auto& [n, id] : kUsers)
    if (n == name) return id;
  return std::nullopt;
}
std::optional<uint32_t> system_group(std::string_view name) {
  for (const auto& [n, id] : kGroups)
    if (n == name) return id;
  return std::nullopt;
}

std::string modelled_match_names() {
  std::string s;
  for (const MatchExt* m : kMatches) s += fmt::format("{}{}", s.empty() ? "" : ", ", m->name);
  return s;
}
std::string modelled_target_names() {
  std::string s = "ACCEPT, DROP, RETURN";
  for (const TargetExt* t : kTargets) s += fmt::format(", {}", t->name);
  return s + " or a user chain";
}

}  // namespace kpath::xt

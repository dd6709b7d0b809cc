// SNAT, DNAT, MASQUERADE and REDIRECT (extensions/libxt_NAT.c): [ADDR[-ADDR]][:PORT[-PORT]]
// ranges; a port part needs -p tcp/udp/sctp/dccp/icmp (portok). DNAT is revision 2 (a "/BASE"
// port offset), the others revision 0. Kernel registrations (xt_nat.c, xt_MASQUERADE.c,
// xt_REDIRECT.c): all in table nat; DNAT and REDIRECT from PREROUTING/OUTPUT, SNAT from
// POSTROUTING/INPUT, MASQUERADE from POSTROUTING.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::Ipv4Addr;
using kernel::NF_INET_LOCAL_IN;
using kernel::NF_INET_LOCAL_OUT;
using kernel::NF_INET_POST_ROUTING;
using kernel::NF_INET_PRE_ROUTING;
using kernel::XtNat;

enum { O_TO_DEST = 0, O_TO_SRC, O_TO_PORTS, O_RANDOM, O_RANDOM_FULLY, O_PERSISTENT };
// NF_NAT_RANGE_* (include/uapi/linux/netfilter/nf_nat.h)
enum : uint8_t { MAP_IPS = 1, PROTO_SPECIFIED = 2, PROTO_RANDOM = 4, PERSISTENT = 8, PROTO_RANDOM_FULLY = 16, PROTO_OFFSET = 32 };

constexpr std::string_view kToExpect = "[ADDR[-ADDR]][:PORT[-PORT]]";
constexpr std::string_view kPortsExpect = "PORT[-PORT]";
constexpr OptEntry kSnatOpts[] = {
    {.name = "to-source", .id = O_TO_SRC, .type = OptType::STRING, .flags = XTOPT_MAND, .expect = kToExpect},
    {.name = "random", .id = O_RANDOM, .type = OptType::NONE},
    {.name = "random-fully", .id = O_RANDOM_FULLY, .type = OptType::NONE},
    {.name = "persistent", .id = O_PERSISTENT, .type = OptType::NONE},
};
constexpr OptEntry kMasqueradeOpts[] = {
    {.name = "to-ports", .id = O_TO_PORTS, .type = OptType::STRING, .expect = kPortsExpect},
    {.name = "random", .id = O_RANDOM, .type = OptType::NONE},
    {.name = "random-fully", .id = O_RANDOM_FULLY, .type = OptType::NONE},
};
constexpr OptEntry kDnatOpts[] = {
    {.name = "to-destination", .id = O_TO_DEST, .type = OptType::STRING, .flags = XTOPT_MAND, .expect = "[ADDR[-ADDR]][:PORT[-PORT[/BASE]]]"},
    {.name = "random", .id = O_RANDOM, .type = OptType::NONE},
    {.name = "persistent", .id = O_PERSISTENT, .type = OptType::NONE},
};
constexpr OptEntry kRedirectOpts[] = {
    {.name = "to-ports", .id = O_TO_PORTS, .type = OptType::STRING, .expect = kPortsExpect},
    {.name = "random", .id = O_RANDOM, .type = OptType::NONE},
};

struct Range {  // struct nf_nat_range2
  uint8_t flags = 0;
  Ipv4Addr min_addr, max_addr;
  uint16_t min_port = 0, max_port = 0, base_port = 0;
};

// inet_pton(AF_INET): exactly four decimal octets, no leading zeros.
std::optional<Ipv4Addr> inet_pton4(std::string_view s) {
  uint32_t v = 0;
  int parts = 0;
  size_t i = 0;
  while (true) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    uint32_t o = 0;
    const size_t start = i;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      if (i > start && s[start] == '0') return std::nullopt;
      o = o * 10 + static_cast<uint32_t>(s[i] - '0');
      if (o > 255) return std::nullopt;
    }
    v = (v << 8) | o;
    if (++parts == 4) return i == s.size() ? std::optional<Ipv4Addr>(Ipv4Addr{v}) : std::nullopt;
    if (i >= s.size() || s[i] != '.') return std::nullopt;
    ++i;
  }
}

// parse_ports
void parse_ports(const OptCall& cb, std::string_view arg, bool portok, Range& r) {
  if (!portok) cb.error("Need TCP, UDP, SCTP or DCCP with port specification");
  r.flags |= PROTO_SPECIFIED;
  size_t end = 0;
  uint32_t port;
  if (!xtables_strtoui(arg, &end, &port, 0, 0xffff)) {
    auto s = service_port(arg, "");
    if (!s) cb.error(fmt::format("Port `{}' not valid", arg));
    port = *s;
    end = arg.size();
  }
  if (end == arg.size()) {
    r.min_port = r.max_port = static_cast<uint16_t>(port);
    return;
  }
  if (arg[end] == ':') cb.error("Invalid port:port syntax - use dash");
  if (arg[end] != '-') cb.error(fmt::format("Garbage after port value: `{}'", arg.substr(end)));
  arg = arg.substr(end + 1);
  uint32_t maxport;
  if (!xtables_strtoui(arg, &end, &maxport, 0, 0xffff)) cb.error(fmt::format("Port `{}' not valid", arg));
  if (maxport < port) cb.error(fmt::format("Port range `{}' funky", arg));
  r.min_port = static_cast<uint16_t>(port);
  r.max_port = static_cast<uint16_t>(maxport);
  if (end == arg.size()) return;
  if (arg[end] != '/') cb.error(fmt::format("Garbage after port range: `{}'", arg.substr(end)));
  arg = arg.substr(end + 1);
  uint32_t base;
  if (!xtables_strtoui(arg, nullptr, &base, 1, 0xffff)) {
    auto s = service_port(arg, "");
    if (!s) cb.error(fmt::format("Port `{}' not valid", arg));
    base = *s;
  }
  r.flags |= PROTO_OFFSET;
  r.base_port = static_cast<uint16_t>(base);
}

// parse_to
void parse_to(const OptCall& cb, bool portok, Range& r) {
  std::string_view arg = cb.arg;
  if (arg.find('[') != std::string_view::npos) cb.error("Invalid address format");
  size_t colon = arg.find(':');
  if (colon != std::string_view::npos && arg.find(':', colon + 1) != std::string_view::npos) colon = std::string_view::npos;
  if (colon != std::string_view::npos) {
    parse_ports(cb, arg.substr(colon + 1), portok, r);
    if (colon == 0) return;
    arg = arg.substr(0, colon);
  }
  r.flags |= MAP_IPS;
  const size_t dash = arg.find('-');
  const std::string_view first = arg.substr(0, dash);
  auto a = inet_pton4(first);
  if (!a) cb.error(fmt::format("Bad IP address \"{}\"", first));
  r.min_addr = r.max_addr = *a;
  if (dash != std::string_view::npos) {
    auto b = inet_pton4(arg.substr(dash + 1));
    if (!b) cb.error(fmt::format("Bad IP address \"{}\"", arg.substr(dash + 1)));
    r.max_addr = *b;
  }
}

void nat_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtNat>(d);
  const uint8_t p = cb.rule.ip.proto;
  const bool portok = p == 6 || p == 17 || p == 132 || p == 33 || p == 1;
  xtables_option_parse(cb);
  Range r;
  switch (cb.entry->id) {
    case O_TO_DEST:
    case O_TO_SRC:
      parse_to(cb, portok, r);
      info.addr_min = r.min_addr;
      info.addr_max = r.max_addr;
      info.has_addr = r.flags & MAP_IPS;
      [[fallthrough]];
    case O_TO_PORTS:
      if (cb.entry->id == O_TO_PORTS) parse_ports(cb, cb.arg, portok, r);
      info.port_min = r.min_port;
      info.port_max = r.max_port;
      info.base_port = info.kind == XtNat::DNAT ? r.base_port : 0;  // revision 0 has no field for it
      break;
    case O_RANDOM: r.flags |= PROTO_RANDOM; break;
    case O_RANDOM_FULLY: r.flags |= PROTO_RANDOM_FULLY; break;
    case O_PERSISTENT: r.flags |= PERSISTENT; break;
  }
  info.range_flags |= r.flags;
}

void nat_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& n = std::get<XtNat>(d);
  std::string range;
  if (n.range_flags & MAP_IPS) {
    range += kernel::to_string(n.addr_min);
    if (n.addr_max != n.addr_min) range += fmt::format("-{}", n.addr_max);
  }
  if (n.range_flags & PROTO_SPECIFIED) {
    range += fmt::format(":{}", n.port_min);
    if (n.port_max != n.port_min) range += fmt::format("-{}", n.port_max);
    if (n.range_flags & PROTO_OFFSET) range += fmt::format("/{}", n.base_port);
  }
  const bool ports_only = n.kind == XtNat::MASQUERADE || n.kind == XtNat::REDIRECT;
  if (!range.empty()) {
    const std::string_view opt = n.kind == XtNat::DNAT ? "--to-destination " : n.kind == XtNat::SNAT ? "--to-source " : "--to-ports ";
    out += " ";
    out += opt;
    out += ports_only && range[0] == ':' ? range.substr(1) : range;
  }
  if (n.range_flags & PROTO_RANDOM) out += " --random";
  if (n.range_flags & PROTO_RANDOM_FULLY) out += " --random-fully";
  if (n.range_flags & PERSISTENT) out += " --persistent";
}

constexpr uint8_t hooks(std::initializer_list<int> hs) {
  uint8_t m = 0;
  for (int h : hs) m |= static_cast<uint8_t>(1 << h);
  return m;
}

}  // namespace

extern const TargetExt kSnatTarget = {
    .name = "SNAT",
    .opts = kSnatOpts,
    .kreg = {.table = "nat", .hooks = hooks({NF_INET_POST_ROUTING, NF_INET_LOCAL_IN})},
    .init = [] { return kernel::XtTargetData{XtNat{.kind = XtNat::SNAT}}; },
    .parse = nat_parse,
    .save = nat_save,
    .summary = "SNAT: --to-source ADDR[-ADDR][:PORT[-PORT]] [--random] [--random-fully] [--persistent]",
};

extern const TargetExt kDnatTarget = {
    .name = "DNAT",
    .opts = kDnatOpts,
    .kreg = {.table = "nat", .hooks = hooks({NF_INET_PRE_ROUTING, NF_INET_LOCAL_OUT})},
    .init = [] { return kernel::XtTargetData{XtNat{.kind = XtNat::DNAT}}; },
    .parse = nat_parse,
    .save = nat_save,
    .summary = "DNAT: --to-destination [ADDR[-ADDR]][:PORT[-PORT]] [--random] [--persistent]",
};

extern const TargetExt kMasqueradeTarget = {
    .name = "MASQUERADE",
    .opts = kMasqueradeOpts,
    .kreg = {.table = "nat", .hooks = hooks({NF_INET_POST_ROUTING})},
    .init = [] { return kernel::XtTargetData{XtNat{.kind = XtNat::MASQUERADE}}; },
    .parse = nat_parse,
    .save = nat_save,
    .summary = "MASQUERADE: [--to-ports PORT[-PORT]] [--random] [--random-fully]",
};

extern const TargetExt kRedirectTarget = {
    .name = "REDIRECT",
    .opts = kRedirectOpts,
    .kreg = {.table = "nat", .hooks = hooks({NF_INET_PRE_ROUTING, NF_INET_LOCAL_OUT})},
    .init = [] { return kernel::XtTargetData{XtNat{.kind = XtNat::REDIRECT}}; },
    .parse = nat_parse,
    .save = nat_save,
    .summary = "REDIRECT: [--to-ports PORT[-PORT]] [--random]",
};

}  // namespace kpath::xt

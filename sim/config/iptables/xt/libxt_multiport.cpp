// multiport match (extensions/libxt_multiport.c, revision 1: ranges, inversion). Up to 15 port
// slots (XT_MULTI_PORTS); a range A:B takes two. Port names are looked up for the rule's protocol.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtMultiport;

enum { O_SOURCE_PORTS = 0, O_DEST_PORTS, O_SD_PORTS };
constexpr uint32_t F_ANY = 7;
constexpr std::string_view kExpect = "port[,port|,port:port...] (at most 15 slots, a range takes 2)";
constexpr OptEntry kMultiportOpts[] = {
    {.name = "source-ports", .id = O_SOURCE_PORTS, .type = OptType::STRING, .flags = XTOPT_INVERT, .excl = F_ANY, .expect = kExpect},
    {.name = "sports", .id = O_SOURCE_PORTS, .type = OptType::STRING, .flags = XTOPT_INVERT, .excl = F_ANY, .expect = kExpect},
    {.name = "destination-ports", .id = O_DEST_PORTS, .type = OptType::STRING, .flags = XTOPT_INVERT, .excl = F_ANY, .expect = kExpect},
    {.name = "dports", .id = O_DEST_PORTS, .type = OptType::STRING, .flags = XTOPT_INVERT, .excl = F_ANY, .expect = kExpect},
    {.name = "ports", .id = O_SD_PORTS, .type = OptType::STRING, .flags = XTOPT_INVERT, .excl = F_ANY, .expect = kExpect},
};

constexpr unsigned XT_MULTI_PORTS = 15;

std::string_view check_proto(const OptCall& cb) {
  const auto& ip = cb.rule.ip;
  if (ip.inv_proto)
    cb.error_at_option("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
  switch (ip.proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 136: return "udplite";
    case 132: return "sctp";
    case 33: return "dccp";
    case 0:
      param_error(cb.prog, cb.opt_loc, "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
                  "give -p before -m multiport");
    default: cb.error_at_option("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
  }
}

// parse_multi_ports_v1
void parse_ports(const OptCall& cb, std::string_view proto, XtMultiport& info) {
  info.ports.clear();
  std::string_view rest = cb.arg;
  unsigned slots = 0;
  bool more = true;
  auto port = [&](std::string_view p) -> uint16_t {
    auto v = xtables_parse_port(p, proto);
    if (!v) cb.error(fmt::format("invalid port/service `{}' specified", p));
    return *v;
  };
  while (more && slots < XT_MULTI_PORTS) {
    const size_t comma = rest.find(',');
    std::string_view cp = rest.substr(0, comma);
    more = comma != std::string_view::npos;
    rest = more ? rest.substr(comma + 1) : std::string_view{};
    const size_t colon = cp.find(':');
    if (colon != std::string_view::npos && slots == XT_MULTI_PORTS - 1) cb.error("too many ports specified");
    const uint16_t lo = port(cp.substr(0, colon));
    uint16_t hi = lo;
    if (colon != std::string_view::npos) {
      hi = port(cp.substr(colon + 1));
      if (lo >= hi) cb.error("invalid portrange specified");
      ++slots;
    }
    ++slots;
    info.ports.push_back({lo, hi});
  }
  if (more) cb.error("too many ports specified");
}

void multiport_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtMultiport>(d);
  xtables_option_parse(cb);
  const std::string_view proto = check_proto(cb);
  parse_ports(cb, proto, info);
  switch (cb.entry->id) {
    case O_SOURCE_PORTS: info.flags = XtMultiport::SOURCE; break;
    case O_DEST_PORTS: info.flags = XtMultiport::DESTINATION; break;
    default: info.flags = XtMultiport::EITHER; break;
  }
  if (cb.invert) info.invert = true;
}

void multiport_check(const FcheckCall& cb, kernel::XtMatchData&) {
  if (cb.xflags == 0) cb.error("multiport expection an option", "expected --sports, --dports or --ports");
}

void multiport_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& m = std::get<XtMultiport>(d);
  if (m.invert) out += " !";
  out += m.flags == XtMultiport::SOURCE ? " --sports " : m.flags == XtMultiport::DESTINATION ? " --dports " : " --ports ";
  for (size_t i = 0; i < m.ports.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(m.ports[i].start);
    if (m.ports[i].end != m.ports[i].start) out += fmt::format(":{}", m.ports[i].end);
  }
}

}  // namespace

extern const MatchExt kMultiportMatch = {
    .name = "multiport",
    .opts = kMultiportOpts,
    .init = [] { return kernel::XtMatchData{XtMultiport{}}; },
    .parse = multiport_parse,
    .fcheck = multiport_check,
    .save = multiport_save,
    .summary = "multiport: [!] --sports/--dports/--ports port[,port:port...] (needs -p tcp|udp|udplite|sctp|dccp)",
};

}  // namespace kpath::xt

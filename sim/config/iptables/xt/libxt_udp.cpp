// udp match (extensions/libxt_udp.c): x6 options of type XTTYPE_PORTRC, so port names resolve
// through getaddrinfo (any protocol) and numbers are not range-checked the way tcp's are.
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {

void save_tcpudp_ports(const kernel::XtTcpUdp& t, std::string& out);  // libxt_tcp.cpp

namespace {

using kernel::XtTcpUdp;

enum { O_SOURCE_PORT = 0, O_DEST_PORT };
constexpr std::string_view kPortExpect = "port[:port] (a number or a service name such as domain)";
constexpr OptEntry kUdpOpts[] = {
    {.name = "source-port", .id = O_SOURCE_PORT, .type = OptType::PORTRC, .flags = XTOPT_INVERT, .expect = kPortExpect},
    {.name = "sport", .id = O_SOURCE_PORT, .type = OptType::PORTRC, .flags = XTOPT_INVERT, .expect = kPortExpect},
    {.name = "destination-port", .id = O_DEST_PORT, .type = OptType::PORTRC, .flags = XTOPT_INVERT, .expect = kPortExpect},
    {.name = "dport", .id = O_DEST_PORT, .type = OptType::PORTRC, .flags = XTOPT_INVERT, .expect = kPortExpect},
};

void udp_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtTcpUdp>(d);
  xtables_option_parse(cb);
  kernel::PortRange r{cb.port_range[0], cb.port_range[1]};
  switch (cb.entry->id) {
    case O_SOURCE_PORT:
      info.spts = r;
      if (cb.invert) info.inv_sport = true;
      break;
    case O_DEST_PORT:
      info.dpts = r;
      if (cb.invert) info.inv_dport = true;
      break;
  }
}

void udp_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  save_tcpudp_ports(std::get<XtTcpUdp>(d), out);
}

}  // namespace

extern const MatchExt kUdpMatch = {
    .name = "udp",
    .opts = kUdpOpts,
    .init = [] { return kernel::XtMatchData{XtTcpUdp{.proto = 17}}; },
    .parse = udp_parse,
    .save = udp_save,
    .summary = "udp: [!] --sport/--dport port[:port]",
};

}  // namespace kpath::xt

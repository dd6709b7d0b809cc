// tcp match (extensions/libxt_tcp.c): an old-style ->parse with its own "Only one" checks, loaded
// implicitly by `-p tcp` when an unknown option such as --dport follows. iptables-nft turns it
// into native payload expressions, so the kernel's protocol check is replaced by the userspace
// "TCP match requires '-p tcp'" (see iptables_cmd.cpp).
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtTcpUdp;

enum { O_SPORT = 0, O_DPORT, O_SYN, O_FLAGS, O_OPTION };
enum : uint32_t { TCP_SRC_PORTS = 1, TCP_DST_PORTS = 2, TCP_FLAGS = 4, TCP_OPTION = 8 };

constexpr std::string_view kPortExpect = "port[:port] (a number or a tcp service name such as http)";
constexpr OptEntry kTcpOpts[] = {
    {.name = "source-port", .id = O_SPORT, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = kPortExpect},
    {.name = "sport", .id = O_SPORT, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = kPortExpect},
    {.name = "destination-port", .id = O_DPORT, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = kPortExpect},
    {.name = "dport", .id = O_DPORT, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = kPortExpect},
    {.name = "syn", .id = O_SYN, .type = OptType::NONE, .flags = XTOPT_INVERT},
    {.name = "tcp-flags", .id = O_FLAGS, .type = OptType::STRING, .flags = XTOPT_INVERT,
     .expect = "MASK COMP, comma lists of SYN ACK FIN RST URG PSH ALL NONE"},
    {.name = "tcp-option", .id = O_OPTION, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = "a TCP option number 1-255"},
};

struct FlagName { std::string_view name; uint8_t flag; };
constexpr FlagName kFlagNames[] = {{"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08},
                                   {"ACK", 0x10}, {"URG", 0x20}, {"ALL", 0x3F}, {"NONE", 0}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// parse_tcp_ports: "A", "A:B", "A:", ":B"; names looked up as tcp services.
void parse_tcp_ports(const OptCall& cb, const std::string& s, kernel::PortRange& r) {
  auto port = [&](std::string_view p) -> uint16_t {
    auto v = xtables_parse_port(p, "tcp");
    if (!v) cb.error(fmt::format("invalid port/service `{}' specified", p));
    return *v;
  };
  const size_t colon = s.find(':');
  if (colon == std::string::npos) {
    r.start = r.end = port(s);
    return;
  }
  const std::string_view a = std::string_view(s).substr(0, colon), b = std::string_view(s).substr(colon + 1);
  r.start = a.empty() ? 0 : port(a);
  r.end = b.empty() ? 0xffff : port(b);
  if (r.start > r.end) cb.error("invalid portrange (min > max)");
}

// parse_tcp_flag: strtok(",") over the names, case-insensitive.
uint8_t parse_tcp_flag(const OptCall& cb, std::string_view flags, SourceLoc loc) {
  uint8_t ret = 0;
  size_t i = 0;
  while (i <= flags.size()) {
    size_t comma = flags.find(',', i);
    if (comma == std::string_view::npos) comma = flags.size();
    const std::string_view tok = flags.substr(i, comma - i);
    i = comma + 1;
    if (tok.empty()) continue;
    const FlagName* f = nullptr;
    for (const FlagName& n : kFlagNames)
      if (iequals(n.name, tok)) { f = &n; break; }
    if (!f) param_error(cb.prog, loc, fmt::format("Unknown TCP flag `{}'", tok), "expected SYN, ACK, FIN, RST, URG, PSH, ALL or NONE");
    ret |= f->flag;
  }
  return ret;
}

void tcp_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtTcpUdp>(d);
  switch (cb.entry->id) {
    case O_SPORT:
      if (cb.xflags & TCP_SRC_PORTS) cb.error_at_option("Only one `--source-port' allowed");
      parse_tcp_ports(cb, cb.arg, info.spts);
      if (cb.invert) info.inv_sport = true;
      cb.xflags |= TCP_SRC_PORTS;
      break;
    case O_DPORT:
      if (cb.xflags & TCP_DST_PORTS) cb.error_at_option("Only one `--destination-port' allowed");
      parse_tcp_ports(cb, cb.arg, info.dpts);
      if (cb.invert) info.inv_dport = true;
      cb.xflags |= TCP_DST_PORTS;
      break;
    case O_SYN:
      if (cb.xflags & TCP_FLAGS) cb.error_at_option("Only one of `--syn' or `--tcp-flags'  allowed");
      info.flg_mask = 0x17;  // SYN,RST,ACK,FIN
      info.flg_cmp = 0x02;   // SYN
      if (cb.invert) info.inv_flags = true;
      cb.xflags |= TCP_FLAGS;
      break;
    case O_FLAGS: {
      if (cb.xflags & TCP_FLAGS) cb.error_at_option("Only one of `--syn' or `--tcp-flags'  allowed");
      const Word* comp = cb.argv ? cb.argv->peek() : nullptr;
      if (!comp || (!comp->text.empty() && (comp->text[0] == '-' || comp->text[0] == '!')))
        param_error(cb.prog, cb.opt_loc, "--tcp-flags requires two args.", "expected --tcp-flags MASK COMP, e.g. --tcp-flags SYN,ACK SYN");
      info.flg_mask = parse_tcp_flag(cb, cb.arg, cb.arg_loc);
      info.flg_cmp = parse_tcp_flag(cb, comp->text, comp->loc);
      cb.argv->advance();
      if (cb.invert) info.inv_flags = true;
      cb.xflags |= TCP_FLAGS;
      break;
    }
    case O_OPTION: {
      if (cb.xflags & TCP_OPTION) cb.error_at_option("Only one `--tcp-option' allowed");
      uint32_t v;
      if (!xtables_strtoui(cb.arg, nullptr, &v, 1, 255)) cb.error(fmt::format("Bad TCP option \"{}\"", cb.arg));
      info.option = static_cast<uint8_t>(v);
      if (cb.invert) info.inv_option = true;
      cb.xflags |= TCP_OPTION;
      break;
    }
  }
}

void print_tcpf(std::string& out, uint8_t flags) {
  bool have = false;
  while (flags) {
    size_t i = 0;
    while (!(flags & kFlagNames[i].flag)) ++i;
    if (have) out += ',';
    out += kFlagNames[i].name;
    have = true;
    flags &= static_cast<uint8_t>(~kFlagNames[i].flag);
  }
  if (!have) out += "NONE";
}

}  // namespace

// tcp_save / udp_save: shared by libxt_udp.cpp.
void save_tcpudp_ports(const XtTcpUdp& t, std::string& out) {
  if (t.spts.start != 0 || t.spts.end != 0xffff) {
    if (t.inv_sport) out += " !";
    out += t.spts.start != t.spts.end ? fmt::format(" --sport {}:{}", t.spts.start, t.spts.end) : fmt::format(" --sport {}", t.spts.start);
  }
  if (t.dpts.start != 0 || t.dpts.end != 0xffff) {
    if (t.inv_dport) out += " !";
    out += t.dpts.start != t.dpts.end ? fmt::format(" --dport {}:{}", t.dpts.start, t.dpts.end) : fmt::format(" --dport {}", t.dpts.start);
  }
}

namespace {
void tcp_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& t = std::get<XtTcpUdp>(d);
  save_tcpudp_ports(t, out);
  if (t.option || t.inv_option) {
    if (t.inv_option) out += " !";
    out += fmt::format(" --tcp-option {}", t.option);
  }
  if (t.flg_mask || t.inv_flags) {
    if (t.inv_flags) out += " !";
    out += " --tcp-flags ";
    print_tcpf(out, t.flg_mask);
    out += ' ';
    print_tcpf(out, t.flg_cmp);
  }
}
}  // namespace

extern const MatchExt kTcpMatch = {
    .name = "tcp",
    .opts = kTcpOpts,
    .x6 = false,
    .kreg = {},
    .init = [] { return kernel::XtMatchData{XtTcpUdp{.proto = 6}}; },
    .parse = tcp_parse,
    .save = tcp_save,
    .summary = "tcp: [!] --sport/--dport port[:port], [!] --syn, [!] --tcp-flags MASK COMP, [!] --tcp-option N",
};

}  // namespace kpath::xt

// conntrack match (extensions/libxt_conntrack.c, revision 3) and its `-m state` alias, which
// libxt_conntrack registers as "state" with real_name "conntrack". kpath models the state list
// (--ctstate / --state); the other conntrack options are parsed as iptables does and then refused.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtConntrack;

enum {
  O_CTSTATE = 0, O_CTPROTO, O_CTORIGSRC, O_CTORIGDST, O_CTREPLSRC, O_CTREPLDST, O_CTORIGSRCPORT,
  O_CTORIGDSTPORT, O_CTREPLSRCPORT, O_CTREPLDSTPORT, O_CTSTATUS, O_CTEXPIRE, O_CTDIR,
};
constexpr std::string_view kStates = "a comma list of INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, SNAT, DNAT";
constexpr OptEntry kConntrackOpts[] = {
    {.name = "ctstate", .id = O_CTSTATE, .type = OptType::STRING, .flags = XTOPT_INVERT, .expect = kStates},
    {.name = "ctproto", .id = O_CTPROTO, .type = OptType::PROTOCOL, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctorigsrc", .id = O_CTORIGSRC, .type = OptType::HOSTMASK, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctorigdst", .id = O_CTORIGDST, .type = OptType::HOSTMASK, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctreplsrc", .id = O_CTREPLSRC, .type = OptType::HOSTMASK, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctrepldst", .id = O_CTREPLDST, .type = OptType::HOSTMASK, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctstatus", .id = O_CTSTATUS, .type = OptType::STRING, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctexpire", .id = O_CTEXPIRE, .type = OptType::UINT32RC, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctorigsrcport", .id = O_CTORIGSRCPORT, .type = OptType::PORTRC, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctorigdstport", .id = O_CTORIGDSTPORT, .type = OptType::PORTRC, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctreplsrcport", .id = O_CTREPLSRCPORT, .type = OptType::PORTRC, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctrepldstport", .id = O_CTREPLDSTPORT, .type = OptType::PORTRC, .flags = XTOPT_INVERT, .unmodelled = true},
    {.name = "ctdir", .id = O_CTDIR, .type = OptType::STRING, .unmodelled = true},
};
constexpr OptEntry kStateOpts[] = {
    {.name = "state", .id = O_CTSTATE, .type = OptType::STRING, .flags = XTOPT_MAND | XTOPT_INVERT,
     .expect = "a comma list of INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED"},
};

struct StateName { std::string_view name; uint8_t bit; };
// conntrack_ps_state: tried in this order, each as a case-insensitive prefix.
constexpr StateName kCtStates[] = {
    {"INVALID", XtConntrack::INVALID}, {"NEW", XtConntrack::NEW}, {"ESTABLISHED", XtConntrack::ESTABLISHED},
    {"RELATED", XtConntrack::RELATED}, {"UNTRACKED", XtConntrack::UNTRACKED}, {"SNAT", XtConntrack::SNAT},
    {"DNAT", XtConntrack::DNAT},
};

// strncasecmp(state, NAME, len) == 0
uint8_t state_bit(std::string_view s, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const std::string_view n = kCtStates[i].name;
    if (s.size() > n.size()) continue;
    bool eq = true;
    for (size_t k = 0; k < s.size(); ++k)
      if (std::toupper(static_cast<unsigned char>(s[k])) != n[k]) { eq = false; break; }
    if (eq) return kCtStates[i].bit;
  }
  return 0;
}

void parse_ctstates(const OptCall& cb, XtConntrack& info) {
  std::string_view arg = cb.arg;
  size_t comma;
  while ((comma = arg.find(',')) != std::string_view::npos) {
    const uint8_t b = comma ? state_bit(arg.substr(0, comma), 7) : 0;
    if (!b) cb.error(fmt::format("Bad ctstate \"{}\"", arg));
    info.state_mask |= b;
    arg = arg.substr(comma + 1);
  }
  const uint8_t b = arg.empty() ? 0 : state_bit(arg, 7);
  if (!b) cb.error(fmt::format("Bad ctstate \"{}\"", arg));
  info.state_mask |= b;
}

// state_parse_states: no SNAT/DNAT, and its own message for a trailing comma.
uint8_t parse_states(const OptCall& cb) {
  std::string_view arg = cb.arg;
  uint8_t mask = 0;
  size_t comma;
  while ((comma = arg.find(',')) != std::string_view::npos) {
    const uint8_t b = comma ? state_bit(arg.substr(0, comma), 5) : 0;
    if (!b) cb.error(fmt::format("Bad state \"{}\"", arg));
    mask |= b;
    arg = arg.substr(comma + 1);
  }
  if (arg.empty()) cb.error("\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED");
  const uint8_t b = state_bit(arg, 5);
  if (!b) cb.error(fmt::format("Bad state \"{}\"", arg));
  return mask | b;
}

void conntrack_mt_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtConntrack>(d);
  xtables_option_parse(cb);
  parse_ctstates(cb, info);  // the only modelled option (others never reach here)
  if (cb.invert) info.invert = true;
}

void conntrack_mt_check(const FcheckCall& cb, kernel::XtMatchData&) {
  if (cb.xflags == 0) cb.error("conntrack: At least one option is required", "expected --ctstate STATES");
}

void state_ct23_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtConntrack>(d);
  xtables_option_parse(cb);
  info.state_mask = parse_states(cb);
  info.state_alias = true;
  if (cb.invert) info.invert = true;
}

void print_states(std::string& out, uint8_t mask) {
  // print_state order: INVALID NEW RELATED ESTABLISHED UNTRACKED SNAT DNAT
  static constexpr StateName kOrder[] = {
      {"INVALID", XtConntrack::INVALID}, {"NEW", XtConntrack::NEW}, {"RELATED", XtConntrack::RELATED},
      {"ESTABLISHED", XtConntrack::ESTABLISHED}, {"UNTRACKED", XtConntrack::UNTRACKED}, {"SNAT", XtConntrack::SNAT},
      {"DNAT", XtConntrack::DNAT},
  };
  const char* sep = " ";
  for (const StateName& s : kOrder)
    if (mask & s.bit) {
      out += sep;
      out += s.name;
      sep = ",";
    }
}

void conntrack_mt_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& c = std::get<XtConntrack>(d);
  if (c.invert) out += " !";
  out += c.state_alias ? " --state" : " --ctstate";
  print_states(out, c.state_mask);
}

}  // namespace

extern const MatchExt kConntrackMatch = {
    .name = "conntrack",
    .opts = kConntrackOpts,
    .init = [] { return kernel::XtMatchData{XtConntrack{}}; },
    .parse = conntrack_mt_parse,
    .fcheck = conntrack_mt_check,
    .save = conntrack_mt_save,
    .summary = "conntrack: [!] --ctstate INVALID,NEW,ESTABLISHED,RELATED,UNTRACKED,SNAT,DNAT",
};

extern const MatchExt kStateMatch = {
    .name = "state",
    .opts = kStateOpts,
    .init = [] { return kernel::XtMatchData{XtConntrack{.state_alias = true}}; },
    .parse = state_ct23_parse,
    .save = conntrack_mt_save,
    .summary = "state: [!] --state INVALID,NEW,ESTABLISHED,RELATED,UNTRACKED",
};

}  // namespace kpath::xt

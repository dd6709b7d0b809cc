// set match (extensions/libxt_set.c revision 4, with get_set_byname and parse_dirs from
// libxt_set.h): [!] --match-set NAME src|dst[,src|dst...] (old-style parse: the directions are
// the next word, argv[optind]), --return-nomatch, ! --update-counters, ! --update-subcounters.
// iptables asks the kernel for the set while parsing ("Set foo doesn't exist."); the rule then
// holds the set itself (xt_set keeps its index), see sim/config/ipset.cpp. The packet/byte
// counter tests depend on traffic history and are refused as not modelled.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {

constexpr size_t IPSET_MAXNAMELEN = 32;
constexpr uint8_t IPSET_DIM_MAX = 6;

// get_set_byname + parse_dirs for --match-set and the SET target's --add-set/--del-set/--map-set:
// NAME is optarg, the directions are argv[optind].
void parse_set_info(OptCall& cb, kernel::XtSetInfo& info, std::string_view what) {
  if (info.dim) cb.error_at_option(fmt::format("--{} can be specified only once", what));
  const Word* dirs = cb.argv ? cb.argv->peek() : nullptr;
  if (!dirs || (!dirs->text.empty() && (dirs->text[0] == '-' || dirs->text[0] == '!')))
    param_error(cb.prog, cb.opt_loc, fmt::format("--{} requires two args.", what), fmt::format("expected --{} NAME src|dst[,src|dst...]", what));
  if (cb.arg.size() > IPSET_MAXNAMELEN - 1)
    cb.error(fmt::format("setname `{}' too long, max {} characters.", cb.arg, IPSET_MAXNAMELEN - 1));
  const auto* sets = cb.rule.ipsets;
  auto it = sets ? sets->find(cb.arg) : decltype(sets->end()){};
  if (!sets || it == sets->end()) {
    std::string have;
    if (sets)
      for (const auto& [n, s] : *sets) have += (have.empty() ? "" : ", ") + n;
    param_error(cb.prog, cb.arg_loc, fmt::format("Set {} doesn't exist.\n", cb.arg),
                have.empty() ? "create it first with `ipset create NAME TYPE`" : "sets: " + have);
  }
  const kernel::IpSet& set = it->second;
  if (set.family == kernel::IpSetFamily::inet6)
    param_error(cb.prog, cb.arg_loc, fmt::format("The protocol family of set {} is IPv6, which is not applicable.\n", cb.arg));
  if (set.type == kernel::IpSetType::unmodelled)
    unmodelled_error(cb.arg_loc, fmt::format("kpath: set {} is of type {}, which kpath does not model", cb.arg, set.type_name));
  info.name = cb.arg;
  // parse_dirs: strsep(","), each a "src"/"dst" prefix, at most IPSET_DIM_MAX
  std::string_view rest = dirs->text;
  bool more = true;
  while (info.dim < IPSET_DIM_MAX && more) {
    ++info.dim;
    const size_t comma = rest.find(',');
    const std::string_view ptr = rest.substr(0, comma);
    more = comma != std::string_view::npos;
    rest = more ? rest.substr(comma + 1) : std::string_view{};
    if (ptr.substr(0, 3) == "src") info.flags |= static_cast<uint8_t>(1 << info.dim);
    else if (ptr.substr(0, 3) != "dst")
      param_error(cb.prog, dirs->loc, "You must spefify (the comma separated list of) 'src' or 'dst'.",
                  "expected src, dst or a comma list of them, one per set dimension");
  }
  if (more) param_error(cb.prog, dirs->loc, fmt::format("Can't be more src/dst options than {}.", IPSET_DIM_MAX));
  cb.argv->advance();
}

// print_match / print_target: " NAME src,dst"
void save_set_info(std::string& out, const kernel::XtSetInfo& info) {
  out += ' ';
  out += info.name;
  for (int i = 1; i <= info.dim; ++i) out += fmt::format("{}{}", i == 1 ? " " : ",", (info.flags & (1 << i)) ? "src" : "dst");
}

namespace {

using kernel::XtSetMatch;

enum {
  O_MATCH_SET = 0, O_SET, O_RETURN_NOMATCH, O_UPDATE_COUNTERS, O_PACKETS_EQ, O_PACKETS_LT, O_PACKETS_GT,
  O_BYTES_EQ, O_BYTES_LT, O_BYTES_GT, O_UPDATE_SUBCOUNTERS,
};
constexpr std::string_view kSetExpect = "a set name, then src, dst or a comma list of them";
constexpr OptEntry kSetOpts[] = {
    {.name = "match-set", .id = O_MATCH_SET, .type = OptType::STRING, .expect = kSetExpect},
    {.name = "set", .id = O_SET, .type = OptType::STRING, .expect = kSetExpect},
    {.name = "return-nomatch", .id = O_RETURN_NOMATCH, .type = OptType::NONE},
    {.name = "update-counters", .id = O_UPDATE_COUNTERS, .type = OptType::NONE},
    {.name = "packets-eq", .id = O_PACKETS_EQ, .type = OptType::STRING, .unmodelled = true},
    {.name = "packets-lt", .id = O_PACKETS_LT, .type = OptType::STRING, .unmodelled = true},
    {.name = "packets-gt", .id = O_PACKETS_GT, .type = OptType::STRING, .unmodelled = true},
    {.name = "bytes-eq", .id = O_BYTES_EQ, .type = OptType::STRING, .unmodelled = true},
    {.name = "bytes-lt", .id = O_BYTES_LT, .type = OptType::STRING, .unmodelled = true},
    {.name = "bytes-gt", .id = O_BYTES_GT, .type = OptType::STRING, .unmodelled = true},
    {.name = "update-subcounters", .id = O_UPDATE_SUBCOUNTERS, .type = OptType::NONE},
};

void set_parse_v4(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtSetMatch>(d);
  switch (cb.entry->id) {
    case O_UPDATE_SUBCOUNTERS:
      if (cb.invert) info.skip_subcounter_update = true;
      break;
    case O_UPDATE_COUNTERS:
      if (cb.invert) info.skip_counter_update = true;
      break;
    case O_RETURN_NOMATCH:
      if (cb.invert) cb.error_at_option("--return-nomatch flag cannot be inverted\n");
      info.return_nomatch = true;
      break;
    case O_SET:
      cb.note("--set option deprecated, please use --match-set");
      [[fallthrough]];
    case O_MATCH_SET:
      if (info.match_set.dim) cb.error_at_option("--match-set can be specified only once");
      if (cb.invert) info.invert = true;
      parse_set_info(cb, info.match_set, "match-set");
      cb.xflags |= 1;
      break;
  }
}

void set_check_v0(const FcheckCall& cb, kernel::XtMatchData&) {
  if (!cb.xflags) cb.error("You must specify `--match-set' with proper arguments", "expected --match-set NAME src|dst");
}

void set_save_v4(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& m = std::get<XtSetMatch>(d);
  out += m.invert ? " ! --match-set" : " --match-set";
  save_set_info(out, m.match_set);
  if (m.return_nomatch) out += " --return-nomatch";
  if (m.skip_counter_update) out += " ! --update-counters";
  if (m.skip_subcounter_update) out += " ! --update-subcounters";
}

}  // namespace

extern const MatchExt kSetMatch = {
    .name = "set",
    .opts = kSetOpts,
    .x6 = false,
    .init = [] { return kernel::XtMatchData{XtSetMatch{}}; },
    .parse = set_parse_v4,
    .fcheck = set_check_v0,
    .save = set_save_v4,
    .summary = "set: [!] --match-set NAME src|dst[,src|dst...] [--return-nomatch] [! --update-counters] [! --update-subcounters]",
};

}  // namespace kpath::xt

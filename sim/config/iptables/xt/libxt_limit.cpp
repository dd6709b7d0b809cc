// limit match (extensions/libxt_limit.c): --limit RATE[/second|/minute|/hour|/day] (any unique
// prefix of the unit, default 3/hour), --limit-burst N (0-10000, default 5); the average is kept
// as XT_LIMIT_SCALE * unit / rate and printed back by print_rate ("5/sec", "7/min").
// iptables-nft turns the match into an nft limit expression, whose kernel side takes burst 0 as
// the default 5; ip_tables (xt_limit.c limit_mt_check) refuses it with -ERANGE. In a trace the
// first packet always matches: a fresh bucket is full (rates are not modelled).
#include <cmath>
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtLimit;

constexpr uint32_t XT_LIMIT_SCALE = 10000;
constexpr uint32_t XT_LIMIT_BURST = 5;

enum { O_LIMIT = 0, O_BURST };
constexpr OptEntry kLimitOpts[] = {
    {.name = "limit", .id = O_LIMIT, .type = OptType::STRING, .expect = "RATE[/second|/minute|/hour|/day], e.g. 5/sec"},
    {.name = "limit-burst", .id = O_BURST, .type = OptType::UINT32, .max = 10000, .expect = "a packet count 0-10000"},
};

bool prefix_of(std::string_view unit, std::string_view word) {
  if (unit.size() > word.size()) return false;
  for (size_t i = 0; i < unit.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(unit[i])) != word[i]) return false;
  return true;
}

// parse_rate: 0 = "bad rate"; throws for a rate that maps to 0 ("Rate too fast").
uint32_t parse_rate(const OptCall* cb, std::string_view rate) {
  uint32_t mult = 1;
  const size_t slash = rate.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view unit = rate.substr(slash + 1);
    if (unit.empty()) return 0;
    if (prefix_of(unit, "second")) mult = 1;
    else if (prefix_of(unit, "minute")) mult = 60;
    else if (prefix_of(unit, "hour")) mult = 60 * 60;
    else if (prefix_of(unit, "day")) mult = 24 * 60 * 60;
    else return 0;
  }
  // atoi: leading blanks, a sign, digits; the rest is ignored
  const std::string s(rate);
  const uint32_t r = static_cast<uint32_t>(std::atoi(s.c_str()));
  if (!r) return 0;
  const uint32_t avg = XT_LIMIT_SCALE * mult / r;
  if (avg == 0 && cb) cb->error(fmt::format("Rate too fast \"{}\"\n", rate));
  return avg;
}

void limit_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& r = std::get<XtLimit>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_LIMIT:
      r.avg = parse_rate(&cb, cb.arg);
      if (!r.avg) cb.error(fmt::format("bad rate \"{}\"'", cb.arg));
      break;
    case O_BURST: r.burst = cb.u32; break;
  }
}

void limit_check(const FcheckCall& cb, kernel::XtMatchData& d) {
  auto& r = std::get<XtLimit>(d);
  if (!cb.rule.legacy && r.burst == 0) r.burst = XT_LIMIT_BURST;  // nft_limit_init: burst 0 is the default
}

// print_rate
void print_rate(std::string& out, uint32_t period) {
  struct Rate { std::string_view name; uint32_t mult; };
  static constexpr Rate kRates[] = {{"day", XT_LIMIT_SCALE * 24 * 60 * 60}, {"hour", XT_LIMIT_SCALE * 60 * 60}, {"min", XT_LIMIT_SCALE * 60},
                                    {"sec", XT_LIMIT_SCALE}};
  if (period == 0) {
    out += " inf";
    return;
  }
  size_t i = 1;
  for (; i < std::size(kRates); ++i)
    if (period > kRates[i].mult || kRates[i].mult / period < kRates[i].mult % period) break;
  out += fmt::format(" {}/{}", kRates[i - 1].mult / period, kRates[i - 1].name);
}

void limit_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& r = std::get<XtLimit>(d);
  out += " --limit";
  print_rate(out, r.avg);
  if (r.burst != XT_LIMIT_BURST) out += fmt::format(" --limit-burst {}", r.burst);
}

// limit_mt_check (net/netfilter/xt_limit.c): user2credits(avg * burst) must not wrap below
// user2credits(avg) (HZ 250 as Debian builds it).
std::string limit_mt_check(const kernel::XtMatchData& d, const CheckParam& par) {
  if (par.nft_compat) return {};
  const auto& r = std::get<XtLimit>(d);
  constexpr uint64_t HZ = 250, CREDITS_PER_JIFFY = 128;
  auto user2credits = [](uint32_t user) -> uint64_t {
    if (user > 0xffffffffu / (HZ * CREDITS_PER_JIFFY)) return uint64_t{user / XT_LIMIT_SCALE} * HZ * CREDITS_PER_JIFFY;
    return uint64_t{user} * HZ * CREDITS_PER_JIFFY / XT_LIMIT_SCALE;
  };
  const uint32_t total = r.avg * r.burst;  // u32 arithmetic, as in the kernel
  if (r.burst == 0 || user2credits(total) < user2credits(r.avg)) {
    par.errno_text = "Numerical result out of range";
    return fmt::format("xt_limit: Overflow, try lower: {}/{}", r.avg, r.burst);
  }
  return {};
}

}  // namespace

extern const MatchExt kLimitMatch = {
    .name = "limit",
    .opts = kLimitOpts,
    .init = [] { return kernel::XtMatchData{XtLimit{.avg = parse_rate(nullptr, "3/hour"), .burst = XT_LIMIT_BURST}}; },
    .parse = limit_parse,
    .fcheck = limit_check,
    .save = limit_save,
    .checkentry = limit_mt_check,
    .summary = "limit: --limit RATE[/sec|/min|/hour|/day] --limit-burst N (a trace's single packet always matches)",
};

}  // namespace kpath::xt

// statistic match (extensions/libxt_statistic.c): --mode random [!] --probability P (0-1,
// stored as lround(P * 2^31)), or --mode nth [!] --every N --packet P (0 <= P < N; the kernel
// counter starts at N-1-P). kpath explains one packet: random mode takes P >= 0.5 as a hit, and
// in nth mode the rule's first packet hits when P is 0 (models/netfilter/ip_tables.cpp).
#include <cmath>
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtStatistic;

enum { O_MODE = 0, O_PROBABILITY, O_EVERY, O_PACKET };
constexpr uint32_t F_PROBABILITY = 1 << O_PROBABILITY, F_EVERY = 1 << O_EVERY, F_PACKET = 1 << O_PACKET;
constexpr OptEntry kStatisticOpts[] = {
    {.name = "mode", .id = O_MODE, .type = OptType::STRING, .flags = XTOPT_MAND, .expect = "random or nth"},
    {.name = "probability", .id = O_PROBABILITY, .type = OptType::DOUBLE, .flags = XTOPT_INVERT, .excl = F_EVERY | F_PACKET,
     .min = 0, .max = 1, .expect = "a probability between 0 and 1"},
    {.name = "every", .id = O_EVERY, .type = OptType::UINT32, .flags = XTOPT_INVERT, .excl = F_PROBABILITY, .also = F_PACKET,
     .min = 1, .expect = "N >= 1 (every Nth packet)"},
    {.name = "packet", .id = O_PACKET, .type = OptType::UINT32, .excl = F_PROBABILITY, .also = F_EVERY,
     .expect = "the initial counter 0 <= P <= N-1"},
};

void statistic_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtStatistic>(d);
  if (cb.invert) info.invert = true;
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_MODE:
      if (cb.arg == "random") info.mode = XtStatistic::RANDOM;
      else if (cb.arg == "nth") info.mode = XtStatistic::NTH;
      else cb.error(fmt::format("Bad mode \"{}\"", cb.arg));
      break;
    case O_PROBABILITY: info.probability = static_cast<uint32_t>(std::lround(2147483648.0 * cb.dbl)); break;
    case O_EVERY: info.every = cb.u32 - 1; break;
    case O_PACKET: info.packet = cb.u32; break;
  }
}

void statistic_check(const FcheckCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtStatistic>(d);
  if (info.mode == XtStatistic::RANDOM && !(cb.xflags & F_PROBABILITY))
    cb.error("--probability must be specified when using random mode", "e.g. --mode random --probability 0.5");
  if (info.mode == XtStatistic::NTH && !(cb.xflags & (F_EVERY | F_PACKET)))
    cb.error("--every and --packet must be specified when using nth mode", "e.g. --mode nth --every 3 --packet 0");
  if (info.packet > info.every) cb.error("the --packet p must be 0 <= p <= n-1");
  info.count = info.every - info.packet;
}

void statistic_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& s = std::get<XtStatistic>(d);
  if (s.mode == XtStatistic::RANDOM)
    out += fmt::format(" --mode random{} --probability {:.11f}", s.invert ? " !" : "", s.probability / 2147483648.0);
  else
    out += fmt::format(" --mode nth{} --every {} --packet {}", s.invert ? " !" : "", s.every + 1, s.packet);
}

}  // namespace

extern const MatchExt kStatisticMatch = {
    .name = "statistic",
    .opts = kStatisticOpts,
    .init = [] { return kernel::XtMatchData{XtStatistic{}}; },
    .parse = statistic_parse,
    .fcheck = statistic_check,
    .save = statistic_save,
    .summary = "statistic: --mode random [!] --probability P | --mode nth [!] --every N --packet P",
};

}  // namespace kpath::xt

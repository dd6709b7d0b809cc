// NFQUEUE target (extensions/libxt_NFQUEUE.c revision 3): --queue-num N or --queue-balance
// FIRST:LAST (--queue-cpu-fanout needs it), --queue-bypass. The packet goes to a userspace
// program; kpath runs none, so nf_queue finds no listener (-ESRCH): with --queue-bypass the
// packet goes on, without it the packet is freed (models/netfilter/ip_tables.cpp).
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtNfqueue;

enum { O_QUEUE_NUM = 0, O_QUEUE_BALANCE, O_QUEUE_BYPASS, O_QUEUE_CPU_FANOUT };
constexpr OptEntry kNfqueueOpts[] = {
    {.name = "queue-num", .id = O_QUEUE_NUM, .type = OptType::UINT16, .excl = 1 << O_QUEUE_BALANCE, .expect = "a queue number 0-65535"},
    {.name = "queue-balance", .id = O_QUEUE_BALANCE, .type = OptType::UINT16RC, .excl = 1 << O_QUEUE_NUM,
     .expect = "FIRST:LAST, two queue numbers with FIRST < LAST"},
    {.name = "queue-bypass", .id = O_QUEUE_BYPASS, .type = OptType::NONE},
    {.name = "queue-cpu-fanout", .id = O_QUEUE_CPU_FANOUT, .type = OptType::NONE, .also = 1 << O_QUEUE_BALANCE},
};

void nfqueue_parse_v3(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtNfqueue>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_QUEUE_NUM: info.queuenum = static_cast<uint16_t>(cb.u32); break;
    case O_QUEUE_BALANCE: {
      const uint32_t lo = cb.u32_range[0], hi = cb.u32_range[1];
      if (cb.nvals != 2) cb.error(fmt::format("Bad range \"{}\"", cb.arg));
      if (lo >= hi) cb.error(fmt::format("{} should be less than {}", lo, hi));
      info.queuenum = static_cast<uint16_t>(lo);
      info.queues_total = static_cast<uint16_t>(hi - lo + 1);
      break;
    }
    case O_QUEUE_BYPASS: info.bypass = true; break;
    case O_QUEUE_CPU_FANOUT: info.cpu_fanout = true; break;
  }
}

void nfqueue_save_v3(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& q = std::get<XtNfqueue>(d);
  if (q.queues_total > 1) out += fmt::format(" --queue-balance {}:{}", q.queuenum, q.queuenum + q.queues_total - 1);
  else out += fmt::format(" --queue-num {}", q.queuenum);
  if (q.bypass) out += " --queue-bypass";
  if (q.cpu_fanout) out += " --queue-cpu-fanout";
}

}  // namespace

extern const TargetExt kNfqueueTarget = {
    .name = "NFQUEUE",
    .opts = kNfqueueOpts,
    .init = [] { return kernel::XtTargetData{XtNfqueue{}}; },
    .parse = nfqueue_parse_v3,
    .save = nfqueue_save_v3,
    .summary = "NFQUEUE: --queue-num N | --queue-balance A:B [--queue-cpu-fanout], --queue-bypass",
};

}  // namespace kpath::xt

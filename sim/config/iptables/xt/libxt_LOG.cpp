// LOG target (extensions/libxt_LOG.c): --log-prefix (cut to 29 characters), --log-level (syslog
// name or 0-7, default 4 = warning), and flags that only change what the kernel log line shows.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtLog;

enum { O_LOG_LEVEL = 0, O_LOG_PREFIX, O_LOG_TCPSEQ, O_LOG_TCPOPTS, O_LOG_IPOPTS, O_LOG_UID, O_LOG_MAC };
enum : uint8_t { XT_LOG_TCPSEQ = 0x01, XT_LOG_TCPOPT = 0x02, XT_LOG_IPOPT = 0x04, XT_LOG_UID = 0x08, XT_LOG_MACDECODE = 0x20 };
constexpr OptEntry kLogOpts[] = {
    {.name = "log-level", .id = O_LOG_LEVEL, .type = OptType::SYSLOGLEVEL,
     .expect = "0-7 or emerg, alert, crit, error, warning, notice, info, debug"},
    {.name = "log-prefix", .id = O_LOG_PREFIX, .type = OptType::STRING, .min = 1, .size = 30, .expect = "a text of 1-29 characters"},
    {.name = "log-tcp-sequence", .id = O_LOG_TCPSEQ, .type = OptType::NONE},
    {.name = "log-tcp-options", .id = O_LOG_TCPOPTS, .type = OptType::NONE},
    {.name = "log-ip-options", .id = O_LOG_IPOPTS, .type = OptType::NONE},
    {.name = "log-uid", .id = O_LOG_UID, .type = OptType::NONE},
    {.name = "log-macdecode", .id = O_LOG_MAC, .type = OptType::NONE},
};

void log_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtLog>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_LOG_LEVEL: info.level = cb.syslog_level; break;
    case O_LOG_PREFIX:
      if (cb.arg.find('\n') != std::string::npos) cb.error("Newlines not allowed in --log-prefix");
      info.prefix = cb.arg;
      break;
    case O_LOG_TCPSEQ: info.logflags |= XT_LOG_TCPSEQ; break;
    case O_LOG_TCPOPTS: info.logflags |= XT_LOG_TCPOPT; break;
    case O_LOG_IPOPTS: info.logflags |= XT_LOG_IPOPT; break;
    case O_LOG_UID: info.logflags |= XT_LOG_UID; break;
    case O_LOG_MAC: info.logflags |= XT_LOG_MACDECODE; break;
  }
}

void log_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& l = std::get<XtLog>(d);
  if (!l.prefix.empty()) {
    out += " --log-prefix";
    save_string(out, l.prefix);
  }
  if (l.level != 4) out += fmt::format(" --log-level {}", l.level);
  if (l.logflags & XT_LOG_TCPSEQ) out += " --log-tcp-sequence";
  if (l.logflags & XT_LOG_TCPOPT) out += " --log-tcp-options";
  if (l.logflags & XT_LOG_IPOPT) out += " --log-ip-options";
  if (l.logflags & XT_LOG_UID) out += " --log-uid";
  if (l.logflags & XT_LOG_MACDECODE) out += " --log-macdecode";
}

}  // namespace

extern const TargetExt kLogTarget = {
    .name = "LOG",
    .opts = kLogOpts,
    .init = [] { return kernel::XtTargetData{XtLog{}}; },
    .parse = log_parse,
    .save = log_save,
    .summary = "LOG: [--log-prefix TEXT] [--log-level LEVEL] [--log-tcp-sequence ...]",
};

}  // namespace kpath::xt

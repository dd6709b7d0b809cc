// socket match (extensions/libxt_socket.c, revision 3). Kernel registration (xt_socket.c):
// hooks PREROUTING and INPUT only.
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtSocket;

enum { O_TRANSPARENT = 0, O_NOWILDCARD, O_RESTORESKMARK };
constexpr OptEntry kSocketOpts[] = {
    {.name = "transparent", .id = O_TRANSPARENT, .type = OptType::NONE},
    {.name = "nowildcard", .id = O_NOWILDCARD, .type = OptType::NONE},
    {.name = "restore-skmark", .id = O_RESTORESKMARK, .type = OptType::NONE},
};

void socket_mt_parse(OptCall& cb, kernel::XtMatchData& d) {
  auto& info = std::get<XtSocket>(d);
  xtables_option_parse(cb);
  switch (cb.entry->id) {
    case O_TRANSPARENT: info.transparent = true; break;
    case O_NOWILDCARD: info.nowildcard = true; break;
    case O_RESTORESKMARK: info.restore_skmark = true; break;
  }
}

void socket_mt_save(const kernel::XtMatchData& d, const kernel::IptIp&, std::string& out) {
  const auto& s = std::get<XtSocket>(d);
  if (s.transparent) out += " --transparent";
  if (s.nowildcard) out += " --nowildcard";
  if (s.restore_skmark) out += " --restore-skmark";
}

}  // namespace

extern const MatchExt kSocketMatch = {
    .name = "socket",
    .opts = kSocketOpts,
    .kreg = {.hooks = (1 << kernel::NF_INET_PRE_ROUTING) | (1 << kernel::NF_INET_LOCAL_IN)},
    .init = [] { return kernel::XtMatchData{XtSocket{}}; },
    .parse = socket_mt_parse,
    .save = socket_mt_save,
    .summary = "socket: --transparent, --nowildcard, --restore-skmark",
};

}  // namespace kpath::xt

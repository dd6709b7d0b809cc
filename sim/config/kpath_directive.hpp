// kpath's own statements, written as comments so the script still runs under bash:
//   #kpath socket tcp listen ADDR:PORT [transparent] [mark N] [dev DEV]
//   #kpath socket udp bind ADDR:PORT [transparent] [mark N] [dev DEV]
//   #kpath socket tcp established LOCAL:PORT REMOTE:PORT [transparent]
//   #kpath socket udp connected LOCAL:PORT REMOTE:PORT [transparent]
//   #kpath expect ...          (kept for `kpath test`)
#pragma once
#include <vector>
#include "sim/config/host_config.hpp"
#include "sim/config/lexer.hpp"

namespace kpath {
void kpath_directive(ConfigSet& set, HostConfig& host, const Command& cmd, std::vector<Diagnostic>& notes);
}  // namespace kpath

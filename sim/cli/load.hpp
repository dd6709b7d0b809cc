#pragma once
#include "models/net.hpp"
#include "sim/cli/commands.hpp"
#include "sim/config/host_config.hpp"

namespace kpath {
struct Loaded {
  ConfigSet set;
  kernel::Net net;
};
// Loads CONFIG files (script format), prints notes/warnings to stderr, picks --host, compiles.
Loaded load_and_compile(const CliArgs& a, FileTable& files);
kernel::KernelProfile profile_for(const std::string& version);
}  // namespace kpath

#include "sim/cli/commands.hpp"

namespace kpath {
// Placeholder until the command lands: says so and exits 3 (not available in this build).
int cmd_route(const CliArgs& a, FileTable& files) {
  (void)a; (void)files;
  throw ConfigError({}, "kpath route is not implemented yet");
}
}  // namespace kpath

#include "sim/cli/commands.hpp"

namespace kpath {
// Placeholder until the command lands: says so and exits 3 (not available in this build).
int cmd_lint(const CliArgs& a, FileTable& files) {
  (void)a; (void)files;
  throw ConfigError({}, "kpath lint is not implemented yet");
}
}  // namespace kpath

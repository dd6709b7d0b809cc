// kpath lint CONFIG... [--format text|json]: the checks of sim/check/lint.hpp on every host the
// config describes (or on --host only); exit 1 when anything is found.
#include <fmt/format.h>
#include "sim/check/lint.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/load.hpp"
#include "sim/config/compile.hpp"

namespace kpath {

int cmd_lint(const CliArgs& a, FileTable& files) {
  if (a.configs.empty()) throw ConfigError({}, "lint needs at least one CONFIG file: kpath lint CONFIG... [--format text|json]");
  if (a.format != "text" && a.format != "json") throw ConfigError({}, fmt::format("unknown --format \"{}\"; expected text or json", a.format));
  for (auto& r : a.rest)
    throw ConfigError({}, fmt::format("unknown option \"{}\" for lint; expected --format, --host, --set, --kernel or --lenient", r));
  Loaded l = load_and_compile(a, files);
  std::vector<LintFinding> all = lint_net(l.net);
  if (a.host.empty()) {
    // the namespaces the script creates are hosts of their own
    for (size_t i = 1; i < l.set.hosts.size(); ++i) {
      kernel::Net net = compile(l.set.hosts[i], profile_for(a.kernel));
      for (auto& f : lint_net(net)) all.push_back(std::move(f));
    }
  }
  if (a.format == "json") fmt::print("{}\n", render_lint_json(all, files).dump(2));
  else fmt::print("{}", render_lint_text(all, files, a.configs));
  return all.empty() ? EXIT_OK : EXIT_EXPECT_FAILED;
}

}  // namespace kpath

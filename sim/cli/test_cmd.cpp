// kpath test CONFIG... [--expect FILE] [--junit FILE] [--format text|json]: runs the cases of an
// expectations file and the config's `#kpath expect` lines; exit 1 when any case fails.
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include "sim/check/expect.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/load.hpp"

namespace kpath {

int cmd_test(const CliArgs& a, FileTable& files) {
  if (a.configs.empty()) throw ConfigError({}, "test needs at least one CONFIG file: kpath test CONFIG... --expect FILE [--junit FILE]");
  if (a.format != "text" && a.format != "json") throw ConfigError({}, fmt::format("unknown --format \"{}\"; expected text or json", a.format));
  for (auto& r : a.rest)
    throw ConfigError({}, fmt::format("unknown option \"{}\" for test; expected --expect FILE, --junit FILE, --format, --host, --set, --kernel or --lenient", r));
  const std::string expect_path = a.opt("--expect"), junit_path = a.opt("--junit");
  std::string expect_text;
  if (!expect_path.empty()) {
    std::ifstream in(expect_path);
    if (!in) throw ConfigError({}, fmt::format("{}: cannot open expectations file", expect_path));
    std::stringstream ss;
    ss << in.rdbuf();
    expect_text = ss.str();
  }
  Loaded l = load_and_compile(a, files);
  TestRun run;
  run.nets.emplace(a.host, std::move(l.net));
  if (!expect_path.empty()) run.cases = parse_expect_json(expect_text, files.add(expect_path, expect_text));
  for (const auto& d : l.set.expectations) run.cases.push_back(parse_expect_directive(d, files));
  if (run.cases.empty())
    throw ConfigError({}, "nothing to test: give --expect FILE, or write `#kpath expect \"PACKET\" OUTCOME...` lines in the config");
  run_expectations(run, l.set, profile_for(a.kernel), a.host, files);
  if (a.format == "json") fmt::print("{}\n", render_test_json(run, files).dump(2));
  else fmt::print("{}", render_test_text(run, files));
  if (!junit_path.empty()) {
    std::ofstream out(junit_path);
    out << render_junit(run, files);
    out.close();
    if (!out) {
      fmt::print(stderr, "kpath: error: {}: cannot write the JUnit report\n", junit_path);
      return EXIT_ENV;
    }
  }
  return run.failed ? EXIT_EXPECT_FAILED : EXIT_OK;
}

}  // namespace kpath

#pragma once
#include <string>
#include <vector>
#include "sim/core/diag.hpp"

namespace kpath {
enum ExitCode { EXIT_OK = 0, EXIT_EXPECT_FAILED = 1, EXIT_BAD_INPUT = 2, EXIT_ENV = 3 };

// Parsed common options.
struct CliArgs {
  std::vector<std::string> configs;
  std::vector<std::pair<std::string, std::string>> set_vars;
  std::string packet, format = "text", host, kernel;
  bool lenient = false;
  std::vector<std::string> rest;  // unrecognised flags (subcommand-specific)
  // Every option with a value, in order (--expect FILE, --junit FILE, -c CONFIG, ...), and the
  // raw argument list after the command name for commands with their own grammar (route get).
  std::vector<std::pair<std::string, std::string>> opts;
  std::vector<std::string> raw;
  std::string opt(const std::string& name, const std::string& dflt = "") const {
    for (auto it = opts.rbegin(); it != opts.rend(); ++it) if (it->first == name) return it->second;
    return dflt;
  }
  bool flag(const std::string& name) const {
    for (auto& r : rest) if (r == name) return true;
    return false;
  }
};

int cli_main(const std::vector<std::string>& args);
int cmd_explain(const CliArgs& a, FileTable& files);
int cmd_graph(const CliArgs& a, FileTable& files);
int cmd_config(const CliArgs& a, FileTable& files);
int cmd_test(const CliArgs& a, FileTable& files);      // sim/cli/test_cmd.cpp
int cmd_lint(const CliArgs& a, FileTable& files);      // sim/cli/lint_cmd.cpp
int cmd_live(const CliArgs& a, FileTable& files);      // sim/cli/live_cmd.cpp
int cmd_route(const CliArgs& a, FileTable& files);     // sim/cli/route_cmd.cpp (kpath route get ...)
// Prints a diagnostic compiler-style with the source line and a caret.
void print_diagnostic(const FileTable& files, SourceLoc loc, std::string_view severity, std::string_view msg);
}  // namespace kpath

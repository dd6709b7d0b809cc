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
  std::vector<std::string> rest;  // unrecognised (subcommand-specific)
};

int cli_main(const std::vector<std::string>& args);
int cmd_explain(const CliArgs& a, FileTable& files);
int cmd_graph(const CliArgs& a, FileTable& files);
int cmd_config(const CliArgs& a, FileTable& files);
// Prints a diagnostic compiler-style with the source line and a caret.
void print_diagnostic(const FileTable& files, SourceLoc loc, std::string_view severity, std::string_view msg);
}  // namespace kpath

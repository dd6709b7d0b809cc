// kpath CLI entry: command table and the error boundary (exit codes: 0 ok, 1 expectation
// failed, 2 bad input with file:line:column, 3 environment).
#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include "sim/cli/commands.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return kpath::cli_main(args);
}

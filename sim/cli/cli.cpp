#include <cstdio>
#include <set>
#include <fmt/format.h>
#include "sim/cli/commands.hpp"

namespace kpath {

void print_diagnostic(const FileTable& files, SourceLoc loc, std::string_view severity, std::string_view msg) {
  if (!loc.known()) {
    fmt::print(stderr, "kpath: {}: {}\n", severity, msg);
    return;
  }
  fmt::print(stderr, "{}: {}: {}\n", files.where(loc), severity, msg);
  std::string line = files.line_text(loc);
  if (!line.empty()) {
    fmt::print(stderr, "{:>5} | {}\n", loc.line, line);
    if (loc.col) {
      std::string pad;
      for (size_t i = 0; i + 1 < loc.col && i < line.size(); ++i) pad += line[i] == '\t' ? '\t' : ' ';
      fmt::print(stderr, "      | {}^\n", pad);
    }
  }
}

static const char* kUsage =
    "usage:\n"
    "  kpath explain CONFIG... --packet SPEC [--set VAR=VALUE]... [--format text|json] [--host NS] [--kernel 6.1|6.6|6.12|6.13] [--lenient]\n"
    "  kpath graph [--format dot]\n"
    "  kpath config CONFIG... --export json\n"
    "  kpath test CONFIG... [--expect FILE] [--junit FILE] [--format text|json]\n"
    "  kpath lint CONFIG... [--format text|json]\n"
    "  kpath live CONFIG... (--packet SPEC | --expect FILE) [--keep]\n"
    "  kpath route get ADDR [from ADDR] [iif DEV] [mark N] [tos N] [ipproto P] [sport N] [dport N] [fibmatch] -c CONFIG...\n"
    "packet SPEC: tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server [syn|ack|fin|rst] [ttl N] [tos N] [len N] [mark N] ...\n";

int cli_main(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    fmt::print(args.empty() ? stderr : stdout, "{}", kUsage);
    return args.empty() ? EXIT_BAD_INPUT : EXIT_OK;
  }
  const std::string cmd = args[0];
  CliArgs a;
  a.raw.assign(args.begin() + 1, args.end());
  // Options that take a value, for every command (each command reads the ones it knows).
  static const std::set<std::string> kValued = {"--expect", "--junit", "--fuzz", "--seed", "--threads", "--packets", "--flows", "--pcap",
                                                "--iif", "--out", "--netns", "-c", "--config", "--export", "--reach", "--from",
                                                "--shape", "--rules", "--count", "--batch", "--known-differences", "--regressions"};
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& s = args[i];
    auto value = [&](const char* opt) -> std::string {
      if (i + 1 >= args.size()) throw ConfigError({}, fmt::format("option {} needs a value", opt));
      return args[++i];
    };
    if (cmd == "route") break;  // `route get` has iproute2's own grammar: see a.raw
    if (kValued.count(s)) {
      std::string v = value(s.c_str());
      a.opts.emplace_back(s, v);
      if (s == "-c" || s == "--config") a.configs.push_back(v);
      continue;
    }
    if (s == "--packet" || s == "-p") a.packet = value("--packet");
    else if (s == "--format" || s == "-f") a.format = value("--format");
    else if (s == "--host") a.host = value("--host");
    else if (s == "--kernel") a.kernel = value("--kernel");
    else if (s == "--lenient") a.lenient = true;
    else if (s == "--set") {
      std::string kv = value("--set");
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        fmt::print(stderr, "kpath: error: --set expects VAR=VALUE, got \"{}\"\n", kv);
        return EXIT_BAD_INPUT;
      }
      a.set_vars.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (s.rfind("--", 0) == 0 && cmd == "explain") {
      fmt::print(stderr, "kpath: error: unknown option \"{}\"; expected --packet, --format, --set, --host, --kernel or --lenient\n", s);
      return EXIT_BAD_INPUT;
    } else if (s.rfind("--", 0) == 0) a.rest.push_back(s);
    else a.configs.push_back(s);
  }
  FileTable files;
  try {
    if (cmd == "explain") return cmd_explain(a, files);
    if (cmd == "graph") return cmd_graph(a, files);
    if (cmd == "config") return cmd_config(a, files);
    if (cmd == "test") return cmd_test(a, files);
    if (cmd == "lint") return cmd_lint(a, files);
    if (cmd == "live") return cmd_live(a, files);
    if (cmd == "route") return cmd_route(a, files);
    fmt::print(stderr, "kpath: error: unknown command \"{}\"\n{}", cmd, kUsage);
    return EXIT_BAD_INPUT;
  } catch (const ConfigError& e) {
    print_diagnostic(files, e.loc(), "error", e.what());
    return EXIT_BAD_INPUT;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kpath: internal error: {}\n", e.what());
    return EXIT_BAD_INPUT;
  }
}

}  // namespace kpath

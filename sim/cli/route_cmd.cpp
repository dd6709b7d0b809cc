// kpath route get ADDR [from A] [iif DEV] [oif DEV] [mark N] [tos N|dsfield N] [ipproto P]
//                       [sport N] [dport N] [uid N] [fibmatch] [-j] [-d] [-o] -c CONFIG...
//                       [--set VAR=VAL] [--host NS] [--kernel V] [--lenient] [--format text|json]
// Prints what `ip route get` prints on a host configured like CONFIG, with ip's exit status
// (0; 1 for an unknown device or no destination; 2 when the kernel answers an error).
#include <cstdio>
#include <fmt/format.h>
#include "sim/cli/commands.hpp"
#include "sim/cli/load.hpp"
#include "sim/render/iproute_print.hpp"

namespace kpath {

int cmd_route(const CliArgs& a, FileTable& files) {
  // a.raw is everything after "route": kpath's own options anywhere, ip's global output options
  // (-j, -d, -o) anywhere, the rest is iproute2's `route get` grammar.
  CliArgs c;
  c.lenient = a.lenient;
  IpOptions o;
  std::vector<std::string> words;
  const auto& raw = a.raw;
  for (size_t i = 0; i < raw.size(); ++i) {
    const std::string& s = raw[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= raw.size()) throw ConfigError({}, fmt::format("option {} needs a value", s));
      return raw[++i];
    };
    if (s == "-c" || s == "--config") c.configs.push_back(value());
    else if (s == "--host") c.host = value();
    else if (s == "--kernel") c.kernel = value();
    else if (s == "--lenient") c.lenient = true;
    else if (s == "--set") {
      const std::string& kv = value();
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) throw ConfigError({}, fmt::format("--set expects VAR=VALUE, got \"{}\"", kv));
      c.set_vars.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (s == "--format" || s == "-f") {
      const std::string& f = value();
      if (f != "text" && f != "json") throw ConfigError({}, fmt::format("unknown --format \"{}\"; expected text or json", f));
      o.json = f == "json";
    } else if (s == "-j" || s == "-json" || s == "--json") o.json = true;
    else if (s == "-d" || s == "-details" || s == "--details") ++o.details;
    else if (s == "-o" || s == "-oneline" || s == "--oneline") o.oneline = true;
    else words.push_back(s);
  }
  if (words.empty() || words[0] != "get")
    throw ConfigError({}, "usage: kpath route get ADDR [from ADDR] [iif DEV] [oif DEV] [mark N] [tos N] [ipproto P] [sport N] "
                          "[dport N] [uid N] [fibmatch] [-j] [-d] [-o] -c CONFIG...");
  if (c.configs.empty()) throw ConfigError({}, "route get needs at least one CONFIG file (-c FILE)");
  Loaded l = load_and_compile(c, files);
  const HostConfig* host = c.host.empty() ? &l.set.hosts[0] : l.set.find_host(c.host);
  const IpOutput r = iproute_get(l.net, std::vector<std::string>(words.begin() + 1, words.end()), o, host ? &host->rt_tables : nullptr);
  std::fputs(r.out.c_str(), stdout);
  std::fflush(stdout);
  std::fputs(r.err.c_str(), stderr);
  return r.status;
}

}  // namespace kpath

#include "sim/cli/load.hpp"
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include "sim/config/compile.hpp"
#include "sim/config/script.hpp"

namespace kpath {

kernel::KernelProfile profile_for(const std::string& v) {
  kernel::KernelProfile p;
  if (v.empty() || v == "6.13" || v == "6.18" || v == "latest") return p;
  if (v == "6.12") { p.name = "6.12"; p.route_input_reasons = false; p.has_rule_dscp = false; return p; }
  if (v == "6.6" || v == "6.1") {
    p.name = v == "6.6" ? "6.6" : "6.1";
    p.route_input_reasons = false;
    p.has_rule_dscp = false;
    p.forw_counted_before_hook = false;
    p.has_out_transmits = false;
    p.icmp_ratelimit_counters = v == "6.6";
    return p;
  }
  throw ConfigError({}, fmt::format("unknown --kernel \"{}\"; expected 6.1, 6.6, 6.12 or 6.13", v));
}

Loaded load_and_compile(const CliArgs& a, FileTable& files) {
  LoadOptions opt;
  for (auto& [k, v] : a.set_vars) opt.set_vars[k] = v;
  opt.lenient = a.lenient;
  Loaded l;
  l.set.hosts.push_back(HostConfig::running_host());
  try {
    for (const auto& p : a.configs) {
      std::ifstream in(p);
      if (!in) throw ConfigError({}, fmt::format("{}: cannot open config file", p));
      std::stringstream ss;
      ss << in.rdbuf();
      load_script_text(l.set, p, ss.str(), opt);
    }
  } catch (...) {
    files = l.set.files;
    throw;
  }
  files = l.set.files;
  for (auto& d : l.set.diagnostics)
    if (d.severity != Diagnostic::Severity::note) {
      print_diagnostic(files, d.loc, "warning", d.message);
    }
  const HostConfig* host = &l.set.hosts[0];
  if (!a.host.empty()) {
    host = l.set.find_host(a.host);
    if (!host) {
      std::string names;
      for (auto& h : l.set.hosts) if (!h.name.empty()) names += (names.empty() ? "" : ", ") + h.name;
      throw ConfigError({}, fmt::format("--host {}: no such network namespace in the config{}", a.host, names.empty() ? "" : "; it has: " + names));
    }
  }
  l.net = compile(*host, profile_for(a.kernel));
  return l;
}

}  // namespace kpath

// The script importer: reads shell-style config files (ip, iptables, iptables-restore,
// sysctl, echo > /proc/sys, #kpath directives) the way bash and the tools would, into a
// ConfigSet. Nothing is executed.
#pragma once
#include <map>
#include <string>
#include <vector>
#include "sim/config/host_config.hpp"
#include "sim/config/lexer.hpp"

namespace kpath {

struct LoadOptions {
  std::map<std::string, std::string> set_vars;  // --set VAR=VALUE
  bool use_environment = true;
  // Statements kpath recognises but does not model (nft, ebtables, tc; iptables rules using an
  // extension or option it lacks; ipset types it lacks) become warnings that skip the statement
  // or rule, with its location, instead of errors.
  bool lenient = false;
};

// Reads every file into one ConfigSet (the files describe one host, plus any namespaces they
// create). Throws ConfigError with file:line:column on bad input.
ConfigSet load_configs(const std::vector<std::string>& paths, const LoadOptions& opt);
// Same, from in-memory text (tests, Python bindings).
void load_script_text(ConfigSet& set, const std::string& path, const std::string& text, const LoadOptions& opt);

}  // namespace kpath

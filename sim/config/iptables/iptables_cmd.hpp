// iptables userspace: the command-line front end (iptables/xshared.c do_parse) and the
// iptables-restore/iptables-save format, both producing kernel::IptEntry values in a
// HostConfig's tables. Option handling per extension lives in xt/libxt_*.cpp, one option table
// per extension as iptables' extensions/ do.
#pragma once
#include <string>
#include <string_view>
#include <vector>
#include "sim/config/host_config.hpp"
#include "sim/config/lexer.hpp"

namespace kpath {

// Applies one `iptables ARGS...` command (argv = the words after the command name, e.g. after
// "iptables", "iptables-nft", "iptables-legacy") to `host`. Errors throw ConfigError at the
// offending word with iptables' wording plus what was expected; notes (ignored flags such as
// -w, listing commands) go to `notes`. With `lenient`, a rule kpath recognises but does not
// model (an extension or option iptables has and kpath lacks) is skipped with a warning at its
// location instead of failing.
void iptables_command(HostConfig& host, const std::vector<Word>& argv, const Command& cmd, std::vector<Diagnostic>& notes,
                      bool lenient = false);

// Applies iptables-restore input (also what iptables-save prints): `*table`, `:CHAIN POLICY
// [p:b]`, `[p:b] -A ...` lines, `COMMIT`, comments. Without `noflush` each table named in
// the input is flushed first (chains emptied, user chains deleted), as iptables-restore does.
// `first_line` is the SourceLoc of the first line of `text` (file id + line), so that errors
// point into here-documents correctly. `lenient` skips unmodelled rules as iptables_command does.
void iptables_restore(HostConfig& host, const std::string& text, SourceLoc first_line, bool noflush, std::vector<Diagnostic>& notes,
                      bool lenient = false);

// The rule as `iptables -S` (and iptables-save) prints it: "-A CHAIN -p tcp -m tcp --dport 80 -j ACCEPT".
// iptables-nft lists several tcp/udp port matches of one rule as one; `legacy` prints them as given.
std::string iptables_rule_text(std::string_view chain, const kernel::IptEntry& e, bool legacy = false);

}  // namespace kpath

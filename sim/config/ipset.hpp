// ipset(8) 7.17 as data: `ipset create/add/del/test/destroy/flush/rename/swap/list/save`, the
// short forms (-N -A -D -T -X -F -E -W -L -S), command prefixes (`ipset a`), -exist / -!, and
// `ipset restore` (a here-document, `-file F` or `< F`) in the format `ipset save` prints.
// Sets live in HostConfig::ipsets; rules that reference a set (-m set, -j SET) hold an
// immutable copy of its contents that is refreshed whenever the set changes, as the kernel's
// rules hold the set itself. Errors use ipset's words with file:line:column.
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "sim/config/host_config.hpp"
#include "sim/config/lexer.hpp"

namespace kpath {

// One `ipset ARGS...` command (argv = the words after "ipset"). `files` registers a file read
// by `ipset restore -file F` / `< F` so that errors can point into it. A set type kpath does not
// model is an error, or with `lenient` a warning (the set exists; rules using it are skipped).
void ipset_command(FileTable& files, HostConfig& host, const std::vector<Word>& argv, const Command& cmd, std::vector<Diagnostic>& notes,
                   bool lenient = false);

// `ipset restore` input; `first_line` is the location of its first line.
void ipset_restore(HostConfig& host, const std::string& text, SourceLoc first_line, bool exist, std::vector<Diagnostic>& notes);

// The current contents of set `name` as rules see them (one shared copy per change); nullptr
// when there is no such set.
std::shared_ptr<const kernel::IpSet> ipset_snapshot(HostConfig& host, const std::string& name);

// Binds the set references of a rule (xt_set match, SET target) to the sets' current contents.
void ipset_bind(HostConfig& host, kernel::IptEntry& e);

}  // namespace kpath

// nft userspace (nftables 1.0.6, Debian 12): the `nft` command line and the rule-set language
// of `nft -f` files (what `nft list ruleset` prints), producing kernel::NftTable values in a
// HostConfig. Tables of families ip and inet are modelled; ip6, arp and bridge tables are noted
// and ignored, netdev is refused. Errors throw ConfigError at the offending token with nft's
// wording where known plus what kpath expected.
#pragma once
#include <string>
#include <vector>
#include "sim/config/host_config.hpp"
#include "sim/config/lexer.hpp"

namespace kpath {

// Applies one `nft ARGS...` command (argv = the words after "nft") to `host`: `-f FILE`,
// `-f -` with the command's here-document, `-c` (check only), `-D NAME=VALUE`, or a command
// line (`add table ...`, `add rule ...`, `flush ruleset`, several separated by ';'). `files`
// holds the script text (for exact columns inside quoted words) and receives files read by -f.
// With `lenient`, valid nft that kpath does not model skips its rule (or table element, or
// command) with a warning instead of failing.
void nft_command(FileTable& files, HostConfig& host, const std::vector<Word>& argv, const Command& cmd, std::vector<Diagnostic>& notes,
                 bool lenient = false);

// Applies `nft -f` input. `first_line` is the SourceLoc of the text's first line (a
// here-document's first body line, or line 1 of a file); `files`, when given, holds that file.
void nft_apply_ruleset(HostConfig& host, const std::string& text, SourceLoc first_line, std::vector<Diagnostic>& notes,
                       const FileTable* files = nullptr, bool lenient = false);

}  // namespace kpath

namespace kpath {

// A table in `nft list ruleset` syntax (sets first, then chains with their rules), which
// `nft -f` reads back: for live mode and exports. Priorities print as numbers, rules as read.
std::string nft_list_table(const kernel::NftTable& t);

}  // namespace kpath

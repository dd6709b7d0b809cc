// Shell-style lexer for config scripts: reads a file as bash would split it into simple
// commands, without executing anything. Handles comments, quotes, backslash escapes, line
// continuations, `;` `&&` `||` separators, redirections, here-documents, variable assignments
// and expansion (${VAR}, $VAR, ${VAR:-default}), and `#kpath ...` directive comments.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "sim/core/diag.hpp"

namespace kpath {

struct Word {
  std::string text;     // after quote removal and variable expansion
  SourceLoc loc;        // where the word starts in the file
};

struct Redirect {
  int fd = 1;           // 1 for > and >>, 2 for 2>, 0 for <
  bool append = false;  // >>
  Word target;          // file name (or &1 for 2>&1)
};

struct Heredoc {
  std::string body;     // expanded unless the delimiter was quoted
  SourceLoc loc;        // location of the first body line
  bool expanded = true;
};

struct Command {
  std::vector<Word> argv;          // argv[0] is the command name; assignments removed
  std::vector<Redirect> redirects;
  std::optional<Heredoc> heredoc;  // `cmd <<EOF ... EOF` / `<<-EOF` / `<<'EOF'`
  SourceLoc loc;                   // start of the command
  bool directive = false;          // a `#kpath ...` comment: argv holds the words after "#kpath"
  // `a || b`: true when this command is the right-hand side of `||` (it runs only if the
  // left one failed; kpath treats `cmd || true` as cmd).
  bool after_or = false;
  // `NAME=value cmd`: the assignments written before the command name, expanded, in order. Bash
  // puts them in that command's environment only; they are not visible to later commands.
  std::vector<Word> prefix_assigns;
};

// Variables: file assignments (VAR=value, export VAR=value) apply from their line on; values
// given with --set win over the file; the process environment is consulted last. An unset
// variable without a default is an error naming the variable and location.
struct VarEnv {
  std::map<std::string, std::string> overrides;  // --set VAR=VALUE
  bool use_environment = true;
};

struct LexedScript {
  std::vector<Command> commands;
  std::vector<Diagnostic> notes;   // e.g. "#! line ignored", "set -e ignored"
};

// Throws ConfigError (file:line:col + expected) for unterminated quotes/heredocs, unset variables,
// and shell constructs kpath does not read (if/for/while/case/functions, pipes, $(...), `...`).
// Assignments, export/readonly/local/declare and unset produce no Command. Expansion results
// are not word-split (lexer_impl.hpp lists the simplifications).
LexedScript lex_script(const std::string& text, uint32_t file_id, const VarEnv& env);

}  // namespace kpath

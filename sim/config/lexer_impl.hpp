// Private to the lexer (lexer.cpp: commands; lexer_expand.cpp: quoting and expansion). The
// Lexer is one pass over the text with a cursor that tracks line and column exactly. Words are
// expanded as they are scanned, so a variable assigned by an earlier command is visible to later
// ones in the order bash would apply it.
//
// Deliberate simplifications (kpath reads config scripts, it does not run them):
// - expansion results are not word-split or globbed: `$OPTS` holding "a b" stays one word.
//   Config scripts keep single values (addresses, ports, device names) in variables, and a
//   split would move every later word's location. An unquoted expansion that yields "" still
//   produces no word, as in bash, so `ip link add $EXTRA_OPTS` with an empty value works;
// - no tilde, brace or pathname expansion: `~`, `{a,b}` and `*` stay literal;
// - every variable must be set, as under `set -u`: a typo must not silently become "";
// - columns count UTF-8 code points; a tab is one column; `\r` is a blank (CRLF files).
#pragma once
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "sim/config/lexer.hpp"

namespace kpath::lexer_detail {

inline bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
inline bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

inline bool is_name(std::string_view s) {
  if (s.empty() || !is_name_start(s[0])) return false;
  for (char c : s)
    if (!is_name_char(c)) return false;
  return true;
}

// shell: a command line; directive: the words of a `#kpath` comment, which only whitespace
// separates (`->` or `a|b` are ordinary text there) and which ends at the newline;
// delimiter: a here-document delimiter, quote removal without expansion.
enum class Ctx { shell, directive, delimiter };

// What a `$` turned into; `quoted` results keep an empty word (`$'...'`, `${A:-""}`).
enum class Dollar { literal, expansion, quoted };

struct ScannedWord {
  Word word;
  bool quoted = false;    // any quote or backslash: keeps an empty word, quotes a delimiter
  bool expanded = false;  // an unquoted expansion: an empty result drops the word
  bool plain = true;      // no quoting or expansion at all: may be a reserved word
};

struct PendingHeredoc {
  size_t cmd_index;  // into LexedScript::commands, or kNoCommand when the command produced none
  std::string delim;
  bool strip_tabs;
  bool expand;
  SourceLoc op_loc;  // the `<<`, where an unterminated here-document is reported
};

inline constexpr size_t kNoCommand = static_cast<size_t>(-1);

class Lexer {
 public:
  Lexer(const std::string& text, uint32_t file_id, const VarEnv& env)
      : s_(text), file_id_(file_id), env_(env) {}
  LexedScript run();

 private:
  // cursor
  bool eof() const { return pos_ >= s_.size(); }
  char at(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  SourceLoc here() const { return SourceLoc{file_id_, line_, col_}; }
  void advance(size_t n = 1);
  void skip_continuations();
  void skip_blanks();
  bool at_newline_or_eof() const { return eof() || at() == '\n'; }
  bool ends_word(char c, Ctx ctx) const;
  [[noreturn]] void fail(SourceLoc loc, std::string msg) const { throw ConfigError(loc, std::move(msg)); }
  void note(SourceLoc loc, std::string msg);

  // variables
  std::optional<std::string> lookup(const std::string& name) const;
  std::optional<std::string> lookup_special(const std::string& name) const;
  std::string require(const std::string& name, bool special, SourceLoc loc) const;
  void set_var(const std::string& name, std::string value, SourceLoc loc);

  // words
  ScannedWord scan_word(Ctx ctx);
  void single_quoted(std::string& out, Ctx ctx);
  bool double_quoted(std::string& out, Ctx ctx, bool eval);
  void ansi_c_quoted(std::string& out, Ctx ctx);
  Dollar dollar(std::string& out, bool in_dquote, Ctx ctx, bool eval);
  Dollar braced(std::string& out, SourceLoc loc, bool in_dquote, Ctx ctx, bool eval);
  bool param_word(std::string& out, SourceLoc open, bool in_dquote, Ctx ctx, bool eval);
  [[noreturn]] void substitution(SourceLoc loc, std::string_view what) const;

  // commands
  void start_command(SourceLoc loc);
  bool end_command();
  void word();
  void redirect(int fd, SourceLoc loc);
  void heredoc_op(SourceLoc loc, bool strip_tabs);
  void here_string(SourceLoc loc);
  void declaration(const Command& c);
  void unset(const Command& c);
  void comment();
  bool directive_ahead() const;
  void directive();
  void separator_list(std::string_view op, SourceLoc loc);
  void paren(SourceLoc loc);
  void read_heredocs();
  void read_heredoc(const PendingHeredoc& p);
  bool looks_like_assignment() const;
  bool fd_redirect_ahead(size_t* len) const;

  const std::string& s_;
  uint32_t file_id_;
  const VarEnv& env_;
  size_t pos_ = 0;
  uint32_t line_ = 1, col_ = 1;

  std::map<std::string, std::string> vars_;  // file assignments so far
  std::set<std::string> unset_;               // `unset NAME`: hides the environment's NAME too
  // `A=1 B=$A cmd`: later prefix assignments see earlier ones, the command's words do not.
  std::vector<std::pair<std::string, std::string>> prefix_;
  bool prefix_active_ = false;
  std::set<std::string> noted_overrides_;

  LexedScript out_;
  Command cmd_;
  bool cmd_started_ = false;
  bool in_prefix_ = true;           // no command name yet: NAME=value words assign
  bool has_stdin_doc_ = false;      // cmd_ has a here-document or here-string
  std::vector<PendingHeredoc> cmd_docs_;
  std::vector<PendingHeredoc> pending_docs_;  // bodies start after the next newline
  bool line_has_tokens_ = false;
  bool after_or_next_ = false;
  std::string_view cond_op_;         // "&&"/"||" before the command being assembled
  std::string_view need_cmd_op_;     // set after `&&`/`||` until a command starts
  SourceLoc need_cmd_loc_;
};

}  // namespace kpath::lexer_detail

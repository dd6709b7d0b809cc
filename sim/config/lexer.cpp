// Shell-style lexer (lexer.hpp): splits a script into simple commands as bash would, without
// running anything. This file assembles commands (separators, redirections, here-documents,
// assignments, #kpath directives); lexer_expand.cpp reads words. The simplifications are listed
// in lexer_impl.hpp.
#include "sim/config/lexer.hpp"

#include <fmt/format.h>

#include <array>

#include "sim/config/lexer_impl.hpp"

namespace kpath {
namespace lexer_detail {
namespace {

// Reserved words and grouping that only make sense when the shell runs the script.
constexpr std::array<std::string_view, 16> kControlWords = {
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do",
    "done", "case", "esac", "function", "select", "{", "}"};

// Builtins whose NAME=value arguments assign shell variables (bash "declaration builtins").
constexpr std::array<std::string_view, 5> kDeclBuiltins = {"export", "readonly", "local", "declare",
                                                           "typeset"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& set, std::string_view s) {
  for (auto w : set)
    if (w == s) return true;
  return false;
}

}  // namespace

// --- commands -------------------------------------------------------------------------------

void Lexer::start_command(SourceLoc loc) {
  line_has_tokens_ = true;
  need_cmd_op_ = {};
  if (cmd_started_) return;
  cmd_started_ = true;
  cmd_ = Command{};
  cmd_.loc = loc;
}

// Ends the command being assembled; false when there was none (`;` with nothing before it).
bool Lexer::end_command() {
  if (!cmd_started_) return false;
  size_t index = kNoCommand;
  bool assigns_only = cmd_.argv.empty() && !cmd_.prefix_assigns.empty();
  bool declares = !cmd_.argv.empty() && one_of(kDeclBuiltins, cmd_.argv[0].text);
  bool unsets = !cmd_.argv.empty() && cmd_.argv[0].text == "unset";
  if (!cond_op_.empty() && (assigns_only || declares || unsets))
    note(cmd_.loc, fmt::format("assignment after `{}` applied unconditionally: kpath does not run "
                               "the command before it", cond_op_));
  if (cmd_.argv.empty()) {
    // No command name: bash applies the assignments to the shell itself.
    for (size_t i = 0; i < prefix_.size(); ++i) set_var(prefix_[i].first, prefix_[i].second, cmd_.prefix_assigns[i].loc);
    if (!cmd_.redirects.empty() || has_stdin_doc_)
      note(cmd_.loc, "redirection without a command ignored");
  } else if (declares) {
    declaration(cmd_);
  } else if (unsets) {
    unset(cmd_);
  } else {
    cmd_.after_or = after_or_next_;
    out_.commands.push_back(std::move(cmd_));
    index = out_.commands.size() - 1;
  }
  for (auto& d : cmd_docs_) {
    d.cmd_index = index;
    pending_docs_.push_back(std::move(d));
  }
  cmd_docs_.clear();
  prefix_.clear();
  cmd_started_ = false;
  in_prefix_ = true;
  has_stdin_doc_ = false;
  after_or_next_ = false;
  cond_op_ = {};
  return true;
}

// Does a NAME= or NAME+= start here? Decided on the raw text: `"A"=1` is not an assignment.
bool Lexer::looks_like_assignment() const {
  size_t i = pos_;
  if (i >= s_.size() || !is_name_start(s_[i])) return false;
  while (i < s_.size() && is_name_char(s_[i])) ++i;
  if (i < s_.size() && s_[i] == '+') ++i;
  return i < s_.size() && s_[i] == '=';
}

void Lexer::word() {
  SourceLoc loc = here();
  start_command(loc);
  bool assignment = in_prefix_ && looks_like_assignment();
  prefix_active_ = assignment;
  ScannedWord w = scan_word(Ctx::shell);
  prefix_active_ = false;
  if (assignment) {
    const std::string& t = w.word.text;
    size_t eq = t.find('=');
    bool append = t[eq - 1] == '+';
    std::string name = t.substr(0, append ? eq - 1 : eq);
    std::string value = t.substr(eq + 1);
    if (append) {
      prefix_active_ = true;
      value = lookup(name).value_or("") + value;
      prefix_active_ = false;
    }
    prefix_.emplace_back(name, value);
    cmd_.prefix_assigns.push_back(std::move(w.word));
    return;
  }
  in_prefix_ = false;
  if (w.word.text.empty() && w.expanded && !w.quoted) return;  // `$EMPTY` is no word at all
  if (cmd_.argv.empty() && w.plain && one_of(kControlWords, w.word.text))
    fail(w.word.loc, fmt::format("shell control flow (`{}`) is not supported: kpath reads "
                                 "straight-line scripts", w.word.text));
  cmd_.argv.push_back(std::move(w.word));
}

// `export A=1 B`, `readonly`, `local`, `declare`: assign from the already expanded arguments,
// left to right (so `export A=1 B=$A` sees the old A, as in bash).
void Lexer::declaration(const Command& c) {
  for (size_t i = 1; i < c.argv.size(); ++i) {
    const Word& a = c.argv[i];
    if (a.text.starts_with('-') || a.text.starts_with('+')) continue;  // -x, -r, -g: no value
    size_t eq = a.text.find('=');
    std::string name = a.text.substr(0, eq);
    bool append = eq != std::string::npos && !name.empty() && name.back() == '+';
    if (append) name.pop_back();
    if (!is_name(name))
      fail(a.loc, fmt::format("{}: `{}` is not a valid identifier", c.argv[0].text, a.text));
    if (eq == std::string::npos) continue;  // `export NAME`: the value is unchanged
    std::string value = a.text.substr(eq + 1);
    if (append) value = lookup(name).value_or("") + value;
    set_var(name, std::move(value), a.loc);
  }
}

// `unset NAME...` removes file assignments; `unset -f` names functions, which kpath rejects
// anyway, so it changes nothing.
void Lexer::unset(const Command& c) {
  bool functions = false;
  for (size_t i = 1; i < c.argv.size(); ++i) {
    const Word& a = c.argv[i];
    if (a.text == "-f") functions = true;
    if (a.text.starts_with('-')) continue;
    if (!is_name(a.text)) fail(a.loc, fmt::format("unset: `{}` is not a valid identifier", a.text));
    if (functions) continue;
    vars_.erase(a.text);
    unset_.insert(a.text);
  }
}

// `2>`, `10>>`: digits immediately followed by `<` or `>` name the file descriptor.
bool Lexer::fd_redirect_ahead(size_t* len) const {
  size_t i = pos_;
  while (i < s_.size() && is_digit(s_[i])) ++i;
  if (i == pos_ || i >= s_.size() || (s_[i] != '<' && s_[i] != '>')) return false;
  *len = i - pos_;
  return true;
}

void Lexer::redirect(int fd, SourceLoc loc) {
  start_command(loc);
  bool both = false, dup = false, append = false;
  int dflt = 1;
  size_t op_start = pos_;
  SourceLoc amp;  // the `&` of `2>&1`: where its "&1" target is reported
  if (at() == '&') {  // &> and &>>: stdout and stderr
    both = true;
    advance();
  }
  if (at() == '<') {
    if (at(1) == '<') {
      if (at(2) == '<') {
        advance(3);
        return here_string(loc);
      }
      advance(2);
      bool strip = at() == '-';
      if (strip) advance();
      return heredoc_op(loc, strip);
    }
    advance();
    dflt = 0;
    if (at() == '&') dup = true, amp = here(), advance();
    else if (at() == '>') advance();  // <> opens read-write; kpath only needs the name
  } else {
    advance();
    if (at() == '>') append = true, advance();
    else if (at() == '&' && !both) dup = true, amp = here(), advance();
    else if (at() == '|') advance();  // >| ignores noclobber
  }
  std::string op = s_.substr(op_start, pos_ - op_start);
  if (at() == '(') fail(loc, fmt::format("process substitution `{}(...)` is not supported", op));
  skip_blanks();
  if (eof() || ends_word(at(), Ctx::shell))
    fail(loc, fmt::format("syntax error: expected a file name after `{}`", op));
  ScannedWord w = scan_word(Ctx::shell);
  if (w.word.text.empty() && !w.quoted)
    fail(w.word.loc, fmt::format("ambiguous redirect: the file name after `{}` expands to nothing", op));
  Redirect r;
  r.fd = fd >= 0 ? fd : dflt;
  r.append = append;
  r.target = std::move(w.word);
  if (dup) {
    const std::string& t = r.target.text;
    bool number = !t.empty() && t.find_first_not_of("0123456789") == std::string::npos;
    if (number || t == "-") {
      r.target = Word{"&" + t, amp};
    } else if (fd < 0 && dflt == 1) {
      both = true;  // `>&file` is `&>file`
    } else {
      fail(r.target.loc, fmt::format("ambiguous redirect: expected a file descriptor number after `{}`", op));
    }
  }
  cmd_.redirects.push_back(r);
  // &>file is >file 2>&1 (bash REDIRECTION), so consumers see one shape for both spellings.
  if (both) cmd_.redirects.push_back(Redirect{2, false, Word{"&1", loc}});
}

void Lexer::heredoc_op(SourceLoc loc, bool strip_tabs) {
  std::string op = strip_tabs ? "<<-" : "<<";
  skip_blanks();
  if (eof() || ends_word(at(), Ctx::shell))
    fail(loc, fmt::format("syntax error: expected a here-document delimiter after `{}`", op));
  if (has_stdin_doc_) fail(loc, "more than one here-document for one command is not supported");
  ScannedWord w = scan_word(Ctx::delimiter);
  has_stdin_doc_ = true;
  cmd_docs_.push_back(PendingHeredoc{kNoCommand, w.word.text, strip_tabs, !w.quoted, loc});
}

// `<<< word` is a here-document holding the expanded word and a newline.
void Lexer::here_string(SourceLoc loc) {
  skip_blanks();
  if (eof() || ends_word(at(), Ctx::shell))
    fail(loc, "syntax error: expected a word after `<<<`");
  if (has_stdin_doc_) fail(loc, "more than one here-document for one command is not supported");
  ScannedWord w = scan_word(Ctx::shell);
  has_stdin_doc_ = true;
  cmd_.heredoc = Heredoc{w.word.text + "\n", w.word.loc, true};
}

void Lexer::read_heredocs() {
  for (const auto& p : pending_docs_) read_heredoc(p);
  pending_docs_.clear();
}

// Called at the start of the line after the command line. Bash reads unquoted bodies with
// backslash-newline joining lines, so a continued line is never taken as the delimiter.
void Lexer::read_heredoc(const PendingHeredoc& p) {
  Heredoc h{"", SourceLoc{file_id_, line_, 1}, p.expand};
  for (;;) {
    if (eof())
      fail(p.op_loc, fmt::format("unterminated here-document: expected a line `{}` before the end "
                                 "of the file", p.delim));
    if (p.strip_tabs)
      while (at() == '\t') advance();
    size_t end = s_.find('\n', pos_);
    if (end == std::string::npos) end = s_.size();
    std::string_view line = std::string_view(s_).substr(pos_, end - pos_);
    if (line.ends_with('\r')) line.remove_suffix(1);  // CRLF files, as elsewhere
    if (line == p.delim) {
      advance(end - pos_ + 1);
      break;
    }
    while (!eof()) {
      if (p.expand) skip_continuations();
      if (eof()) break;
      char c = at();
      if (c == '\n') {
        h.body += '\n';
        advance();
        break;
      }
      if (!p.expand) {
        h.body += c;
        advance();
      } else if (c == '\\' && (at(1) == '$' || at(1) == '`' || at(1) == '\\')) {
        h.body += at(1);
        advance(2);
      } else if (c == '$') {
        dollar(h.body, true, Ctx::shell, true);
      } else if (c == '`') {
        substitution(here(), "`...`");
      } else {
        h.body += c;
        advance();
      }
    }
  }
  if (p.cmd_index != kNoCommand) out_.commands[p.cmd_index].heredoc = std::move(h);
}

// `#kpath ...` or `# kpath ...` as a whole line; `#kpath:` is accepted too.
bool Lexer::directive_ahead() const {
  std::string_view rest = std::string_view(s_).substr(pos_);
  size_t n = rest.starts_with("#kpath") ? 6 : rest.starts_with("# kpath") ? 7 : 0;
  if (!n) return false;
  if (!(n == rest.size() || is_blank(rest[n]) || rest[n] == '\n' || rest[n] == ':')) return false;
  if (n == 6) return true;
  // The spaced form `# kpath ...` is also how prose comments start ("# kpath reads this file"):
  // it is a directive only when a directive keyword follows.
  size_t i = n;
  if (i < rest.size() && rest[i] == ':') ++i;
  while (i < rest.size() && is_blank(rest[i])) ++i;
  const std::string_view word = rest.substr(i, rest.find_first_of(" \t\n:", i) - i);
  return word == "socket" || word == "expect";
}

void Lexer::comment() {
  if (!line_has_tokens_ && !cmd_started_ && directive_ahead()) return directive();
  while (!eof() && at() != '\n') advance();  // a comment ignores backslash-newline
}

void Lexer::directive() {
  Command d;
  d.loc = here();
  d.directive = true;
  advance(at(1) == ' ' ? 7 : 6);
  if (at() == ':') advance();
  for (;;) {
    while (!eof() && is_blank(at())) advance();
    if (at_newline_or_eof()) break;
    ScannedWord w = scan_word(Ctx::directive);
    if (w.word.text.empty() && w.expanded && !w.quoted) continue;
    d.argv.push_back(std::move(w.word));
  }
  out_.commands.push_back(std::move(d));  // even without words: the dispatcher says what it expects
}

// `&&` and `||`: the next command may start on a later line (bash reads on after the operator).
void Lexer::separator_list(std::string_view op, SourceLoc loc) {
  advance(2);
  if (!end_command()) fail(loc, fmt::format("syntax error near unexpected token `{}`", op));
  after_or_next_ = op == "||";
  cond_op_ = op;
  need_cmd_op_ = op;
  need_cmd_loc_ = loc;
}

void Lexer::paren(SourceLoc loc) {
  if (at() == '(' && cmd_started_ && cmd_.argv.size() == 1 && cmd_.redirects.empty()) {
    size_t i = pos_ + 1;
    while (i < s_.size() && is_blank(s_[i])) ++i;
    if (i < s_.size() && s_[i] == ')')
      fail(cmd_.argv[0].loc, fmt::format("shell control flow (function definition `{}()`) is not "
                                         "supported: kpath reads straight-line scripts", cmd_.argv[0].text));
  }
  fail(loc, fmt::format("shell control flow (`{}`) is not supported: kpath reads straight-line "
                        "scripts", at()));
}

LexedScript Lexer::run() {
  if (s_.starts_with("#!")) {
    note(here(), "#! line ignored: kpath reads the script itself, whatever interpreter it names");
    while (!eof() && at() != '\n') advance();
  }
  for (;;) {
    skip_blanks();
    if (eof()) break;
    SourceLoc loc = here();
    char c = at();
    size_t fd_len = 0;
    if (c == '\n') {
      advance();
      end_command();
      read_heredocs();
      line_has_tokens_ = false;
    } else if (c == '#') {
      comment();
    } else if (c == ';') {
      if (at(1) == ';') fail(loc, "shell control flow (`;;`) is not supported: kpath reads straight-line scripts");
      advance();
      line_has_tokens_ = true;
      if (!end_command()) fail(loc, "syntax error near unexpected token `;`");
    } else if (c == '&' && at(1) == '&') {
      line_has_tokens_ = true;
      separator_list("&&", loc);
    } else if (c == '|' && at(1) == '|') {
      line_has_tokens_ = true;
      separator_list("||", loc);
    } else if (c == '&' && at(1) != '>') {
      advance();
      line_has_tokens_ = true;
      if (!end_command()) fail(loc, "syntax error near unexpected token `&`");
      note(loc, "`&` (run in background) read as a command separator");
    } else if (c == '|') {
      fail(loc, "pipes are not supported: kpath reads each command on its own; write the commands "
                "as separate lines");
    } else if (c == '(' || c == ')') {
      paren(loc);
    } else if (c == '<' || c == '>' || c == '&') {
      redirect(-1, loc);
    } else if (fd_redirect_ahead(&fd_len)) {
      if (fd_len > 4) fail(loc, fmt::format("file descriptor {} is out of range", s_.substr(pos_, fd_len)));
      int fd = std::stoi(s_.substr(pos_, fd_len));
      advance(fd_len);
      redirect(fd, loc);
    } else {
      word();
    }
  }
  end_command();
  if (!need_cmd_op_.empty())
    fail(need_cmd_loc_, fmt::format("syntax error: expected a command after `{}` before the end of "
                                    "the file", need_cmd_op_));
  if (!pending_docs_.empty()) read_heredocs();  // at EOF: reports the unterminated here-document
  return std::move(out_);
}

}  // namespace lexer_detail

LexedScript lex_script(const std::string& text, uint32_t file_id, const VarEnv& env) {
  return lexer_detail::Lexer(text, file_id, env).run();
}

}  // namespace kpath

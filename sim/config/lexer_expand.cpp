// Quoting and expansion for the lexer (lexer_impl.hpp): the cursor, variable lookup with
// --set > file > environment precedence, and the word scanner with bash's quoting rules.
#include <fmt/format.h>

#include <cstdlib>

#include "sim/config/lexer_impl.hpp"

namespace kpath::lexer_detail {

// --- cursor ---------------------------------------------------------------------------------

void Lexer::advance(size_t n) {
  for (; n && !eof(); --n) {
    char c = s_[pos_++];
    if (c == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++col_;  // UTF-8 continuation bytes do not start a column
    }
  }
}

// Backslash-newline disappears before words are split, except in single quotes and comments.
void Lexer::skip_continuations() {
  while (at() == '\\' && at(1) == '\n') advance(2);
}

void Lexer::skip_blanks() {
  for (;;) {
    skip_continuations();
    if (eof() || !is_blank(at())) return;
    advance();
  }
}

bool Lexer::ends_word(char c, Ctx ctx) const {
  if (is_blank(c) || c == '\n') return true;
  if (ctx == Ctx::directive) return false;
  return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

void Lexer::note(SourceLoc loc, std::string msg) {
  out_.notes.push_back(Diagnostic{Diagnostic::Severity::note, loc, std::move(msg)});
}

// --- variables ------------------------------------------------------------------------------

// --set wins over the file, the file over the process environment.
std::optional<std::string> Lexer::lookup(const std::string& name) const {
  if (auto it = env_.overrides.find(name); it != env_.overrides.end()) return it->second;
  if (prefix_active_)
    for (auto it = prefix_.rbegin(); it != prefix_.rend(); ++it)
      if (it->first == name) return it->second;
  if (auto it = vars_.find(name); it != vars_.end()) return it->second;
  if (env_.use_environment && !unset_.count(name))
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

// $1, $@, $#, $?...: only what --set provides; the environment's "1" is not a script argument.
std::optional<std::string> Lexer::lookup_special(const std::string& name) const {
  if (auto it = env_.overrides.find(name); it != env_.overrides.end()) return it->second;
  return std::nullopt;
}

std::string Lexer::require(const std::string& name, bool special, SourceLoc loc) const {
  if (!special) {
    if (auto v = lookup(name)) return *v;
    fail(loc, fmt::format("variable {0} is not set (set it in the file, with --set {0}=VALUE, or in "
                          "the environment)", name));
  }
  if (auto v = lookup_special(name)) return *v;
  if (is_digit(name[0]) || name == "@" || name == "*" || name == "#")
    fail(loc, fmt::format("script arguments are not supported: ${0} is not set (kpath does not run "
                          "the script with arguments; use --set {0}=VALUE)", name));
  fail(loc, fmt::format("special parameter ${0} is not supported: kpath does not run commands "
                        "(use --set {0}=VALUE)", name));
}

void Lexer::set_var(const std::string& name, std::string value, SourceLoc loc) {
  if (env_.overrides.count(name) && noted_overrides_.insert(name).second)
    note(loc, fmt::format("{0}={1} in the file is overridden by --set {0}={2}", name, value,
                          env_.overrides.at(name)));
  unset_.erase(name);
  vars_[name] = std::move(value);
}

// --- words ----------------------------------------------------------------------------------

ScannedWord Lexer::scan_word(Ctx ctx) {
  ScannedWord w;
  w.word.loc = here();
  std::string& out = w.word.text;
  for (;;) {
    if (ctx != Ctx::directive) skip_continuations();
    if (eof() || ends_word(at(), ctx)) break;
    char c = at();
    if (c == '\'') {
      single_quoted(out, ctx);
      w.quoted = true, w.plain = false;
    } else if (c == '"') {
      double_quoted(out, ctx, true);
      w.quoted = true, w.plain = false;
    } else if (c == '\\') {
      advance();
      w.quoted = true, w.plain = false;
      if (eof() || at() == '\n') {
        out += '\\';  // at the end of a directive line or of the file: nothing to escape
      } else {
        out += at();
        advance();
      }
    } else if (c == '$' && ctx != Ctx::delimiter) {
      Dollar d = dollar(out, false, ctx, true);
      w.plain = false;
      if (d == Dollar::expansion) w.expanded = true;
      if (d == Dollar::quoted) w.quoted = true;
    } else if (c == '`' && ctx != Ctx::delimiter) {
      substitution(here(), "`...`");
    } else {
      out += c;
      advance();
    }
  }
  return w;
}

void Lexer::single_quoted(std::string& out, Ctx ctx) {
  SourceLoc open = here();
  advance();
  for (;;) {
    if (eof() || (ctx == Ctx::directive && at() == '\n'))
      fail(open, "unterminated single quote: expected a closing `'`");
    if (at() == '\'') {
      advance();
      return;
    }
    out += at();
    advance();
  }
}

// Inside "...", a backslash only escapes $ ` " \ and newline (bash QUOTING); returns whether
// anything was expanded.
bool Lexer::double_quoted(std::string& out, Ctx ctx, bool eval) {
  SourceLoc open = here();
  advance();
  bool expanded = false;
  for (;;) {
    if (ctx != Ctx::directive) skip_continuations();
    if (eof() || (ctx == Ctx::directive && at() == '\n'))
      fail(open, "unterminated double quote: expected a closing `\"`");
    char c = at();
    if (c == '"') {
      advance();
      return expanded;
    }
    if (c == '\\' && (at(1) == '"' || at(1) == '\\' || at(1) == '$' || at(1) == '`')) {
      out += at(1);
      advance(2);
    } else if (c == '$' && ctx != Ctx::delimiter) {
      if (dollar(out, true, ctx, eval) != Dollar::literal) expanded = true;
    } else if (c == '`' && ctx != Ctx::delimiter) {
      substitution(here(), "`...`");
    } else {
      out += c;
      advance();
    }
  }
}

// $'...' (bash ANSI-C quoting): the common escapes; anything else keeps its backslash.
void Lexer::ansi_c_quoted(std::string& out, Ctx ctx) {
  SourceLoc open = here();
  advance();  // the quote; the `$` is already consumed
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (;;) {
    if (eof() || (ctx == Ctx::directive && at() == '\n'))
      fail(open, "unterminated $'...' string: expected a closing `'`");
    char c = at();
    if (c == '\'') {
      advance();
      return;
    }
    if (c != '\\') {
      out += c;
      advance();
      continue;
    }
    char e = at(1);
    advance(2);
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case 'e': case 'E': out += '\x1b'; break;
      case '\\': case '\'': case '"': case '?': out += e; break;
      case 'x': {
        std::string digits;
        while (digits.size() < 2 && hex(at())) digits += at(), advance();
        if (digits.empty()) out += "\\x";
        else out += static_cast<char>(std::stoi(digits, nullptr, 16));
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0';
          for (int i = 0; i < 2 && at() >= '0' && at() <= '7'; ++i) v = v * 8 + (at() - '0'), advance();
          out += static_cast<char>(v);
        } else {
          out += '\\';
          if (e) out += e;
        }
    }
  }
}

void Lexer::substitution(SourceLoc loc, std::string_view what) const {
  fail(loc, fmt::format("command substitution is not supported ({}): kpath reads the script without "
                        "running commands; write the value, or use a variable", what));
}

// At a `$`. `eval` false scans the syntax of a default that is not used (`${A:-$B}` with A
// set) without looking B up, as bash does.
Dollar Lexer::dollar(std::string& out, bool in_dquote, Ctx ctx, bool eval) {
  SourceLoc loc = here();
  char n = at(1);
  if (n == '(') substitution(loc, at(2) == '(' ? "$((...))" : "$(...)");
  if (n == '{') return braced(out, loc, in_dquote, ctx, eval);
  if (is_name_start(n)) {
    advance();
    std::string name;
    while (!eof() && is_name_char(at())) name += at(), advance();
    if (eval) out += require(name, false, loc);
    return Dollar::expansion;
  }
  // $1 is one digit: "$10" is "${1}0" in every shell.
  if (n != '\0' && (is_digit(n) || std::string_view("@*#?$!-").find(n) != std::string_view::npos)) {
    advance(2);
    if (eval) out += require(std::string(1, n), true, loc);
    return Dollar::expansion;
  }
  if (!in_dquote && n == '\'') {
    advance();
    ansi_c_quoted(out, ctx);
    return Dollar::quoted;
  }
  if (!in_dquote && n == '"') {  // $"..." (locale translation) reads as "..."
    advance();
    double_quoted(out, ctx, eval);
    return Dollar::quoted;
  }
  out += '$';  // `$` before anything else is literal (`$`, `$/`, "cost: 5$")
  advance();
  return Dollar::literal;
}

Dollar Lexer::braced(std::string& out, SourceLoc loc, bool in_dquote, Ctx ctx, bool eval) {
  advance(2);  // ${
  bool length = false;
  if (at() == '#' && (is_name_start(at(1)) || is_digit(at(1)))) {  // ${#VAR}; ${#} is $#
    length = true;
    advance();
  }
  std::string name;
  if (is_name_start(at())) {
    while (!eof() && is_name_char(at())) name += at(), advance();
  } else if (is_digit(at())) {
    while (!eof() && is_digit(at())) name += at(), advance();
  } else if (at() != '\0' && std::string_view("@*#?$!-").find(at()) != std::string_view::npos) {
    name = at();
    advance();
  } else {
    fail(loc, "bad substitution: expected a variable name after `${`");
  }
  bool special = !is_name_start(name[0]);
  auto value = [&] { return special ? lookup_special(name) : lookup(name); };

  if (at() == '}' || length) {
    if (at() != '}') fail(loc, fmt::format("bad substitution: expected `}}` after `${{#{}`", name));
    advance();
    if (eval) {
      std::string v = require(name, special, loc);
      if (length) {  // characters, not bytes, as bash counts in a UTF-8 locale
        size_t n = 0;
        for (char c : v) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        out += std::to_string(n);
      } else {
        out += v;
      }
    }
    return Dollar::expansion;
  }

  bool colon = at() == ':';
  if (colon) advance();
  char op = at();
  if (op == '\0' || op == '\n') fail(loc, "unterminated `${`: expected a closing `}`");
  if (std::string_view("-=+?").find(op) == std::string_view::npos)
    fail(loc, fmt::format("unsupported parameter expansion `${{{}{}{}...}}`: kpath reads ${{VAR}}, "
                          "${{VAR:-default}}, ${{VAR-default}}, ${{VAR:=default}}, ${{VAR:+alt}} and "
                          "${{VAR:?message}}", name, colon ? ":" : "", op));
  advance();
  std::optional<std::string> v = eval ? value() : std::nullopt;
  bool missing = !v || (colon && v->empty());
  bool use_word = op == '+' ? !missing : missing;
  std::string word;
  bool word_quoted = param_word(word, loc, in_dquote, ctx, eval && use_word);
  if (!eval) return Dollar::expansion;
  switch (op) {
    case '-':
      out += use_word ? word : *v;
      break;
    case '=':
      if (!use_word) {
        out += *v;
        break;
      }
      if (special) fail(loc, fmt::format("cannot assign to ${} with ${{{}{}=...}}", name, name, colon ? ":" : ""));
      set_var(name, word, loc);
      out += word;
      break;
    case '+':
      if (use_word) out += word;
      break;
    case '?':
      if (use_word) {
        if (word.empty()) require(name, special, loc);
        fail(loc, fmt::format("{}: {}", name, word));
      }
      out += *v;
      break;
  }
  return use_word && word_quoted ? Dollar::quoted : Dollar::expansion;
}

// The word after `${VAR:-` up to the matching `}`; returns whether it held quotes.
bool Lexer::param_word(std::string& out, SourceLoc open, bool in_dquote, Ctx ctx, bool eval) {
  bool quoted = false;
  for (;;) {
    if (ctx != Ctx::directive) skip_continuations();
    if (eof() || (ctx == Ctx::directive && at() == '\n'))
      fail(open, "unterminated `${`: expected a closing `}`");
    char c = at();
    if (c == '}') {
      advance();
      return quoted;
    }
    if (c == '\'' && !in_dquote) {
      single_quoted(out, ctx);
      quoted = true;
    } else if (c == '"') {
      double_quoted(out, ctx, eval);
      quoted = true;
    } else if (c == '\\' && at(1) != '\0' &&
               (!in_dquote || std::string_view("\"\\$`}").find(at(1)) != std::string_view::npos)) {
      out += at(1);
      advance(2);
    } else if (c == '$') {
      dollar(out, in_dquote, ctx, eval);
    } else if (c == '`') {
      substitution(here(), "`...`");
    } else {
      out += c;
      advance();
    }
  }
}

}  // namespace kpath::lexer_detail

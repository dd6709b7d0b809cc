#include "sim/config/nft/nft_lex.hpp"
#include <fmt/format.h>
#include <cctype>
#include <optional>

namespace kpath::nft {

namespace {

const std::vector<std::string>* file_lines(const FileTable* files, uint32_t id) {
  if (!files || id == 0 || id >= files->files.size()) return nullptr;
  return &files->files[id].lines;
}

// Replays the shell's quote removal over the file text from the word's start; the columns of the
// characters it yields, or nullopt when they do not reproduce the word (an expansion happened).
std::optional<std::vector<SourceLoc>> map_word(const Word& w, const FileTable* files) {
  const auto* lines = file_lines(files, w.loc.file_id);
  if (!lines || w.loc.line == 0 || w.loc.col == 0) return std::nullopt;
  std::vector<SourceLoc> out;
  std::string got;
  uint32_t line = w.loc.line, col = w.loc.col;
  enum { none, single, dbl } q = none;
  auto ch = [&](uint32_t l, uint32_t c) -> int {
    if (l == 0 || l > lines->size()) return -1;
    const std::string& s = (*lines)[l - 1];
    if (c - 1 < s.size()) return static_cast<unsigned char>(s[c - 1]);
    return c - 1 == s.size() ? '\n' : -1;
  };
  auto step = [&] {
    if (ch(line, col) == '\n') { ++line; col = 1; } else ++col;
  };
  while (got.size() < w.text.size()) {
    const int c = ch(line, col);
    if (c < 0) return std::nullopt;
    const SourceLoc here{w.loc.file_id, line, col};
    if (q == single) {
      if (c == '\'') { q = none; step(); continue; }
    } else if (q == dbl) {
      if (c == '"') { q = none; step(); continue; }
      if (c == '$' || c == '`') return std::nullopt;
      if (c == '\\') {
        step();
        const int n = ch(line, col);
        if (n == '\n') { step(); continue; }
        if (n != '$' && n != '`' && n != '"' && n != '\\') {
          got += '\\';
          out.push_back(here);
          continue;
        }
        got += static_cast<char>(n);
        out.push_back(SourceLoc{w.loc.file_id, line, col});
        step();
        continue;
      }
    } else {
      if (c == '\'') { q = single; step(); continue; }
      if (c == '"') { q = dbl; step(); continue; }
      if (c == '$' || c == '`') return std::nullopt;
      if (c == '\\') {
        step();
        const int n = ch(line, col);
        if (n == '\n') { step(); continue; }
        if (n < 0) return std::nullopt;
        got += static_cast<char>(n);
        out.push_back(SourceLoc{w.loc.file_id, line, col});
        step();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|') return std::nullopt;
    }
    got += static_cast<char>(c);
    out.push_back(here);
    step();
  }
  if (got != w.text) return std::nullopt;
  return out;
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' || c == '/' || c == '-' || c == '*' || c == '$' || c == '[' || c == ']';
}

}  // namespace

Source source_from_text(const std::string& text, SourceLoc first_line, const FileTable* files) {
  Source s;
  s.text = text;
  s.locs.reserve(text.size() + 1);
  const auto* lines = file_lines(files, first_line.file_id);
  uint32_t line = first_line.line ? first_line.line : 1;
  uint32_t col = 1;
  auto line_offset = [&](size_t start) -> uint32_t {
    // `<<-` strips leading tabs: find them again in the file line.
    if (!lines || line == 0 || line > lines->size()) return 0;
    const std::string& raw = (*lines)[line - 1];
    const size_t end = text.find('\n', start);
    const std::string_view body = std::string_view(text).substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (raw.size() > body.size() && raw.compare(raw.size() - body.size(), body.size(), body) == 0) {
      const size_t pre = raw.size() - body.size();
      if (raw.find_first_not_of('\t') >= pre) return static_cast<uint32_t>(pre);
    }
    return 0;
  };
  uint32_t off = line_offset(0);
  for (size_t i = 0; i < text.size(); ++i) {
    s.locs.push_back(SourceLoc{first_line.file_id, line, col + off});
    if (text[i] == '\n') {
      ++line;
      col = 1;
      off = line_offset(i + 1);
    } else {
      ++col;
    }
  }
  s.locs.push_back(SourceLoc{first_line.file_id, line, col + off});
  return s;
}

Source source_from_words(const std::vector<Word>& words, const FileTable* files) {
  Source s;
  for (size_t i = 0; i < words.size(); ++i) {
    const Word& w = words[i];
    if (i) {
      s.text += ' ';
      SourceLoc after = s.locs.empty() ? w.loc : s.locs.back();
      if (after.col) ++after.col;
      s.locs.push_back(after);
    }
    auto mapped = map_word(w, files);
    for (size_t k = 0; k < w.text.size(); ++k) {
      s.text += w.text[k];
      if (mapped) s.locs.push_back((*mapped)[k]);
      else s.locs.push_back(SourceLoc{w.loc.file_id, w.loc.line, w.loc.col ? w.loc.col + static_cast<uint32_t>(k) : 0});
    }
  }
  SourceLoc end = s.locs.empty() ? SourceLoc{} : s.locs.back();
  if (end.col) ++end.col;
  s.locs.push_back(end);
  return s;
}

std::string token_name(const Token& t) {
  switch (t.kind) {
    case Tok::word: {
      bool num = !t.text.empty();
      for (char c : t.text) num = num && (std::isdigit(static_cast<unsigned char>(c)) || c == 'x');
      return num ? "number" : t.text;
    }
    case Tok::str: return "quoted string";
    case Tok::setref: return "'@'";
    case Tok::lbrace: return "'{'";
    case Tok::rbrace: return "'}'";
    case Tok::lparen: return "'('";
    case Tok::rparen: return "')'";
    case Tok::semi: return "semicolon";
    case Tok::nl: return "newline";
    case Tok::comma: return "comma";
    case Tok::assign: return "'='";
    case Tok::eqeq: return "'=='";
    case Tok::neq: return "'!='";
    case Tok::lt: return "'<'";
    case Tok::gt: return "'>'";
    case Tok::le: return "'<='";
    case Tok::ge: return "'>='";
    case Tok::amp: return "'&'";
    case Tok::pipe: return "'|'";
    case Tok::caret: return "'^'";
    case Tok::bang: return "'!'";
    case Tok::plus: return "'+'";
    case Tok::eof: return "end of file";
  }
  return "?";
}

std::vector<Token> scan(const Source& src) {
  const std::string& s = src.text;
  std::vector<Token> out;
  size_t i = 0;
  auto push = [&](Tok k, size_t b, size_t e, std::string text = {}) { out.push_back(Token{k, std::move(text), src.at(b), b, e}); };
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r') { ++i; continue; }
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < s.size() && s[i + 2] == '\n'))) {
      i += s[i + 1] == '\n' ? 2 : 3;
      continue;
    }
    if (c == '\n') { push(Tok::nl, i, i + 1); ++i; continue; }
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      const size_t end = s.find(c, i + 1);
      if (end == std::string::npos || s.find('\n', i + 1) < end)
        throw ConfigError(src.at(i), "Error: syntax error, unterminated quoted string; expected a closing " + std::string(1, c) + " on the same line");
      push(Tok::str, i, end + 1, s.substr(i + 1, end - i - 1));
      i = end + 1;
      continue;
    }
    auto two = [&](char n) { return i + 1 < s.size() && s[i + 1] == n; };
    switch (c) {
      case '{': push(Tok::lbrace, i, i + 1); ++i; continue;
      case '}': push(Tok::rbrace, i, i + 1); ++i; continue;
      case '(': push(Tok::lparen, i, i + 1); ++i; continue;
      case ')': push(Tok::rparen, i, i + 1); ++i; continue;
      case ';': push(Tok::semi, i, i + 1); ++i; continue;
      case ',': push(Tok::comma, i, i + 1); ++i; continue;
      case '&': push(Tok::amp, i, i + 1); ++i; continue;
      case '|': push(Tok::pipe, i, i + 1); ++i; continue;
      case '^': push(Tok::caret, i, i + 1); ++i; continue;
      case '+': push(Tok::plus, i, i + 1); ++i; continue;
      case '=':
        if (two('=')) { push(Tok::eqeq, i, i + 2); i += 2; } else { push(Tok::assign, i, i + 1); ++i; }
        continue;
      case '!':
        if (two('=')) { push(Tok::neq, i, i + 2); i += 2; } else { push(Tok::bang, i, i + 1); ++i; }
        continue;
      case '<':
        if (two('=')) { push(Tok::le, i, i + 2); i += 2; } else { push(Tok::lt, i, i + 1); ++i; }
        continue;
      case '>':
        if (two('=')) { push(Tok::ge, i, i + 2); i += 2; } else { push(Tok::gt, i, i + 1); ++i; }
        continue;
      case '@': {
        size_t j = i + 1;
        while (j < s.size() && word_char(s[j])) ++j;
        if (j == i + 1) throw ConfigError(src.at(i), "Error: syntax error, unexpected '@'; expected a set name after it (@NAME)");
        push(Tok::setref, i, j, s.substr(i + 1, j - i - 1));
        i = j;
        continue;
      }
      default: break;
    }
    if (word_char(c)) {
      size_t j = i;
      while (j < s.size() && word_char(s[j])) ++j;
      push(Tok::word, i, j, s.substr(i, j - i));
      i = j;
      continue;
    }
    throw ConfigError(src.at(i), fmt::format("Error: syntax error, unexpected character '{}'", c));
  }
  push(Tok::eof, s.size(), s.size());
  return out;
}

}  // namespace kpath::nft

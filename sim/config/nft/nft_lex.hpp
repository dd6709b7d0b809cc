// The nft scanner (nftables src/scanner.l) as far as kpath reads rule sets: words, strings,
// punctuation, newlines as statement separators, `#` comments, `\` continuations, and
// `define`d `$VARIABLES`. Every character of the input keeps the SourceLoc it came from, so a
// token inside a here-document or inside a quoted shell word (`'{ type filter ...; }'`) points at
// its exact file line and column.
#pragma once
#include <map>
#include <string>
#include <vector>
#include "sim/config/lexer.hpp"
#include "sim/core/diag.hpp"

namespace kpath::nft {

// Input text with a location per character (and one past the end).
struct Source {
  std::string text;
  std::vector<SourceLoc> locs;
  SourceLoc at(size_t i) const { return locs.empty() ? SourceLoc{} : locs[i < locs.size() ? i : locs.size() - 1]; }
};

// `nft -f` input: line i of `text` is file line first_line.line + i. With the file's lines at
// hand (files), leading tabs a `<<-` here-document stripped are added back to the columns.
Source source_from_text(const std::string& text, SourceLoc first_line, const FileTable* files);
// An nft command line: the words after the options, joined by single spaces as nft joins its
// argv. Columns inside quoted words are recovered from the file text when it is available.
Source source_from_words(const std::vector<Word>& words, const FileTable* files);

enum class Tok : uint8_t {
  word, str, setref, lbrace, rbrace, lparen, rparen, semi, nl, comma, assign,
  eqeq, neq, lt, gt, le, ge, amp, pipe, caret, bang, plus, eof
};

struct Token {
  Tok kind = Tok::eof;
  std::string text;     // words and strings (without quotes); setref: the set name
  SourceLoc loc;
  size_t b = 0, e = 0;  // [b, e) in Source::text, for quoting the input
  bool expanded = false;  // came from (or contains) a $VARIABLE's value
  bool is(std::string_view w) const { return kind == Tok::word && text == w; }
};

// How nft's bison parser names a token in "unexpected X" (keywords by name, '}' quoted, ...).
std::string token_name(const Token& t);

// Tokens of a whole input; `$NAME` is expanded later by the parser (defines are positional).
std::vector<Token> scan(const Source& src);

}  // namespace kpath::nft

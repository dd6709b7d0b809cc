// Internal: the nft parser (nftables src/parser_bison.y + evaluate.c as far as kpath reads
// them). Commands are applied to the HostConfig as they are parsed; commit() then performs the
// kernel's insert-time checks (nf_tables_api.c: chain references, loops, per-expression hook and
// chain-type validation) over every table, as a batch is validated before it is committed.
#pragma once
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "models/netfilter/nf_tables.hpp"
#include "sim/config/host_config.hpp"
#include "sim/config/nft/nft_lex.hpp"

namespace kpath::nft {

struct Parser {
  HostConfig& host;
  std::vector<Diagnostic>& notes;
  const Source& src;
  std::vector<Token> toks;
  size_t pos = 0;
  std::deque<Token> buf;  // lookahead, with $VARIABLES expanded
  std::map<std::string, std::vector<Token>> defines;

  Parser(HostConfig& h, std::vector<Diagnostic>& n, const Source& s) : host(h), notes(n), src(s), toks(scan(s)) {}

  // ---- token stream (nft_lex.cpp tokens, expansion of $NAME on the way) ----
  const Token& peek(size_t k = 0);
  Token next();
  bool at(Tok k, size_t ahead = 0) { return peek(ahead).kind == k; }
  bool at_word(std::string_view w, size_t ahead = 0) { return peek(ahead).is(w); }
  bool accept(Tok k);
  bool accept_word(std::string_view w);
  Token expect(Tok k, std::string_view expecting);
  Token expect_name(std::string_view what);  // identifier: a word or a quoted string
  [[noreturn]] void unexpected(const Token& t, std::string_view expecting) const;
  [[noreturn]] void fail(SourceLoc loc, std::string msg) const { throw ConfigError(loc, std::move(msg)); }
  // Valid nft that kpath does not model (xt::UnmodelledError): with `lenient` the rule, table
  // element or command is skipped with a warning (lenient_skip), else it is an error.
  [[noreturn]] void unmodelled_fail(SourceLoc loc, std::string msg) const;
  void lenient_skip(const ConfigError& e, std::string_view what, int at_depth);
  bool lenient = false;
  int depth = 0;  // braces consumed and not yet closed
  void separator(std::string_view where);    // newline or ';' (nft 1.0.6 wants one before every '}')
  void skip_separators();
  void skip_command();                       // to the end of the current command (balanced braces)
  std::string text(size_t b, size_t e) const;  // the input between offsets, whitespace collapsed
  void define(bool redefine);
  void add_define(const std::string& name, std::vector<Token> value, SourceLoc loc, bool redefine);

  // ---- commands (nft_cmd.cpp) ----
  void parse_input();
  void command();
  struct Spec { std::string family = "ip"; Token family_tok; };
  Spec family();
  bool family_modelled(const Spec& f, const Token& at_tok, std::string_view what);
  int find_table(const std::string& family, const std::string& name) const;
  int table_or_fail(const Spec& f, const Token& name);
  int chain_or_fail(kernel::NftTable& t, const Token& name);
  void cmd_add(bool create, const Token& verb);
  void cmd_table(bool create);
  void table_block(int ti);
  void table_item(int ti);
  void cmd_chain(bool create);
  void chain_decl(int ti, const Token& name, bool create);
  void chain_block(int ti, int ci);
  void cmd_rule(bool insert);
  void cmd_set(bool create);
  void set_block(int ti, int si, bool fresh);
  void cmd_element(bool add);
  void cmd_delete(const Token& verb);
  void cmd_flush();
  void cmd_rename();
  void flush_ruleset(const std::string& family, bool all);
  void reset_xt_table(const std::string& name);
  void elements(kernel::NftSet& s, std::vector<kernel::NftRange>* out_ranges, std::vector<std::string>* out_names);

  // ---- rules (nft_rule.cpp) ----
  kernel::NftRule rule(const kernel::NftTable& t);
  bool statement(const kernel::NftTable& t, kernel::NftRule& r);
  void match_rest(const kernel::NftTable& t, kernel::NftMatch m, const Token& first, kernel::NftRule& r, bool bitmask_type);
  kernel::NftRange value(kernel::NftKey k, const Token& tok);
  void set_statement(const kernel::NftTable& t, bool ct_target, const Token& first, kernel::NftRule& r);
  kernel::NftVerdict verdict_of(const Token& tok);
  void push_expr(kernel::NftRule& r, kernel::NftExprData d, const Token& first, size_t end);
  size_t last_end = 0;  // offset after the last consumed token
  std::vector<Token>* record = nullptr;  // tokens consumed by the rule being read
};

// ---- insert-time validation (nft_commit.cpp) ----
void commit(HostConfig& host);

// Named priorities (nftables src/rule.c std_prios) and hook names.
std::optional<int> std_priority(std::string_view name);
std::optional<kernel::NfHook> hook_by_name(std::string_view name);

}  // namespace kpath::nft

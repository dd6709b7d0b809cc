// nft commands and the rule-set blocks of `nft -f` files (nftables src/parser_bison.y: base_cmd,
// table_block, chain_block, set_block), applied to HostConfig::nft as they are read.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include "sim/config/iptables/xt/xt_registry.hpp"
#include "sim/config/nft/nft_parser.hpp"

namespace kpath::nft {

using namespace kernel;

namespace {

constexpr std::string_view kFamilies[] = {"ip", "ip6", "inet", "arp", "bridge", "netdev"};

bool is_family(std::string_view w) {
  return std::find(std::begin(kFamilies), std::end(kFamilies), w) != std::end(kFamilies);
}

bool whole_variable(const std::string& s) {
  if (s.size() < 2 || s[0] != '$') return false;
  for (size_t i = 1; i < s.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(s[i])) && s[i] != '_') return false;
  return true;
}

std::optional<XtTableId> xt_table_named(std::string_view name) {
  for (size_t i = 0; i < kXtTableNames.size(); ++i)
    if (kXtTableNames[i] == name) return static_cast<XtTableId>(i);
  return std::nullopt;
}

// An iptables-nft table with anything in it (rules, user chains, a non-default policy) exists
// in the kernel as nft table `ip NAME`.
bool xt_table_in_use(const XtTable& t) {
  const XtTable fresh = xt_table_new(t.id);
  if (t.chains.size() != fresh.chains.size()) return true;
  for (const XtChain& c : t.chains)
    if (!c.rules.empty() || c.policy != XtVerdict::ACCEPT) return true;
  return false;
}

}  // namespace

std::optional<int> std_priority(std::string_view name) {
  // nftables src/rule.c std_prios[] (NF_IP_PRI_*)
  static constexpr std::pair<std::string_view, int> prios[] = {
      {"raw", -300}, {"mangle", -150}, {"dstnat", -100}, {"filter", 0}, {"security", 50}, {"srcnat", 100}};
  for (auto& [n, v] : prios)
    if (n == name) return v;
  return std::nullopt;
}

std::optional<NfHook> hook_by_name(std::string_view name) {
  static constexpr std::pair<std::string_view, NfHook> hooks[] = {
      {"prerouting", NF_INET_PRE_ROUTING}, {"input", NF_INET_LOCAL_IN}, {"forward", NF_INET_FORWARD},
      {"output", NF_INET_LOCAL_OUT}, {"postrouting", NF_INET_POST_ROUTING}};
  for (auto& [n, h] : hooks)
    if (n == name) return h;
  return std::nullopt;
}

// ---------------------------------------------------------------- token stream

const Token& Parser::peek(size_t k) {
  while (buf.size() <= k) {
    if (pos >= toks.size()) {
      buf.push_back(toks.back());
      continue;
    }
    const Token t = toks[pos++];
    if (t.kind != Tok::word || t.text.find('$') == std::string::npos) {
      buf.push_back(t);
      continue;
    }
    if (whole_variable(t.text)) {
      const std::string name = t.text.substr(1);
      auto it = defines.find(name);
      if (it == defines.end()) fail(t.loc, fmt::format("Error: unknown identifier '{}'; define it first (`define {} = VALUE`)", name, name));
      for (Token v : it->second) {
        v.loc = t.loc;
        v.b = t.b;
        v.e = t.e;
        v.expanded = true;
        buf.push_back(std::move(v));
      }
      continue;
    }
    // $NAME inside a word (`:$PORT`, `$ADDR:$PORT`): the value's text is spliced in.
    Token w = t;
    w.text.clear();
    w.expanded = true;
    for (size_t i = 0; i < t.text.size();) {
      if (t.text[i] != '$') {
        w.text += t.text[i++];
        continue;
      }
      size_t j = i + 1;
      while (j < t.text.size() && (std::isalnum(static_cast<unsigned char>(t.text[j])) || t.text[j] == '_')) ++j;
      const std::string name = t.text.substr(i + 1, j - i - 1);
      auto it = defines.find(name);
      if (name.empty() || it == defines.end()) fail(t.loc, fmt::format("Error: unknown identifier '{}'; define it first (`define {} = VALUE`)", name, name));
      if (it->second.size() != 1 || (it->second[0].kind != Tok::word && it->second[0].kind != Tok::str))
        fail(t.loc, fmt::format("Error: ${} holds more than one value and cannot be used inside `{}`", name, t.text));
      w.text += it->second[0].text;
      i = j;
    }
    buf.push_back(std::move(w));
  }
  return buf[k];
}

Token Parser::next() {
  peek();
  Token t = std::move(buf.front());
  buf.pop_front();
  if (t.kind != Tok::eof) last_end = t.e;
  if (t.kind == Tok::lbrace) ++depth;
  if (t.kind == Tok::rbrace) --depth;
  if (record) record->push_back(t);
  return t;
}

bool Parser::accept(Tok k) {
  if (!at(k)) return false;
  next();
  return true;
}

bool Parser::accept_word(std::string_view w) {
  if (!at_word(w)) return false;
  next();
  return true;
}

void Parser::unexpected(const Token& t, std::string_view expecting) const {
  fail(t.loc, fmt::format("Error: syntax error, unexpected {}{}{}", token_name(t), expecting.empty() ? "" : ", expecting ", expecting));
}

Token Parser::expect(Tok k, std::string_view expecting) {
  if (!at(k)) unexpected(peek(), expecting);
  return next();
}

Token Parser::expect_name(std::string_view what) {
  if (!at(Tok::word) && !at(Tok::str)) unexpected(peek(), what);
  return next();
}

void Parser::separator(std::string_view) {
  if (at(Tok::nl) || at(Tok::semi)) {
    next();
    return;
  }
  if (at(Tok::eof)) return;
  unexpected(peek(), "newline or semicolon");
}

void Parser::skip_separators() {
  while (at(Tok::nl) || at(Tok::semi)) next();
}

void Parser::skip_command() {
  int depth = 0;
  while (!at(Tok::eof)) {
    if (depth == 0 && (at(Tok::nl) || at(Tok::semi))) return;
    if (at(Tok::lbrace)) ++depth;
    if (at(Tok::rbrace)) {
      if (depth == 0) return;
      --depth;
    }
    next();
  }
}

void Parser::unmodelled_fail(SourceLoc loc, std::string msg) const { throw xt::UnmodelledError(loc, std::move(msg)); }

void Parser::lenient_skip(const ConfigError& e, std::string_view what, int at_depth) {
  if (!lenient) throw ConfigError(e.loc(), std::string(e.what()) + " (use --lenient to skip it with a warning)");
  notes.push_back({Diagnostic::Severity::warning, e.loc(), fmt::format("{}; --lenient: this {} is skipped", e.what(), what)});
  while (!at(Tok::eof)) {
    if (depth == at_depth && (at(Tok::nl) || at(Tok::semi) || at(Tok::rbrace))) return;
    next();
  }
}

std::string Parser::text(size_t b, size_t e) const {
  std::string out;
  const std::string& s = src.text;
  e = std::min(e, s.size());
  bool space = false;
  for (size_t i = b; i < e; ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < e && s[i + 1] == '\n') {
      space = true;
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < e && s[i] != '\n') ++i;
      space = true;
      continue;
    }
    if (c == '"' || c == '\'') {  // a quoted string is copied as it is
      const size_t end = std::min(s.find(c, i + 1), e - 1);
      if (space && !out.empty()) out += ' ';
      space = false;
      out.append(s, i, end - i + 1);
      i = end;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void Parser::add_define(const std::string& name, std::vector<Token> value, SourceLoc loc, bool redefine) {
  if (!redefine && defines.count(name))
    fail(loc, fmt::format("Error: redefinition of symbol '{}'; use `redefine {} = ...` to change it", name, name));
  defines[name] = std::move(value);
}

void Parser::define(bool redefine) {
  Token name = expect(Tok::word, "a variable name");
  expect(Tok::assign, "'='");
  std::vector<Token> value;
  int depth = 0;
  while (!at(Tok::eof) && !(depth == 0 && (at(Tok::nl) || at(Tok::semi)))) {
    if (at(Tok::lbrace)) ++depth;
    if (at(Tok::rbrace)) {
      if (depth == 0) break;
      --depth;
    }
    Token t = next();
    if (depth == 0 || t.kind != Tok::nl) value.push_back(std::move(t));
  }
  if (value.empty()) unexpected(peek(), "a value");
  add_define(name.text, std::move(value), name.loc, redefine);
}

// ---------------------------------------------------------------- commands

void Parser::parse_input() {
  skip_separators();
  while (!at(Tok::eof)) {
    const int d0 = depth;
    try {
      command();
    } catch (const xt::UnmodelledError& e) {
      lenient_skip(e, "command", d0);
    }
    separator("after a command");
    skip_separators();
  }
}

void Parser::command() {
  const Token& t = peek();
  if (t.kind != Tok::word)
    unexpected(t, "a command (add, insert, delete, flush, table, define, ...)");
  const Token verb = t;
  if (verb.is("define") || verb.is("redefine")) {
    next();
    define(verb.is("redefine"));
    return;
  }
  if (verb.is("undefine")) {
    next();
    Token name = expect(Tok::word, "a variable name");
    if (!defines.erase(name.text)) fail(name.loc, fmt::format("Error: undefined symbol '{}'", name.text));
    return;
  }
  if (verb.is("include"))
    unmodelled_fail(verb.loc, "Error: kpath does not follow `include`: give the included file to kpath as its own `nft -f FILE` line, or inline it");
  if (verb.is("add") || verb.is("create")) {
    next();
    cmd_add(verb.is("create"), verb);
    return;
  }
  if (verb.is("insert")) {
    next();
    if (!accept_word("rule")) unexpected(peek(), "rule");
    cmd_rule(true);
    return;
  }
  if (verb.is("replace"))
    unmodelled_fail(verb.loc, "Error: kpath cannot read `replace rule`: it names a rule by its handle, which the kernel assigns at run time; "
                   "write the rule set in order instead (flush the chain and add its rules)");
  if (verb.is("delete") || verb.is("destroy")) {
    next();
    cmd_delete(verb);
    return;
  }
  if (verb.is("flush")) {
    next();
    cmd_flush();
    return;
  }
  if (verb.is("rename")) {
    next();
    cmd_rename();
    return;
  }
  if (verb.is("list") || verb.is("reset") || verb.is("monitor") || verb.is("describe") || verb.is("get") || verb.is("export")) {
    next();
    notes.push_back({Diagnostic::Severity::note, verb.loc, fmt::format("nft {}: output only; no effect on the modelled rule set", verb.text)});
    skip_command();
    return;
  }
  if (verb.is("table") || verb.is("chain") || verb.is("rule") || verb.is("set") || verb.is("element") || verb.is("map")) {
    cmd_add(false, verb);  // `add` is optional before an object (parser_bison.y base_cmd: add_cmd)
    return;
  }
  unexpected(t, "a command (add, insert, delete, flush, table, define, ...)");
}

Parser::Spec Parser::family() {
  Spec s;
  if (at(Tok::word) && is_family(peek().text) && (at(Tok::word, 1) || at(Tok::str, 1))) {
    s.family_tok = next();
    s.family = s.family_tok.text;
  }
  return s;
}

bool Parser::family_modelled(const Spec& f, const Token& at_tok, std::string_view what) {
  if (f.family == "ip" || f.family == "inet") return true;
  if (f.family == "netdev")
    unmodelled_fail(f.family_tok.loc, "Error: kpath does not model the netdev family: its ingress/egress chains run on the device before ip_rcv; "
                           "express the rules in an ip or inet table");
  notes.push_back({Diagnostic::Severity::note, f.family_tok.loc,
                   fmt::format("nft: the {} family is outside kpath's IPv4 model; {} ignored", f.family, what)});
  skip_command();
  return false;
}

int Parser::find_table(const std::string& family, const std::string& name) const {
  for (size_t i = 0; i < host.nft.size(); ++i)
    if (host.nft[i].family == family && host.nft[i].name == name) return static_cast<int>(i);
  return -1;
}

int Parser::table_or_fail(const Spec& f, const Token& name) {
  const int ti = find_table(f.family, name.text);
  if (ti >= 0) return ti;
  for (const NftTable& t : host.nft)
    if (t.name == name.text)
      fail(name.loc, fmt::format("Error: No such file or directory; did you mean table \u2018{}\u2019 in family {}?", t.name, t.family));
  if (auto xt = xt_table_named(name.text); xt && f.family == "ip" && !host.xt_legacy && xt_table_in_use(host.xt[static_cast<size_t>(*xt)]))
    fail(name.loc, fmt::format("Error: Could not process rule: No such file or directory (kpath: `ip {}` exists in the kernel as iptables-nft's table, "
                               "but kpath keeps iptables rules and nft rules apart; add this rule with iptables, or to an nft table of your own)",
                               name.text));
  fail(name.loc, fmt::format("Error: Could not process rule: No such file or directory (no table {} {}; create it first: `nft add table {} {}`)",
                             f.family, name.text, f.family, name.text));
}

int Parser::chain_or_fail(NftTable& t, const Token& name) {
  const int ci = t.find_chain(name.text);
  if (ci >= 0) return ci;
  fail(name.loc, fmt::format("Error: Could not process rule: No such file or directory (table {} {} has no chain {})", t.family, t.name, name.text));
}

void Parser::cmd_add(bool create, const Token& verb) {
  const Token obj = peek();
  if (obj.is("table")) { next(); cmd_table(create); return; }
  if (obj.is("chain")) { next(); cmd_chain(create); return; }
  if (obj.is("rule")) { next(); cmd_rule(false); return; }
  if (obj.is("set")) { next(); cmd_set(create); return; }
  if (obj.is("element")) { next(); cmd_element(true); return; }
  if (obj.is("map") || obj.is("flowtable") || obj.is("counter") || obj.is("quota") || obj.is("ct") || obj.is("limit") ||
      obj.is("secmark") || obj.is("synproxy"))
    unmodelled_fail(obj.loc, fmt::format("Error: kpath does not model nft {} objects; it reads tables, chains, rules, sets and elements", obj.text));
  unexpected(obj, fmt::format("table, chain, rule, set or element after `{}`", verb.text));
}

void Parser::cmd_table(bool create) {
  const Spec f = family();
  const Token name = expect_name("a table name");
  if (!family_modelled(f, name, fmt::format("`table {} {}`", f.family, name.text))) return;
  int ti = find_table(f.family, name.text);
  if (ti >= 0 && create) fail(name.loc, "Error: Could not process rule: File exists");
  if (ti < 0) {
    NftTable t;
    t.family = f.family;
    t.name = name.text;
    t.origin = name.loc;
    host.nft.push_back(std::move(t));
    ti = static_cast<int>(host.nft.size() - 1);
  }
  if (at(Tok::lbrace)) table_block(ti);
}

void Parser::table_block(int ti) {
  expect(Tok::lbrace, "'{'");
  for (;;) {
    skip_separators();
    if (accept(Tok::rbrace)) return;
    const int d0 = depth;
    try {
      table_item(ti);
    } catch (const xt::UnmodelledError& e) {
      lenient_skip(e, "table element", d0);
    }
    separator("after a table element");
  }
}

void Parser::table_item(int ti) {
  {
    const Token k = next();
    if (k.is("chain")) {
      const Token name = expect_name("a chain name");
      chain_decl(ti, name, false);
    } else if (k.is("set")) {
      const Token name = expect_name("a set name");
      NftTable& t = host.nft[static_cast<size_t>(ti)];
      int si = t.find_set(name.text);
      const bool fresh = si < 0;
      if (fresh) {
        NftSet s;
        s.name = name.text;
        s.origin = name.loc;
        t.sets.push_back(std::move(s));
        si = static_cast<int>(t.sets.size() - 1);
      }
      set_block(ti, si, fresh);
    } else if (k.is("flags")) {
      do {
        const Token fl = expect(Tok::word, "dormant, owner or persist");
        if (fl.is("dormant"))
          unmodelled_fail(fl.loc, "Error: kpath does not model dormant tables (their chains are not attached to any hook); remove the flag or the table");
        if (!fl.is("owner") && !fl.is("persist")) unexpected(fl, "dormant, owner or persist");
      } while (accept(Tok::comma));
    } else if (k.is("comment")) {
      expect(Tok::str, "a quoted string");
    } else if (k.is("define") || k.is("redefine")) {
      define(k.is("redefine"));
    } else if (k.is("map") || k.is("flowtable") || k.is("counter") || k.is("quota") || k.is("ct") || k.is("limit") || k.is("secmark") ||
               k.is("synproxy")) {
      unmodelled_fail(k.loc, fmt::format("Error: kpath does not model nft {} objects; a table block may hold chains, sets, flags and a comment", k.text));
    } else {
      unexpected(k, "chain, set, flags or comment");
    }
  }
}

void Parser::cmd_chain(bool create) {
  const Spec f = family();
  const Token table = expect_name("a table name");
  const Token name = expect_name("a chain name");
  if (!family_modelled(f, table, fmt::format("`chain {} {} {}`", f.family, table.text, name.text))) return;
  const int ti = table_or_fail(f, table);
  chain_decl(ti, name, create);
}

void Parser::chain_decl(int ti, const Token& name, bool create) {
  NftTable& t = host.nft[static_cast<size_t>(ti)];
  int ci = t.find_chain(name.text);
  if (ci >= 0 && create) fail(name.loc, "Error: Could not process rule: File exists");
  if (ci < 0) {
    NftChain c;
    c.name = name.text;
    c.origin = name.loc;
    t.chains.push_back(std::move(c));
    ci = static_cast<int>(t.chains.size() - 1);
  }
  if (at(Tok::lbrace)) chain_block(ti, ci);
}

void Parser::chain_block(int ti, int ci) {
  expect(Tok::lbrace, "'{'");
  for (;;) {
    skip_separators();
    if (accept(Tok::rbrace)) return;
    NftTable& t = host.nft[static_cast<size_t>(ti)];
    NftChain& c = t.chains[static_cast<size_t>(ci)];
    if (at_word("type")) {
      const Token kw = next();
      const Token type = expect(Tok::word, "filter, nat or route");
      if (!type.is("filter") && !type.is("nat") && !type.is("route"))
        fail(type.loc, fmt::format("Error: Could not process rule: No such file or directory (unknown chain type '{}'; expected filter, nat or route)", type.text));
      if (!accept_word("hook")) unexpected(peek(), "hook");
      const Token hk = expect(Tok::word, "a hook name");
      const auto hook = hook_by_name(hk.text);
      if (!hook) {
        if (hk.is("ingress") && t.family == "inet")
          unmodelled_fail(hk.loc, "Error: kpath does not model inet ingress chains, which run on the device before ip_rcv");
        if (hk.is("ingress") || hk.is("egress")) fail(hk.loc, fmt::format("Error: The {} family does not support this hook", t.family));
        fail(hk.loc, fmt::format("Error: unknown chain hook '{}'; expected prerouting, input, forward, output or postrouting", hk.text));
      }
      if (at_word("device") || at_word("devices"))
        unmodelled_fail(peek().loc, "Error: kpath does not model device-bound (netdev) chains");
      if (!accept_word("priority")) unexpected(peek(), "priority");
      // prio_spec: a number, a standard name, or NAME +/- NUMBER
      const Token p = next();
      int prio = 0;
      size_t prio_end = p.e;
      auto bad_prio = [&](size_t end) {
        fail(p.loc, fmt::format("Error: invalid priority expression value in this context. (`{}`; expected a number or one of raw, mangle, dstnat, "
                                "filter, security, srcnat, optionally `+ N` / `- N`; dstnat only at prerouting/output, srcnat only at "
                                "postrouting/input)", text(p.b, end)));
      };
      if (p.kind != Tok::word) unexpected(p, "a priority");
      if (auto n = [&]() -> std::optional<long> {
            const std::string& s = p.text;
            size_t i = (s[0] == '-') ? 1 : 0;
            if (i >= s.size()) return std::nullopt;
            for (size_t k = i; k < s.size(); ++k) if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;
            return std::stol(s);
          }()) {
        prio = static_cast<int>(*n);
      } else if (auto sp = std_priority(p.text)) {
        prio = *sp;
        if (at(Tok::plus) || at_word("-")) {
          const bool minus = at_word("-");
          next();
          const Token off = expect(Tok::word, "a number");
          prio_end = off.e;
          auto v = parse_u32(off.text);
          if (!v) bad_prio(off.e);
          prio += minus ? -static_cast<int>(*v) : static_cast<int>(*v);
        }
        const bool dst = p.text == "dstnat", srcn = p.text == "srcnat";
        if ((dst && *hook != NF_INET_PRE_ROUTING && *hook != NF_INET_LOCAL_OUT) ||
            (srcn && *hook != NF_INET_POST_ROUTING && *hook != NF_INET_LOCAL_IN))
          bad_prio(prio_end);
      } else {
        bad_prio(p.e);
      }
      // nf_tables_chain_type: nat at prerouting/input/output/postrouting, route at output only
      const bool type_ok = type.is("filter") || (type.is("nat") && *hook != NF_INET_FORWARD) || (type.is("route") && *hook == NF_INET_LOCAL_OUT);
      if (!type_ok)
        fail(kw.loc, fmt::format("Error: Could not process rule: Operation not supported (kernel: a {} chain cannot hook {}; nat chains hook "
                                 "prerouting, input, output or postrouting, route chains only output)", type.text, hk.text));
      if (c.base && (c.hook != *hook || c.type != type.text || c.priority != prio))
        fail(kw.loc, fmt::format("Error: Could not process rule: Operation not supported (chain {} already hooks {} with type {} priority {}; "
                                 "a base chain's hook, type and priority cannot change)", c.name, kHookChainNames[c.hook], c.type, c.priority));
      if (!c.base && !c.rules.empty())
        fail(kw.loc, "Error: Could not process rule: File exists (a regular chain of that name exists; it cannot become a base chain)");
      c.base = true;
      c.type = type.text;
      c.hook = *hook;
      c.priority = prio;
      separator("after the chain's type, hook and priority");
    } else if (at_word("policy")) {
      const Token kw = next();
      const Token v = next();
      if (!v.is("accept") && !v.is("drop")) unexpected(v, "accept or drop or '$'");
      if (!c.base)
        fail(kw.loc, "Error: Could not process rule: Operation not supported (only a base chain, one with `type ... hook ... priority ...;`, has a policy)");
      c.policy = v.is("drop") ? XtVerdict::DROP : XtVerdict::ACCEPT;
      c.policy_origin = kw.loc;
      separator("after the policy");
    } else if (at_word("comment")) {
      next();
      expect(Tok::str, "a quoted string");
      separator("after the comment");
    } else if (at_word("devices") || at_word("device")) {
      unmodelled_fail(peek().loc, "Error: kpath does not model device-bound (netdev) chains");
    } else if (at_word("define") || at_word("redefine")) {
      const bool re = at_word("redefine");
      next();
      define(re);
      separator("after a define");
    } else {
      const int d0 = depth;
      try {
        NftRule r = rule(t);
        host.nft[static_cast<size_t>(ti)].chains[static_cast<size_t>(ci)].rules.push_back(std::move(r));
      } catch (const xt::UnmodelledError& e) {
        lenient_skip(e, "rule", d0);
      }
      separator("after a rule");
    }
  }
}

void Parser::cmd_rule(bool insert) {
  const Spec f = family();
  const Token table = expect_name("a table name");
  const Token chain = expect_name("a chain name");
  if (!family_modelled(f, table, fmt::format("`rule {} {} {}`", f.family, table.text, chain.text))) return;
  const int ti = table_or_fail(f, table);
  const int ci = chain_or_fail(host.nft[static_cast<size_t>(ti)], chain);
  std::optional<size_t> index;
  if (at_word("index")) {
    const Token kw = next();
    const Token n = expect(Tok::word, "a rule index");
    auto v = parse_u32(n.text);
    if (!v) unexpected(n, "a number");
    const size_t count = host.nft[static_cast<size_t>(ti)].chains[static_cast<size_t>(ci)].rules.size();
    if (*v >= count)
      fail(kw.loc, fmt::format("Error: Could not process rule: No such file or directory (chain {} has {} rule{}; index counts from 0)", chain.text, count,
                               count == 1 ? "" : "s"));
    index = *v;
  } else if (at_word("position") || at_word("handle")) {
    unmodelled_fail(peek().loc, fmt::format("Error: kpath cannot read `{}`: rule handles are assigned by the kernel at run time; use `index N` "
                                 "(0-based) or add the rules in order", peek().text));
  }
  NftRule r = rule(host.nft[static_cast<size_t>(ti)]);
  auto& rules = host.nft[static_cast<size_t>(ti)].chains[static_cast<size_t>(ci)].rules;
  size_t at_pos = insert ? 0 : rules.size();
  if (index) at_pos = insert ? *index : *index + 1;
  rules.insert(rules.begin() + static_cast<std::ptrdiff_t>(at_pos), std::move(r));
}

void Parser::cmd_set(bool create) {
  const Spec f = family();
  const Token table = expect_name("a table name");
  const Token name = expect_name("a set name");
  if (!family_modelled(f, table, fmt::format("`set {} {} {}`", f.family, table.text, name.text))) return;
  const int ti = table_or_fail(f, table);
  NftTable& t = host.nft[static_cast<size_t>(ti)];
  int si = t.find_set(name.text);
  if (si >= 0 && create) fail(name.loc, "Error: Could not process rule: File exists");
  const bool fresh = si < 0;
  if (fresh) {
    if (!at(Tok::lbrace)) unexpected(peek(), "'{' with the set's type");
    NftSet s;
    s.name = name.text;
    s.origin = name.loc;
    t.sets.push_back(std::move(s));
    si = static_cast<int>(t.sets.size() - 1);
  }
  if (at(Tok::lbrace)) set_block(ti, si, fresh);
}

void Parser::set_block(int ti, int si, bool fresh) {
  expect(Tok::lbrace, "'{'");
  bool typed = false;
  auto set = [&]() -> NftSet& { return host.nft[static_cast<size_t>(ti)].sets[static_cast<size_t>(si)]; };
  for (;;) {
    skip_separators();
    if (at(Tok::rbrace)) {
      next();
      break;
    }
    const Token k = next();
    if (k.is("type") || k.is("typeof")) {
      NftSet::Type ty{};
      const Token a = expect(Tok::word, "a data type");
      std::string what = a.text;
      if (k.is("typeof")) {
        // typeof EXPR: the expression's data type
        if (a.is("meta") || a.is("ct") || a.is("ip") || a.is("ip6") || a.is("tcp") || a.is("udp") || a.is("th")) {
          what += ' ';
          what += expect(Tok::word, "a field").text;
        }
        static constexpr std::pair<std::string_view, NftSet::Type> typeofs[] = {
            {"ip saddr", NftSet::Type::ipv4_addr}, {"ip daddr", NftSet::Type::ipv4_addr}, {"ip6 saddr", NftSet::Type::ipv6_addr},
            {"ip6 daddr", NftSet::Type::ipv6_addr}, {"tcp dport", NftSet::Type::inet_service}, {"tcp sport", NftSet::Type::inet_service},
            {"udp dport", NftSet::Type::inet_service}, {"udp sport", NftSet::Type::inet_service}, {"th dport", NftSet::Type::inet_service},
            {"th sport", NftSet::Type::inet_service}, {"meta mark", NftSet::Type::mark}, {"mark", NftSet::Type::mark}, {"ct mark", NftSet::Type::mark},
            {"meta l4proto", NftSet::Type::inet_proto}, {"ip protocol", NftSet::Type::inet_proto}, {"iifname", NftSet::Type::ifname},
            {"oifname", NftSet::Type::ifname}, {"meta iifname", NftSet::Type::ifname}, {"meta oifname", NftSet::Type::ifname}};
        bool found = false;
        for (auto& [n, v] : typeofs)
          if (n == what) { ty = v; found = true; }
        if (!found) unmodelled_fail(a.loc, fmt::format("Error: kpath does not model sets of `typeof {}`; it reads ip saddr/daddr, tcp/udp/th ports, meta mark, "
                                            "ct mark, meta l4proto, ip protocol and iifname/oifname", what));
      } else {
        static constexpr std::pair<std::string_view, NftSet::Type> types[] = {
            {"ipv4_addr", NftSet::Type::ipv4_addr}, {"inet_service", NftSet::Type::inet_service}, {"inet_proto", NftSet::Type::inet_proto},
            {"mark", NftSet::Type::mark}, {"ifname", NftSet::Type::ifname}, {"ipv6_addr", NftSet::Type::ipv6_addr}};
        bool found = false;
        for (auto& [n, v] : types)
          if (n == a.text) { ty = v; found = true; }
        if (!found) unmodelled_fail(a.loc, fmt::format("Error: kpath does not model sets of type {}; it reads ipv4_addr, inet_service, inet_proto, mark, ifname "
                                            "(and ipv6_addr, which never matches IPv4)", a.text));
      }
      if (at(Tok::word) && peek().text == ".")
        unmodelled_fail(peek().loc, "Error: kpath does not model concatenated set keys (`type A . B`)");
      if (typed && set().type != ty) fail(a.loc, "Error: Could not process rule: File exists (the set exists with another type)");
      set().type = ty;
      typed = true;
    } else if (k.is("flags")) {
      do {
        const Token fl = expect(Tok::word, "interval, constant, timeout or dynamic");
        if (fl.is("interval")) set().interval = true;
        else if (!fl.is("constant") && !fl.is("timeout") && !fl.is("dynamic")) unexpected(fl, "interval, constant, timeout or dynamic");
      } while (accept(Tok::comma));
    } else if (k.is("elements")) {
      expect(Tok::assign, "'='");
      if (!typed && fresh) unexpected(k, "type or typeof (a set needs its type before its elements)");
      elements(set(), &set().elems, &set().names);
    } else if (k.is("timeout") || k.is("gc-interval") || k.is("size") || k.is("policy")) {
      expect(Tok::word, "a value");
    } else if (k.is("auto-merge") || k.is("counter")) {
    } else if (k.is("comment")) {
      expect(Tok::str, "a quoted string");
    } else {
      unexpected(k, "type, typeof, flags, elements, timeout, size, policy, auto-merge, counter or comment");
    }
    separator("after a set element");
  }
  if (!typed && fresh) fail(set().origin, "Error: set definition does not specify key (expected `type ipv4_addr;` or similar)");
}

void Parser::cmd_element(bool add) {
  const Spec f = family();
  const Token table = expect_name("a table name");
  const Token name = expect_name("a set name");
  if (!family_modelled(f, table, fmt::format("`element {} {} {}`", f.family, table.text, name.text))) return;
  const int ti = table_or_fail(f, table);
  NftTable& t = host.nft[static_cast<size_t>(ti)];
  const int si = t.find_set(name.text);
  if (si < 0) fail(name.loc, fmt::format("Error: Could not process rule: No such file or directory (table {} {} has no set {})", t.family, t.name, name.text));
  NftSet& s = t.sets[static_cast<size_t>(si)];
  if (add) {
    elements(s, &s.elems, &s.names);
    return;
  }
  NftSet del = s;
  del.elems.clear();
  del.names.clear();
  const Token open = peek();
  elements(del, &del.elems, &del.names);
  for (const NftRange& r : del.elems) {
    auto it = std::find(s.elems.begin(), s.elems.end(), r);
    if (it == s.elems.end()) fail(open.loc, "Error: Could not process rule: No such file or directory (an element to delete is not in the set)");
    s.elems.erase(it);
  }
  for (const std::string& n : del.names) {
    auto it = std::find(s.names.begin(), s.names.end(), n);
    if (it == s.names.end()) fail(open.loc, fmt::format("Error: Could not process rule: No such file or directory (\"{}\" is not in the set)", n));
    s.names.erase(it);
  }
}

void Parser::reset_xt_table(const std::string& name) {
  if (host.xt_legacy) return;  // iptables-legacy tables are not nft tables
  if (auto id = xt_table_named(name)) host.xt[static_cast<size_t>(*id)] = xt_table_new(*id);
}

void Parser::flush_ruleset(const std::string& family, bool all) {
  std::erase_if(host.nft, [&](const NftTable& t) { return all || t.family == family; });
  // iptables-nft's tables are nft tables of family ip (kernel-path.md §6.1): they go too.
  if ((all || family == "ip") && !host.xt_legacy)
    for (size_t i = 0; i < host.xt.size(); ++i) host.xt[i] = xt_table_new(static_cast<XtTableId>(i));
}

void Parser::cmd_delete(const Token& verb) {
  const bool destroy = verb.is("destroy");
  const Token obj = next();
  if (obj.is("table")) {
    const Spec f = family();
    if (at_word("handle")) unmodelled_fail(peek().loc, "Error: kpath cannot read `delete table ... handle N`: handles are assigned at run time; name the table");
    const Token name = expect_name("a table name");
    if (!family_modelled(f, name, fmt::format("`delete table {} {}`", f.family, name.text))) return;
    const int ti = find_table(f.family, name.text);
    const auto xt = f.family == "ip" ? xt_table_named(name.text) : std::nullopt;
    const bool xt_there = xt && !host.xt_legacy && xt_table_in_use(host.xt[static_cast<size_t>(*xt)]);
    if (ti < 0 && !xt_there) {
      if (destroy) return;
      table_or_fail(f, name);
    }
    if (ti >= 0) host.nft.erase(host.nft.begin() + ti);
    if (xt) reset_xt_table(name.text);
    return;
  }
  if (obj.is("chain")) {
    const Spec f = family();
    const Token table = expect_name("a table name");
    const Token name = expect_name("a chain name");
    if (!family_modelled(f, table, "`delete chain`")) return;
    const int ti = table_or_fail(f, table);
    NftTable& t = host.nft[static_cast<size_t>(ti)];
    const int ci = t.find_chain(name.text);
    if (ci < 0) {
      if (destroy) return;
      chain_or_fail(t, name);
    }
    for (const NftChain& c : t.chains)
      for (const NftRule& r : c.rules)
        for (const NftExpr& e : r.exprs)
          if (auto* v = std::get_if<NftVerdict>(&e.data); v && v->chain == name.text && c.name != name.text)
            fail(name.loc, fmt::format("Error: Could not process rule: Device or resource busy (chain {} jumps to it: `{}`)", c.name, r.text));
    t.chains.erase(t.chains.begin() + ci);
    return;
  }
  if (obj.is("set")) {
    const Spec f = family();
    const Token table = expect_name("a table name");
    const Token name = expect_name("a set name");
    if (!family_modelled(f, table, "`delete set`")) return;
    const int ti = table_or_fail(f, table);
    NftTable& t = host.nft[static_cast<size_t>(ti)];
    const int si = t.find_set(name.text);
    if (si < 0) {
      if (destroy) return;
      fail(name.loc, fmt::format("Error: Could not process rule: No such file or directory (table {} {} has no set {})", t.family, t.name, name.text));
    }
    for (const NftChain& c : t.chains)
      for (const NftRule& r : c.rules)
        for (const NftExpr& e : r.exprs) {
          const NftMatch* m = std::get_if<NftMatch>(&e.data);
          const NftIfname* n = std::get_if<NftIfname>(&e.data);
          if ((m && m->set_name == name.text) || (n && n->set_name == name.text))
            fail(name.loc, fmt::format("Error: Could not process rule: Device or resource busy (rule `{}` in chain {} uses it)", r.text, c.name));
        }
    t.sets.erase(t.sets.begin() + si);
    return;
  }
  if (obj.is("element")) {
    cmd_element(false);
    return;
  }
  if (obj.is("rule"))
    unmodelled_fail(obj.loc, "Error: kpath cannot read `delete rule`: it names a rule by its handle, which the kernel assigns at run time; "
                  "flush the chain and add the rules that should remain");
  unexpected(obj, "table, chain, set or element");
}

void Parser::cmd_flush() {
  const Token obj = next();
  if (obj.is("ruleset")) {
    if (at(Tok::word) && is_family(peek().text)) {
      const Token f = next();
      flush_ruleset(f.text, false);
    } else {
      flush_ruleset("", true);
    }
    return;
  }
  if (obj.is("table")) {
    const Spec f = family();
    const Token name = expect_name("a table name");
    if (!family_modelled(f, name, "`flush table`")) return;
    const int ti = find_table(f.family, name.text);
    const auto xt = f.family == "ip" ? xt_table_named(name.text) : std::nullopt;
    const bool xt_there = xt && !host.xt_legacy && xt_table_in_use(host.xt[static_cast<size_t>(*xt)]);
    if (ti < 0 && !xt_there) table_or_fail(f, name);
    if (ti >= 0)
      for (NftChain& c : host.nft[static_cast<size_t>(ti)].chains) c.rules.clear();  // sets keep their elements
    if (xt_there)
      for (XtChain& c : host.xt[static_cast<size_t>(*xt)].chains) c.rules.clear();
    return;
  }
  if (obj.is("chain")) {
    const Spec f = family();
    const Token table = expect_name("a table name");
    const Token name = expect_name("a chain name");
    if (!family_modelled(f, table, "`flush chain`")) return;
    const int ti = table_or_fail(f, table);
    const int ci = chain_or_fail(host.nft[static_cast<size_t>(ti)], name);
    host.nft[static_cast<size_t>(ti)].chains[static_cast<size_t>(ci)].rules.clear();
    return;
  }
  if (obj.is("set")) {
    const Spec f = family();
    const Token table = expect_name("a table name");
    const Token name = expect_name("a set name");
    if (!family_modelled(f, table, "`flush set`")) return;
    const int ti = table_or_fail(f, table);
    NftTable& t = host.nft[static_cast<size_t>(ti)];
    const int si = t.find_set(name.text);
    if (si < 0) fail(name.loc, fmt::format("Error: Could not process rule: No such file or directory (table {} {} has no set {})", t.family, t.name, name.text));
    t.sets[static_cast<size_t>(si)].elems.clear();
    t.sets[static_cast<size_t>(si)].names.clear();
    return;
  }
  unexpected(obj, "ruleset, table, chain or set");
}

void Parser::cmd_rename() {
  if (!accept_word("chain")) unexpected(peek(), "chain");
  const Spec f = family();
  const Token table = expect_name("a table name");
  const Token name = expect_name("a chain name");
  const Token to = expect_name("the new chain name");
  if (!family_modelled(f, table, "`rename chain`")) return;
  const int ti = table_or_fail(f, table);
  NftTable& t = host.nft[static_cast<size_t>(ti)];
  const int ci = chain_or_fail(t, name);
  if (t.find_chain(to.text) >= 0) fail(to.loc, "Error: Could not process rule: File exists");
  for (NftChain& c : t.chains)
    for (NftRule& r : c.rules)
      for (NftExpr& e : r.exprs)
        if (auto* v = std::get_if<NftVerdict>(&e.data); v && v->chain == name.text) v->chain = to.text;
  t.chains[static_cast<size_t>(ci)].name = to.text;
}

}  // namespace kpath::nft

// nft rule statements (nftables src/parser_bison.y stmt / expr, src/evaluate.c for the implicit
// protocol dependencies and the insert-time complaints nft itself makes) into kernel::NftExpr.
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include "sim/config/iptables/xt/xt_registry.hpp"
#include "sim/config/nft/nft_parser.hpp"

namespace kpath::nft {

using namespace kernel;

namespace {

struct Named { std::string_view name; uint32_t v; };
constexpr Named kCtStates[] = {{"invalid", NF_CT_STATE_INVALID_BIT}, {"established", NF_CT_STATE_ESTABLISHED_BIT},
                               {"related", NF_CT_STATE_RELATED_BIT}, {"new", NF_CT_STATE_NEW_BIT}, {"untracked", NF_CT_STATE_UNTRACKED_BIT}};
constexpr Named kTcpFlags[] = {{"fin", 0x01}, {"syn", 0x02}, {"rst", 0x04}, {"psh", 0x08}, {"ack", 0x10}, {"urg", 0x20}, {"ecn", 0x40}, {"cwr", 0x80}};
constexpr Named kIcmpTypes[] = {{"echo-reply", 0}, {"destination-unreachable", 3}, {"source-quench", 4}, {"redirect", 5}, {"echo-request", 8},
                                {"router-advertisement", 9}, {"router-solicitation", 10}, {"time-exceeded", 11}, {"parameter-problem", 12},
                                {"timestamp-request", 13}, {"timestamp-reply", 14}, {"info-request", 15}, {"info-reply", 16},
                                {"address-mask-request", 17}, {"address-mask-reply", 18}};
// reject with icmp type NAME (nftables src/icmp.c icmp_code_tbl) and icmpx (IPv4 mapping)
constexpr Named kIcmpCodes[] = {{"net-unreachable", 0}, {"host-unreachable", 1}, {"prot-unreachable", 2}, {"port-unreachable", 3},
                                {"frag-needed", 4}, {"net-prohibited", 9}, {"host-prohibited", 10}, {"admin-prohibited", 13}};
constexpr Named kIcmpxCodes[] = {{"no-route", 0}, {"host-unreachable", 1}, {"port-unreachable", 3}, {"admin-prohibited", 13}};
constexpr Named kFibTypes[] = {{"unspec", RTN_UNSPEC}, {"unicast", RTN_UNICAST}, {"local", RTN_LOCAL}, {"broadcast", RTN_BROADCAST},
                               {"anycast", RTN_ANYCAST}, {"multicast", RTN_MULTICAST}, {"blackhole", RTN_BLACKHOLE},
                               {"unreachable", RTN_UNREACHABLE}, {"prohibit", RTN_PROHIBIT}};
constexpr Named kPktTypes[] = {{"host", 0}, {"broadcast", 1}, {"multicast", 2}, {"other", 3}};
constexpr Named kNfProtos[] = {{"ipv4", NFPROTO_IPV4}, {"ipv6", NFPROTO_IPV6}};

template <size_t N>
std::optional<uint32_t> lookup(const Named (&tbl)[N], std::string_view s) {
  for (auto& n : tbl)
    if (n.name == s) return n.v;
  return std::nullopt;
}
template <size_t N>
std::string names_of(const Named (&tbl)[N]) {
  std::string s;
  for (auto& n : tbl) s += (s.empty() ? "" : ", ") + std::string(n.name);
  return s;
}

std::optional<uint32_t> number(std::string_view s) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  return parse_u32(s);
}

// Tokens back to nft text: strings quoted, set references with '@', no space before ',' and ')'.
std::string tokens_text(const std::vector<Token>& ts) {
  std::string out;
  bool glue = true;  // no space before the next token
  for (const Token& k : ts) {
    std::string s;
    switch (k.kind) {
      case Tok::word: s = k.text; break;
      case Tok::str: s = "\"" + k.text + "\""; break;
      case Tok::setref: s = "@" + k.text; break;
      case Tok::lbrace: s = "{"; break;
      case Tok::rbrace: s = "}"; break;
      case Tok::lparen: s = "("; break;
      case Tok::rparen: s = ")"; break;
      case Tok::comma: s = ","; break;
      case Tok::assign: s = "="; break;
      case Tok::eqeq: s = "=="; break;
      case Tok::neq: s = "!="; break;
      case Tok::lt: s = "<"; break;
      case Tok::gt: s = ">"; break;
      case Tok::le: s = "<="; break;
      case Tok::ge: s = ">="; break;
      case Tok::amp: s = "&"; break;
      case Tok::pipe: s = "|"; break;
      case Tok::caret: s = "^"; break;
      case Tok::bang: s = "!"; break;
      case Tok::plus: s = "+"; break;
      case Tok::nl: case Tok::semi: case Tok::eof: continue;
    }
    if (!glue && k.kind != Tok::comma && k.kind != Tok::rparen) out += ' ';
    out += s;
    glue = k.kind == Tok::lparen;
  }
  return out;
}

bool is_bitmask(NftKey k) { return k == NftKey::ct_state || k == NftKey::tcp_flags; }

constexpr std::string_view kSupported =
    "matches ip saddr/daddr/protocol/ttl/length/dscp, tcp/udp/th sport/dport, tcp flags, icmp type/code, meta "
    "l4proto/mark/iif/oif/iifname/oifname/nfproto/protocol/pkttype/length, ct state/mark, socket transparent/mark/wildcard, fib saddr/daddr "
    "type; statements accept, drop, return, jump, goto, continue, meta mark set, ct mark set, tproxy, reject, dnat, snat, redirect, "
    "masquerade, notrack, counter, log, limit, vmap, comment";

}  // namespace

void Parser::push_expr(NftRule& r, NftExprData d, const Token& first, size_t end) {
  r.exprs.push_back(NftExpr{std::move(d), first.loc, text(first.b, end)});
}

NftRange Parser::value(NftKey k, const Token& tok) {
  const std::string& s = tok.text;
  if (tok.kind != Tok::word && tok.kind != Tok::str) unexpected(tok, "a value");
  auto num_range = [&](std::string_view what) -> NftRange {
    if (auto v = number(s)) return {*v, *v};
    if (auto dash = s.find('-'); dash != std::string::npos && dash > 0) {
      auto lo = number(std::string_view(s).substr(0, dash)), hi = number(std::string_view(s).substr(dash + 1));
      if (lo && hi) {
        if (*lo > *hi) fail(tok.loc, fmt::format("Error: Range has zero or negative size ({})", s));
        return {*lo, *hi};
      }
    }
    fail(tok.loc, fmt::format("Error: syntax error, unexpected {}, expecting {}", token_name(tok), what));
  };
  auto named = [&](auto& tbl, std::string_view what) -> NftRange {
    if (auto v = lookup(tbl, s)) return {*v, *v};
    if (auto v = number(s)) return {*v, *v};
    fail(tok.loc, fmt::format("Error: Could not parse {} (`{}`; expected one of {})", what, s, names_of(tbl)));
  };
  switch (k) {
    case NftKey::ip_saddr:
    case NftKey::ip_daddr: {
      auto addr = [&](std::string_view a) -> Ipv4Addr {
        auto v = parse_ipv4(a);
        if (!v) fail(tok.loc, fmt::format("Error: Could not resolve hostname: Name or service not known (`{}`: kpath reads IPv4 addresses, "
                                          "A/LEN prefixes and A-B ranges)", a));
        return *v;
      };
      if (auto slash = s.find('/'); slash != std::string::npos) {
        const Ipv4Addr a = addr(std::string_view(s).substr(0, slash));
        auto len = number(std::string_view(s).substr(slash + 1));
        if (!len) fail(tok.loc, fmt::format("Error: syntax error, unexpected `{}`, expecting a prefix length", s.substr(slash + 1)));
        if (*len > 32) fail(tok.loc, fmt::format("Error: Prefix length {} is invalid for type of 32 bits width", *len));
        const uint32_t m = inet_make_mask(static_cast<int>(*len));
        return {a.v & m, (a.v & m) | ~m};
      }
      if (auto dash = s.find('-'); dash != std::string::npos) {
        const Ipv4Addr lo = addr(std::string_view(s).substr(0, dash)), hi = addr(std::string_view(s).substr(dash + 1));
        if (lo.v > hi.v) fail(tok.loc, fmt::format("Error: Range has zero or negative size ({})", s));
        return {lo.v, hi.v};
      }
      const Ipv4Addr a = addr(s);
      return {a.v, a.v};
    }
    case NftKey::th_sport:
    case NftKey::th_dport: {
      if (auto p = xt::service_port(s, "")) return {*p, *p};
      NftRange r = num_range("a port number, a range A-B or a service name");
      if (r.hi > 65535) fail(tok.loc, fmt::format("Error: Value {} exceeds valid range 0-65535", r.hi));
      return r;
    }
    case NftKey::ip_protocol:
    case NftKey::meta_l4proto: {
      if (auto p = xt::protocol_by_name(s)) return {*p, *p};
      NftRange r = num_range("a protocol name (tcp, udp, icmp, ...) or number");
      if (r.hi > 255) fail(tok.loc, fmt::format("Error: Value {} exceeds valid range 0-255", r.hi));
      return r;
    }
    case NftKey::ct_state: return named(kCtStates, "ct state");
    case NftKey::tcp_flags: return named(kTcpFlags, "tcp flag");
    case NftKey::icmp_type: return named(kIcmpTypes, "icmp type");
    case NftKey::icmp_code: return named(kIcmpCodes, "icmp code");
    case NftKey::fib_saddr_type:
    case NftKey::fib_daddr_type: return named(kFibTypes, "fib address type");
    case NftKey::meta_pkttype: return named(kPktTypes, "packet type");
    case NftKey::meta_nfproto: return named(kNfProtos, "nfproto");
    case NftKey::meta_iif:
    case NftKey::meta_oif: {
      const NetDevice* d = host.find_dev(s);
      if (!d) fail(tok.loc, fmt::format("Error: Interface does not exist (`{}`: `iif`/`oif` resolve the name to an ifindex when the rule is "
                                        "added; create the device first or match by name with iifname/oifname)", s));
      return {static_cast<uint32_t>(d->ifindex), static_cast<uint32_t>(d->ifindex)};
    }
    default: return num_range("a number");
  }
}

void Parser::elements(NftSet& s, std::vector<NftRange>* out, std::vector<std::string>* names) {
  expect(Tok::lbrace, "'{'");
  static constexpr NftKey key_of[] = {NftKey::ip_daddr, NftKey::th_dport, NftKey::meta_l4proto, NftKey::meta_mark, NftKey::meta_mark, NftKey::meta_mark};
  for (;;) {
    while (accept(Tok::nl)) {}
    if (accept(Tok::rbrace)) return;
    const Token v = next();
    if (s.type == NftSet::Type::ifname) {
      if (v.kind != Tok::word && v.kind != Tok::str) unexpected(v, "an interface name");
      names->push_back(v.text);
    } else if (s.type == NftSet::Type::ipv6_addr) {
      if (v.kind != Tok::word) unexpected(v, "an IPv6 address");
    } else {
      const NftRange r = value(key_of[static_cast<size_t>(s.type)], v);
      if (!s.interval && r.lo != r.hi)
        fail(v.loc, fmt::format("Error: Set member cannot be {}, missing interval flag on declaration", v.text.find('/') != std::string::npos ? "prefix" : "range"));
      out->push_back(r);
    }
    // element options (timeout, expires, comment, counter)
    while (at_word("timeout") || at_word("expires") || at_word("comment") || at_word("counter")) {
      const Token o = next();
      if (!o.is("counter")) next();
    }
    while (accept(Tok::nl)) {}
    if (accept(Tok::comma)) continue;
    if (accept(Tok::rbrace)) return;
    unexpected(peek(), "comma or '}'");
  }
}

NftVerdict Parser::verdict_of(const Token& tok) {
  NftVerdict v;
  if (tok.is("accept")) v.code = NftVerdict::Code::accept;
  else if (tok.is("drop")) v.code = NftVerdict::Code::drop;
  else if (tok.is("return")) v.code = NftVerdict::Code::ret;
  else if (tok.is("continue")) v.code = NftVerdict::Code::cont;
  else if (tok.is("jump") || tok.is("goto")) {
    v.code = tok.is("jump") ? NftVerdict::Code::jump : NftVerdict::Code::go_to;
    v.chain = expect_name("a chain name").text;
  } else if (tok.is("queue")) {
    unmodelled_fail(tok.loc, "Error: kpath does not model `queue` (NFQUEUE hands the packet to a userspace program)");
  } else {
    unexpected(tok, "accept, drop, return, continue, jump or goto");
  }
  return v;
}

void Parser::match_rest(const NftTable&, NftMatch m, const Token& first, NftRule& r, bool bitmask) {
  auto flags = [&](const Token& t0) {
    uint32_t bits = value(m.key, t0).lo;
    while (at(Tok::comma) || at(Tok::pipe)) {
      next();
      bits |= value(m.key, next()).lo;
    }
    return bits;
  };
  if (at(Tok::amp) || at_word("and")) {
    next();
    if (accept(Tok::lparen)) {
      m.mask = flags(next());
      expect(Tok::rparen, "')'");
    } else {
      const Token v = next();
      m.mask = bitmask ? flags(v) : value(m.key == NftKey::ip_saddr || m.key == NftKey::ip_daddr ? m.key : NftKey::meta_mark, v).lo;
    }
  }
  std::optional<NftCmpOp> op;
  const Token& o = peek();
  if (o.kind == Tok::eqeq || o.is("eq")) op = NftCmpOp::eq;
  else if (o.kind == Tok::neq || o.is("ne")) op = NftCmpOp::neq;
  else if (o.kind == Tok::lt || o.is("lt")) op = NftCmpOp::lt;
  else if (o.kind == Tok::gt || o.is("gt")) op = NftCmpOp::gt;
  else if (o.kind == Tok::le || o.is("le")) op = NftCmpOp::lte;
  else if (o.kind == Tok::ge || o.is("ge")) op = NftCmpOp::gte;
  if (op) next();
  const bool ordered = op && *op != NftCmpOp::eq && *op != NftCmpOp::neq;
  if (!op && at_word("vmap")) {
    next();
    NftVmap vm;
    vm.key = m;
    if (at(Tok::setref)) unmodelled_fail(peek().loc, "Error: kpath does not model named verdict maps (vmap @NAME); write the map inline");
    expect(Tok::lbrace, "'{'");
    for (;;) {
      while (accept(Tok::nl)) {}
      if (accept(Tok::rbrace)) break;
      Token k = next();
      if (k.kind == Tok::word && !k.text.empty() && k.text.back() == ':') k.text.pop_back();
      else if (!accept_word(":")) unexpected(peek(), "':'");
      const NftRange key = value(m.key, k);
      const Token vt = next();
      vm.map.emplace_back(key, verdict_of(vt));
      while (accept(Tok::nl)) {}
      if (accept(Tok::comma)) continue;
      if (accept(Tok::rbrace)) break;
      unexpected(peek(), "comma or '}'");
    }
    push_expr(r, vm, first, last_end);
    return;
  }
  if (at(Tok::lbrace)) {
    if (ordered) unexpected(peek(), "a value (an ordering comparison takes one value)");
    next();
    for (;;) {
      while (accept(Tok::nl)) {}
      if (accept(Tok::rbrace)) break;
      m.values.push_back(value(m.key, next()));
      while (accept(Tok::nl)) {}
      if (accept(Tok::comma)) continue;
      if (accept(Tok::rbrace)) break;
      unexpected(peek(), "comma or '}'");
    }
    m.op = op.value_or(NftCmpOp::eq);
  } else if (at(Tok::setref)) {
    if (ordered) unexpected(peek(), "a value (an ordering comparison takes one value)");
    m.set_name = next().text;
    m.op = op.value_or(NftCmpOp::eq);
  } else if (bitmask) {
    const uint32_t bits = flags(next());
    if (at_word("/")) {  // `syn / syn,ack`: flags & mask == value
      next();
      m.mask = flags(next());
      m.op = op.value_or(NftCmpOp::eq);
      m.values = {{bits, bits}};
    } else if (!op && m.mask == 0xffffffffu) {  // no operator: any of the flags is set (bitwise & flags != 0)
      m.mask = bits;
      m.op = NftCmpOp::neq;
      m.values = {{0, 0}};
    } else {  // an explicit == or != compares the whole value (nft 1.0.6: `ct state != a,b` is `state != a|b`)
      m.op = op.value_or(NftCmpOp::eq);
      m.values = {{bits, bits}};
    }
  } else {
    const Token v = next();
    const NftRange rv = value(m.key, v);
    if (ordered && rv.lo != rv.hi) fail(v.loc, "Error: syntax error: an ordering comparison takes a single value, not a range");
    m.op = op.value_or(NftCmpOp::eq);
    m.values = {rv};
  }
  push_expr(r, m, first, last_end);
}

void Parser::set_statement(const NftTable&, bool ct_target, const Token& first, NftRule& r) {
  // meta mark set EXPR / ct mark set EXPR; EXPR = a value, or meta mark / ct mark with | & ^ values
  NftSetMark s;
  s.ct = ct_target;
  const Token t0 = next();
  if (t0.is("meta") || t0.is("mark") || t0.is("ct")) {
    if (t0.is("meta") || t0.is("ct")) {
      const Token f = next();
      if (!f.is("mark")) fail(f.loc, fmt::format("Error: kpath models `{} mark` as the source of a mark; `{} {}` is not modelled", t0.text, t0.text, f.text));
    }
    s.src = t0.is("ct") ? NftSetMark::Src::ct_mark : NftSetMark::Src::meta_mark;
    s.mask = 0xffffffffu;
    s.xor_ = 0;
  } else {
    const auto v = t0.kind == Tok::word ? number(t0.text) : std::nullopt;
    if (!v) unexpected(t0, "a mark value, meta mark or ct mark");
    s.xor_ = *v;
  }
  for (;;) {
    enum { AND, OR, XOR } op;
    if (at(Tok::amp) || at_word("and")) op = AND;
    else if (at(Tok::pipe) || at_word("or")) op = OR;
    else if (at(Tok::caret) || at_word("xor")) op = XOR;
    else break;
    next();
    const Token vt = next();
    const auto v = vt.kind == Tok::word ? number(vt.text) : std::nullopt;
    if (!v) unexpected(vt, "a number");
    // nft_bitwise: dst = (src & mask) ^ xor
    if (op == AND) { s.mask &= *v; s.xor_ &= *v; }
    else if (op == OR) { s.mask &= ~*v; s.xor_ = (s.xor_ & ~*v) | *v; }
    else s.xor_ ^= *v;
  }
  push_expr(r, s, first, last_end);
}

NftRule Parser::rule(const NftTable& t) {
  NftRule r;
  const Token& f = peek();
  if (f.kind == Tok::nl || f.kind == Tok::semi || f.kind == Tok::rbrace || f.kind == Tok::eof) unexpected(f, "a rule (matches and statements)");
  r.origin = f.loc;
  const size_t b = f.b;
  bool terminal = false;
  std::vector<Token> toks_read;
  record = &toks_read;
  struct Unrecord { Parser& p; ~Unrecord() { p.record = nullptr; } } unrecord{*this};
  while (!at(Tok::nl) && !at(Tok::semi) && !at(Tok::rbrace) && !at(Tok::eof)) {
    if (at_word("comment")) {
      next();
      r.comment = expect(Tok::str, "a quoted string").text;
      if (!at(Tok::nl) && !at(Tok::semi) && !at(Tok::rbrace) && !at(Tok::eof)) unexpected(peek(), "newline or semicolon");
      break;
    }
    const Token& s = peek();
    if (terminal)
      fail(s.loc, "Error: Statement after terminal statement has no effect");
    const bool verdict_like = statement(t, r);
    terminal = terminal || verdict_like;
  }
  r.text = text(b, last_end);
  // With $VARIABLES the rule is printed as nft reads it, values in place (replayable as is).
  if (std::any_of(toks_read.begin(), toks_read.end(), [](const Token& k) { return k.expanded; })) r.text = tokens_text(toks_read);
  return r;
}

// One match or statement; true when it ends evaluation of the rule (a verdict, reject, nat).
bool Parser::statement(const NftTable& t, NftRule& r) {
  const Token first = next();
  const bool inet = t.family == "inet";
  auto field = [&](std::string_view expecting) { return expect(Tok::word, expecting); };
  auto unmodelled = [&](std::string_view what) {
    unmodelled_fail(first.loc, fmt::format("Error: kpath does not model the nft expression `{}`; it reads {}", what, kSupported));
  };
  auto key_match = [&](NftKey k, uint8_t l4) {
    NftMatch m;
    m.key = k;
    m.l4proto = l4;
    match_rest(t, m, first, r, is_bitmask(k));
  };
  auto ipv6_only = [&](std::string_view fam) {
    if (!inet) fail(first.loc, fmt::format("Error: conflicting protocols specified: ip vs. {}", fam));
    // consume FIELD [op] VALUE
    if (at(Tok::word)) next();
    if (at(Tok::eqeq) || at(Tok::neq) || at(Tok::lt) || at(Tok::gt) || at(Tok::le) || at(Tok::ge)) next();
    if (at(Tok::lbrace)) {
      int depth = 0;
      do {
        if (at(Tok::lbrace)) ++depth;
        if (at(Tok::rbrace)) --depth;
        next();
      } while (depth > 0 && !at(Tok::eof));
    } else if (at(Tok::word) || at(Tok::str) || at(Tok::setref)) {
      next();
    }
    push_expr(r, NftIpv6Only{}, first, last_end);
  };
  const std::string& w = first.text;
  if (first.kind != Tok::word) unexpected(first, "a match or a statement");

  if (w == "ip") {
    const Token f = field("saddr, daddr, protocol, ttl, length or dscp");
    static constexpr std::pair<std::string_view, NftKey> ip_fields[] = {{"saddr", NftKey::ip_saddr}, {"daddr", NftKey::ip_daddr},
                                                                      {"protocol", NftKey::ip_protocol}, {"ttl", NftKey::ip_ttl},
                                                                      {"length", NftKey::ip_length}, {"dscp", NftKey::ip_dscp}};
    for (auto& [n, k] : ip_fields)
      if (f.text == n) {
        if (at_word(".")) unmodelled_fail(peek().loc, "Error: kpath does not model concatenations (`a . b`)");
        key_match(k, 0);
        return false;
      }
    unmodelled("ip " + f.text);
  }
  if (w == "ip6" || w == "icmpv6") {
    ipv6_only(w);
    return false;
  }
  if (w == "tcp" || w == "udp" || w == "th") {
    const uint8_t l4 = w == "tcp" ? IPPROTO_TCP_ : w == "udp" ? IPPROTO_UDP_ : 0;
    const Token f = field("sport or dport");
    if (f.is("sport") || f.is("dport")) {
      key_match(f.is("sport") ? NftKey::th_sport : NftKey::th_dport, l4);
      return false;
    }
    if (w == "tcp" && f.is("flags")) {
      key_match(NftKey::tcp_flags, IPPROTO_TCP_);
      return false;
    }
    unmodelled(w + " " + f.text);
  }
  if (w == "icmp") {
    const Token f = field("type or code");
    if (f.is("type") || f.is("code")) {
      key_match(f.is("type") ? NftKey::icmp_type : NftKey::icmp_code, IPPROTO_ICMP_);
      return false;
    }
    unmodelled("icmp " + f.text);
  }
  const bool meta = w == "meta";
  if (meta || w == "mark" || w == "iif" || w == "oif" || w == "iifname" || w == "oifname" || w == "pkttype") {
    const Token f = meta ? field("a meta key") : first;
    if (f.is("mark") && at_word("set")) {
      next();
      set_statement(t, false, first, r);
      return false;
    }
    if (at_word("set")) unmodelled(fmt::format("{} set", text(first.b, f.e)));
    if (f.is("iifname") || f.is("oifname")) {
      NftIfname n;
      n.out = f.is("oifname");
      if (at(Tok::neq) || at_word("ne")) { next(); n.neq = true; }
      else if (at(Tok::eqeq) || at_word("eq")) next();
      if (at(Tok::lbrace)) {
        next();
        for (;;) {
          while (accept(Tok::nl)) {}
          if (accept(Tok::rbrace)) break;
          n.names.push_back(expect_name("an interface name").text);
          while (accept(Tok::nl)) {}
          if (accept(Tok::comma)) continue;
          if (accept(Tok::rbrace)) break;
          unexpected(peek(), "comma or '}'");
        }
      } else if (at(Tok::setref)) {
        n.set_name = next().text;
      } else {
        n.names.push_back(expect_name("an interface name").text);
      }
      push_expr(r, n, first, last_end);
      return false;
    }
    static constexpr std::pair<std::string_view, NftKey> meta_keys[] = {
        {"mark", NftKey::meta_mark}, {"iif", NftKey::meta_iif}, {"oif", NftKey::meta_oif}, {"pkttype", NftKey::meta_pkttype},
        {"l4proto", NftKey::meta_l4proto}, {"nfproto", NftKey::meta_nfproto}, {"length", NftKey::meta_length}};
    for (auto& [n, k] : meta_keys)
      if (f.text == n && (meta || (k != NftKey::meta_l4proto && k != NftKey::meta_nfproto && k != NftKey::meta_length))) {
        if (k == NftKey::meta_nfproto && !inet) fail(first.loc, "Error: meta nfproto is only useful in the inet family");
        key_match(k, 0);
        return false;
      }
    if (meta && f.is("protocol")) {
      // meta protocol (the ethertype): ip for every IPv4 packet kpath runs
      NftMatch m;
      m.key = NftKey::meta_nfproto;
      std::optional<NftCmpOp> op;
      if (at(Tok::eqeq) || at_word("eq")) { next(); op = NftCmpOp::eq; }
      else if (at(Tok::neq) || at_word("ne")) { next(); op = NftCmpOp::neq; }
      auto proto_of = [&](const Token& v) -> NftRange {
        if (v.is("ip")) return {NFPROTO_IPV4, NFPROTO_IPV4};
        if (v.is("ip6")) return {NFPROTO_IPV6, NFPROTO_IPV6};
        if (v.is("arp") || v.is("vlan") || v.is("8021q")) return {0, 0};
        fail(v.loc, fmt::format("Error: kpath reads `meta protocol` values ip, ip6, arp and vlan, not `{}`", v.text));
      };
      if (accept(Tok::lbrace)) {
        for (;;) {
          while (accept(Tok::nl)) {}
          if (accept(Tok::rbrace)) break;
          m.values.push_back(proto_of(next()));
          if (accept(Tok::comma)) continue;
          while (accept(Tok::nl)) {}
          if (accept(Tok::rbrace)) break;
          unexpected(peek(), "comma or '}'");
        }
      } else {
        m.values.push_back(proto_of(next()));
      }
      m.op = op.value_or(NftCmpOp::eq);
      push_expr(r, m, first, last_end);
      return false;
    }
    unmodelled(text(first.b, f.e));
  }
  if (w == "ct") {
    const Token f = field("state or mark");
    if (f.is("mark") && at_word("set")) {
      next();
      set_statement(t, true, first, r);
      return false;
    }
    if (f.is("state") || f.is("mark")) {
      key_match(f.is("state") ? NftKey::ct_state : NftKey::ct_mark, 0);
      return false;
    }
    unmodelled("ct " + f.text);
  }
  if (w == "socket") {
    const Token f = field("transparent, mark or wildcard");
    if (f.is("transparent") || f.is("mark") || f.is("wildcard")) {
      key_match(f.is("transparent") ? NftKey::socket_transparent : f.is("mark") ? NftKey::socket_mark : NftKey::socket_wildcard, 0);
      return false;
    }
    unmodelled("socket " + f.text);
  }
  if (w == "fib") {
    const Token f = field("saddr or daddr");
    if ((f.is("saddr") || f.is("daddr")) && at_word("type")) {
      next();
      key_match(f.is("saddr") ? NftKey::fib_saddr_type : NftKey::fib_daddr_type, 0);
      return false;
    }
    unmodelled(fmt::format("fib {} {}", f.text, peek().text));
  }
  if (w == "tproxy") {
    bool ip = false, ip6 = false;
    if (accept_word("ip")) ip = true;
    else if (accept_word("ip6")) ip6 = true;
    if (!accept_word("to")) unexpected(peek(), "to");
    const Token a = expect(Tok::word, "ADDRESS, ADDRESS:PORT or :PORT");
    // nft's evaluate.c stmt_evaluate_tproxy: a transport protocol match must come first
    bool l4 = false;
    for (auto& e : r.exprs)
      if (auto* m = std::get_if<NftMatch>(&e.data); m && (m->key == NftKey::meta_l4proto || m->key == NftKey::ip_protocol || m->l4proto)) l4 = true;
    if (!l4) fail(first.loc, "Error: Transparent proxy support requires transport protocol match (e.g. `meta l4proto tcp` or `tcp dport 80` before tproxy)");
    if (ip6) {
      if (!inet) fail(first.loc, "Error: conflicting protocols specified: ip vs. ip6");
      push_expr(r, NftIpv6Only{}, first, last_end);
      return false;
    }
    NftTproxy tp;
    std::string_view s = a.text, addr, port;
    if (const size_t colon = s.rfind(':'); colon != std::string_view::npos) {
      addr = s.substr(0, colon);
      port = s.substr(colon + 1);
      if (port.empty()) unexpected(a, "a port after ':'");
    } else {
      addr = s;
    }
    if (!addr.empty()) {
      if (inet && !ip) fail(first.loc, "Error: ip or ip6 must be specified with address for inet tables.");
      auto v = parse_ipv4(addr);
      if (!v) fail(a.loc, fmt::format("Error: Could not resolve hostname: Name or service not known (`{}`; expected an IPv4 address)", addr));
      tp.addr = *v;
    }
    if (!port.empty()) {
      auto p = number(port);
      if (!p) {
        if (auto sp = xt::service_port(port, "")) p = *sp;
      }
      if (!p || *p > 65535) fail(a.loc, fmt::format("Error: Could not resolve service `{}`; expected a port number", port));
      tp.port = static_cast<uint16_t>(*p);
    }
    push_expr(r, tp, first, last_end);
    return false;
  }
  if (w == "accept" || w == "drop" || w == "return" || w == "continue" || w == "jump" || w == "goto" || w == "queue") {
    push_expr(r, verdict_of(first), first, last_end);
    return true;
  }
  if (w == "reject") {
    NftReject rj;
    if (accept_word("with")) {
      const Token k = field("icmp, icmpx or tcp");
      if (k.is("tcp")) {
        if (!accept_word("reset")) unexpected(peek(), "reset");
        rj.tcp_reset = true;
      } else if (k.is("icmp") || k.is("icmpx")) {
        if (k.is("icmpx") && !inet) fail(k.loc, "Error: abstracted ICMP unreachable not supported (icmpx needs an inet table; use `reject with icmp ...`)");
        accept_word("type");
        const Token c = expect(Tok::word, "an ICMP unreachable type");
        auto code = k.is("icmpx") ? lookup(kIcmpxCodes, c.text) : lookup(kIcmpCodes, c.text);
        if (!code) code = number(c.text);
        if (!code) fail(c.loc, fmt::format("Error: Could not parse icmp{} reject type `{}`; expected one of {}", k.is("icmpx") ? "x" : "", c.text,
                                           k.is("icmpx") ? names_of(kIcmpxCodes) : names_of(kIcmpCodes)));
        rj.code = static_cast<uint8_t>(*code);
      } else if (k.is("icmpv6")) {
        if (!inet) fail(k.loc, "Error: conflicting protocols specified: ip vs. ip6");
        accept_word("type");
        next();
        push_expr(r, NftIpv6Only{}, first, last_end);
        return true;
      } else {
        unexpected(k, "icmp, icmpx or tcp");
      }
    }
    if (rj.tcp_reset) {
      // evaluate.c adds the `meta l4proto tcp` dependency a TCP reset needs
      bool tcp = false;
      for (auto& e : r.exprs)
        if (auto* m = std::get_if<NftMatch>(&e.data); m && (m->l4proto == IPPROTO_TCP_ || ((m->key == NftKey::meta_l4proto || m->key == NftKey::ip_protocol) &&
                                                                                           m->op == NftCmpOp::eq && m->values.size() == 1 && m->values[0].lo == IPPROTO_TCP_)))
          tcp = true;
      if (!tcp) {
        NftMatch dep;
        dep.key = NftKey::meta_l4proto;
        dep.values = {{IPPROTO_TCP_, IPPROTO_TCP_}};
        r.exprs.push_back(NftExpr{dep, first.loc, "meta l4proto tcp (implied by reject with tcp reset)"});
      }
    }
    push_expr(r, rj, first, last_end);
    return true;
  }
  if (w == "counter") {
    if (accept_word("packets")) {
      expect(Tok::word, "a number");
      if (!accept_word("bytes")) unexpected(peek(), "bytes");
      expect(Tok::word, "a number");
    } else if (at_word("name")) {
      unmodelled("counter name");
    }
    push_expr(r, NftCounter{}, first, last_end);
    return false;
  }
  if (w == "log") {
    NftLog lg;
    for (;;) {
      if (accept_word("prefix")) lg.prefix = expect_name("a quoted prefix").text;
      else if (accept_word("level") || accept_word("group") || accept_word("snaplen") || accept_word("queue-threshold")) expect(Tok::word, "a value");
      else if (accept_word("flags")) {
        do {
          expect(Tok::word, "a log flag");
        } while (accept(Tok::comma));
      } else break;
    }
    push_expr(r, lg, first, last_end);
    return false;
  }
  if (w == "limit") {
    NftLimit lm;
    if (!accept_word("rate")) unexpected(peek(), "rate");
    if (accept_word("over")) lm.over = true;
    const Token rate = expect(Tok::word, "a rate (N/second)");
    lm.rate = rate.text;
    if (at(Tok::word) && (peek().text.find('/') != std::string::npos || peek().text == "/")) {
      lm.rate += " " + next().text;
      if (lm.rate.back() == '/') lm.rate += next().text;
    }
    if (accept_word("burst")) {
      expect(Tok::word, "a burst size");
      if (!accept_word("packets")) accept_word("bytes") || accept_word("kbytes") || accept_word("mbytes");
    }
    push_expr(r, lm, first, last_end);
    return false;
  }
  if (w == "dnat" || w == "snat" || w == "redirect" || w == "masquerade") {
    NftNat n;
    n.kind = w == "dnat" ? NftNat::Kind::dnat : w == "snat" ? NftNat::Kind::snat : w == "redirect" ? NftNat::Kind::redirect : NftNat::Kind::masquerade;
    const bool ip = accept_word("ip");
    if (!ip && at_word("ip6")) {
      if (!inet) fail(peek().loc, "Error: conflicting protocols specified: ip vs. ip6");
      next();
      accept_word("to");
      if (at(Tok::word)) next();
      push_expr(r, NftIpv6Only{}, first, last_end);
      return true;
    }
    if (accept_word("to")) {
      const Token a = expect(Tok::word, "ADDRESS[:PORT] or :PORT");
      std::string_view s = a.text, addr = s, port;
      if (const size_t colon = s.find(':'); colon != std::string_view::npos) {
        addr = s.substr(0, colon);
        port = s.substr(colon + 1);
      } else if (n.kind == NftNat::Kind::redirect || n.kind == NftNat::Kind::masquerade) {
        port = s;  // `redirect to 8080`
        addr = {};
      }
      if (!addr.empty()) {
        if (n.kind == NftNat::Kind::redirect || n.kind == NftNat::Kind::masquerade) fail(a.loc, fmt::format("Error: {} takes only a port (`to :PORT`)", w));
        if (inet && !ip) fail(first.loc, fmt::format("Error: specify `{} ip` or `{} ip6` in inet table to disambiguate", w, w));
        const size_t dash = addr.find('-');
        auto lo = parse_ipv4(addr.substr(0, dash));
        auto hi = dash == std::string_view::npos ? lo : parse_ipv4(addr.substr(dash + 1));
        if (!lo || !hi) fail(a.loc, fmt::format("Error: Could not resolve hostname: Name or service not known (`{}`; expected an IPv4 address or range)", addr));
        n.has_addr = true;
        n.addr_min = *lo;
        n.addr_max = *hi;
      }
      if (!port.empty()) {
        const size_t dash = port.find('-');
        auto lo = number(port.substr(0, dash));
        auto hi = dash == std::string_view::npos ? lo : number(port.substr(dash + 1));
        if (!lo || !hi || *lo > 65535 || *hi > 65535) fail(a.loc, fmt::format("Error: expected a port or port range, not `{}`", port));
        n.port_min = static_cast<uint16_t>(*lo);
        n.port_max = static_cast<uint16_t>(*hi);
      }
    } else if (n.kind == NftNat::Kind::dnat || n.kind == NftNat::Kind::snat) {
      unexpected(peek(), "to");
    }
    while (at_word("random") || at_word("fully-random") || at_word("persistent")) {
      next();
      accept(Tok::comma);
    }
    push_expr(r, n, first, last_end);
    return true;
  }
  if (w == "notrack") {
    push_expr(r, NftNotrack{}, first, last_end);
    return false;
  }
  static constexpr std::string_view known[] = {"ether", "vlan", "arp", "sctp", "dccp", "udplite", "ah", "esp", "comp", "igmp", "rt", "frag",
                                               "exthdr", "numgen", "jhash", "symhash", "quota", "flow", "set", "update", "add", "synproxy",
                                               "dup", "fwd", "osf", "ipsec", "hash", "rt0", "tcpopt", "secmark", "xt"};
  for (auto k : known)
    if (w == k) unmodelled(w);
  fail(first.loc, fmt::format("Error: syntax error, unexpected {}; kpath reads {}", token_name(first), kSupported));
}

}  // namespace kpath::nft

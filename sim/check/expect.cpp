#include "sim/check/expect.hpp"
#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include "models/fib/fib_frontend.hpp"
#include "sim/check/json_loc.hpp"
#include "sim/config/compile.hpp"
#include "sim/engine/packet_spec.hpp"

namespace kpath {

using namespace kernel;

namespace {

// ---- names, shared by the JSON and the compact form ----

constexpr std::array<std::string_view, 5> kReplyNames = {"none", "syn-ack", "rst", "icmp", "echo-reply"};  // ReplyKind order

std::string_view reply_text(ReplyKind r) { return kReplyNames[static_cast<size_t>(r)]; }

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "; did you mean X?" for a near miss among `names`, else "".
template <typename Names>
std::string did_you_mean(std::string_view s, const Names& names) {
  std::string_view best;
  size_t bd = 3;
  for (std::string_view n : names) {
    const size_t d = edit_distance(s, n);
    if (d < bd) { bd = d; best = n; }
  }
  return best.empty() ? "" : fmt::format(" (did you mean {}?)", best);
}

// Every error names the location it is about; `fail` throws ConfigError there.
using Fail = std::function<void(const std::string&)>;

Disposition parse_disposition(const std::string& s, const Fail& fail) {
  if (s == "deliver") return Disposition::deliver;
  if (s == "forward") return Disposition::forward;
  if (s == "drop") return Disposition::drop;
  fail(fmt::format("unknown disposition \"{}\"; expected deliver, forward or drop", s));
  return Disposition::drop;
}

DropReason parse_drop_reason(const std::string& s, const Fail& fail) {
  for (size_t i = 0; i < kDropReasonNames.size(); ++i)
    if (kDropReasonNames[i] == s) return static_cast<DropReason>(i);
  fail(fmt::format("unknown drop reason \"{}\"; expected an skb_drop_reason name without the SKB_DROP_REASON_ prefix "
                   "(e.g. IP_INADDRERRORS, NETFILTER_DROP, NO_SOCKET){}", s, did_you_mean(s, kDropReasonNames)));
  return DropReason::NOT_SPECIFIED;
}

std::optional<Snmp> snmp_by_name(std::string_view s) {
  for (size_t i = 0; i < kSnmpCount; ++i)
    if (kSnmpNames[i] == s) return static_cast<Snmp>(i);
  return std::nullopt;
}

Snmp parse_counter_name(const std::string& s, const Fail& fail) {
  if (auto c = snmp_by_name(s)) return *c;
  fail(fmt::format("unknown counter \"{}\"; expected an nstat name kpath models (e.g. IpInReceives, IpInAddrErrors, TcpInSegs){}", s,
                   did_you_mean(s, kSnmpNames)));
  return Snmp::IpInReceives;
}

ReplyKind parse_reply(const std::string& s, const Fail& fail) {
  for (size_t i = 0; i < kReplyNames.size(); ++i)
    if (kReplyNames[i] == s) return static_cast<ReplyKind>(i);
  fail(fmt::format("unknown reply \"{}\"; expected syn-ack, rst, icmp, echo-reply or none", s));
  return ReplyKind::none;
}

MarkMask parse_mark_text(const std::string& s, const Fail& fail) {
  MarkMask m;
  const auto slash = s.find('/');
  auto v = parse_u32(s.substr(0, slash));
  if (!v) fail(fmt::format("bad mark \"{}\"; expected a number like 0x1, or VALUE/MASK like 0x1/0xff", s));
  m.value = v ? *v : 0;
  if (slash != std::string::npos) {
    auto mk = parse_u32(s.substr(slash + 1));
    if (!mk) fail(fmt::format("bad mark mask in \"{}\"; expected VALUE/MASK like 0x1/0xff", s));
    m.mask = mk ? *mk : 0xffffffffu;
  }
  if (m.value & ~m.mask) fail(fmt::format("mark {} sets bits outside its mask: no mark can match it", s));
  return m;
}

Ipv4Addr parse_addr_text(const std::string& s, std::string_view what, const Fail& fail) {
  auto a = parse_ipv4(s);
  if (!a) fail(fmt::format("bad {} \"{}\"; expected a dotted IPv4 address", what, s));
  return a ? *a : Ipv4Addr{};
}

std::string proto_check(const std::string& s, const Fail& fail) {
  if (s != "tcp" && s != "udp") fail(fmt::format("unknown socket protocol \"{}\"; expected tcp or udp", s));
  return s;
}

Expectation::Table parse_table_text(const std::string& s) {
  Expectation::Table t;
  if (auto v = parse_u32(s)) t.id = *v;
  else t.name = s;
  return t;
}

std::string mark_text(const MarkMask& m) {
  return m.mask == 0xffffffffu ? fmt::format("0x{:x}", m.value) : fmt::format("0x{:x}/0x{:x}", m.value, m.mask);
}

// ---- JSON form ----

struct JsonReader {
  const JsonDoc& doc;
  Fail at(const JsonNode& n) const { return [this, &n](const std::string& m) { doc.fail(n, m); }; }

  Expectation expectation(const JsonNode& obj) const {
    Expectation x;
    doc.as_object(obj, "\"expect\"");
    doc.check_keys(obj, {"disposition", "drop_reason", "drop_function", "socket", "egress", "icmp", "reply", "counters", "exact_counters",
                         "mark", "table", "rule"},
                   "\"expect\"");
    using K = JsonNode::Kind;
    for (const auto& m : obj.members) {
      const JsonNode& v = m.value;
      const SourceLoc loc = doc.loc(v);
      const std::string what = fmt::format("\"{}\"", m.key);
      if (m.key == "disposition") {
        x.disposition = {{parse_disposition(doc.as_string(v, what), at(v))}, loc};
      } else if (m.key == "drop_reason") {
        x.drop_reason = {v.kind == K::null ? DropReason::NOT_DROPPED : parse_drop_reason(doc.as_string(v, what, " or null (not dropped)"), at(v)), loc};
      } else if (m.key == "drop_function") {
        x.drop_function = {v.kind == K::null ? std::string() : doc.as_string(v, what, " or null (not dropped)"), loc};
      } else if (m.key == "socket") {
        Expectation::Socket s;
        if (v.kind == K::null) s.present = false;
        else {
          doc.as_object(v, what, " or null (no socket)");
          doc.check_keys(v, {"proto", "port", "addr", "transparent"}, "\"socket\"");
          if (auto* p = v.find("proto")) s.proto = proto_check(doc.as_string(*p, "\"proto\""), at(*p));
          if (auto* p = v.find("port")) s.port = static_cast<uint16_t>(doc.as_uint(*p, "\"port\"", 65535));
          if (auto* p = v.find("addr")) s.addr = parse_addr_text(doc.as_string(*p, "\"addr\""), "socket address", at(*p));
          if (auto* p = v.find("transparent")) s.transparent = doc.as_bool(*p, "\"transparent\"");
        }
        x.socket = {s, loc};
      } else if (m.key == "egress") {
        Expectation::Egress e;
        if (v.kind == K::null) e.present = false;
        else {
          doc.as_object(v, what, " or null (not forwarded)");
          doc.check_keys(v, {"dev", "via"}, "\"egress\"");
          if (auto* p = v.find("dev")) e.dev = doc.as_string(*p, "\"dev\"");
          if (auto* p = v.find("via")) {
            if (p->kind == K::null) e.via = std::optional<Ipv4Addr>{};
            else e.via = parse_addr_text(doc.as_string(*p, "\"via\"", " or null (no gateway)"), "gateway", at(*p));
          }
        }
        x.egress = {e, loc};
      } else if (m.key == "icmp") {
        Expectation::Icmp ic;
        if (v.kind == K::null) ic.present = false;
        else {
          doc.as_object(v, what, " or null (no ICMP sent)");
          doc.check_keys(v, {"type", "code"}, "\"icmp\"");
          if (auto* p = v.find("type")) ic.type = static_cast<int>(doc.as_uint(*p, "\"type\"", 255));
          if (auto* p = v.find("code")) ic.code = static_cast<int>(doc.as_uint(*p, "\"code\"", 255));
        }
        x.icmp = {ic, loc};
      } else if (m.key == "reply") {
        x.reply = {v.kind == K::null ? ReplyKind::none : parse_reply(doc.as_string(v, what, " or null"), at(v)), loc};
      } else if (m.key == "counters") {
        doc.as_object(v, what);
        for (const auto& c : v.members) {
          const Snmp id = parse_counter_name(c.key, [&](const std::string& msg) { doc.fail(c.key_offset, msg); });
          x.counters.push_back({id, static_cast<uint32_t>(doc.as_uint(c.value, fmt::format("counter \"{}\"", c.key), 0xffffffffu)), doc.loc(c.key_offset)});
        }
      } else if (m.key == "exact_counters") {
        x.exact_counters = {doc.as_bool(v, what), loc};
      } else if (m.key == "mark") {
        MarkMask mm;
        if (v.kind == K::number) mm.value = static_cast<uint32_t>(doc.as_uint(v, what, 0xffffffffu));
        else if (v.kind == K::string) mm = parse_mark_text(v.text, at(v));
        else doc.fail(v, fmt::format("\"mark\" must be a number or a string like \"0x1\" or \"0x1/0xff\", not {}", JsonNode::kind_name(v.kind)));
        x.mark = {mm, loc};
      } else if (m.key == "table") {
        Expectation::Table t;
        if (v.kind == K::number) t.id = static_cast<uint32_t>(doc.as_uint(v, what, 0xffffffffu));
        else if (v.kind == K::string) t = parse_table_text(v.text);
        else if (v.kind != K::null) doc.fail(v, fmt::format("\"table\" must be a number, a table name or null, not {}", JsonNode::kind_name(v.kind)));
        x.table = {t, loc};
      } else if (m.key == "rule") {
        std::optional<uint32_t> r;
        if (v.kind != K::null) r = static_cast<uint32_t>(doc.as_uint(v, "\"rule\" (an ip rule priority, or null)", 0xffffffffu));
        x.rule = {r, loc};
      }
    }
    return x;
  }

  ExpectCase one_case(const JsonNode& obj, size_t index) const {
    const std::string where = fmt::format("case {}", index + 1);
    doc.as_object(obj, where);
    doc.check_keys(obj, {"name", "description", "packet", "host", "expect"}, where);
    ExpectCase c;
    c.loc = doc.loc(obj);
    const JsonNode* name = obj.find("name");
    const JsonNode* pkt = obj.find("packet");
    const JsonNode* exp = obj.find("expect");
    if (!name) doc.fail(obj, fmt::format("{} has no \"name\"; expected a name for the test report", where));
    if (!pkt) doc.fail(obj, fmt::format("{} has no \"packet\"; expected a packet spec like \"tcp 10.0.0.1:40000 -> 1.2.3.4:80 iif eth0\"", where));
    if (!exp) doc.fail(obj, fmt::format("{} has no \"expect\"; expected an object like {{\"disposition\": \"deliver\"}}", where));
    c.name = doc.as_string(*name, "\"name\"");
    if (c.name.empty()) doc.fail(*name, "\"name\" is empty; expected a name for the test report");
    if (auto* d = obj.find("description")) doc.as_string(*d, "\"description\"");
    c.packet = doc.as_string(*pkt, "\"packet\"");
    c.packet_loc = doc.loc(pkt->offset + 1);
    c.packet_loc_exact = pkt->plain_string;
    if (auto* h = obj.find("host")) {
      c.host = doc.as_string(*h, "\"host\"");
      c.host_given = true;
      c.host_loc = doc.loc(*h);
    }
    c.expect = expectation(*exp);
    if (c.expect.empty()) doc.fail(*exp, "\"expect\" is empty; expected at least one of disposition, drop_reason, socket, egress, icmp, reply, counters, mark, table, rule");
    return c;
  }
};

// ---- compact form ----

// Column of `word` in the directive line, searching from `from` (1-based; 0 when not found,
// e.g. when the word came from a variable).
uint32_t find_col(const std::string& line, const std::string& word, size_t& from) {
  if (word.empty()) return 0;
  const size_t p = line.find(word, from);
  if (p == std::string::npos) return 0;
  from = p + word.size();
  return static_cast<uint32_t>(p + 1);
}

}  // namespace

std::vector<ExpectCase> parse_expect_json(const std::string& text, uint32_t file_id) {
  JsonDoc doc(text, file_id);
  const JsonNode& root = doc.root();
  doc.as_object(root, "the expectations file");
  doc.check_keys(root, {"$schema", "description", "cases"}, "the expectations file");
  if (auto* s = root.find("$schema")) doc.as_string(*s, "\"$schema\"");
  if (auto* s = root.find("description")) doc.as_string(*s, "\"description\"");
  const JsonNode* cases = root.find("cases");
  if (!cases) doc.fail(root, "the expectations file has no \"cases\"; expected {\"cases\": [{\"name\": ..., \"packet\": ..., \"expect\": {...}}]}");
  const auto& items = doc.as_array(*cases, "\"cases\"");
  if (items.empty()) doc.fail(*cases, "\"cases\" is empty; expected at least one case");
  JsonReader r{doc};
  std::vector<ExpectCase> out;
  for (size_t i = 0; i < items.size(); ++i) {
    out.push_back(r.one_case(items[i], i));
    for (size_t j = 0; j + 1 < out.size(); ++j)
      if (out[j].name == out.back().name)
        doc.fail(items[i], fmt::format("duplicate case name \"{}\" (first at line {}); expected unique names", out.back().name, out[j].loc.line));
  }
  return out;
}

ExpectCase parse_expect_directive(const ConfigSet::Directive& d, const FileTable& files) {
  ExpectCase c;
  c.loc = d.loc;
  c.host = d.host;
  const std::string line = files.line_text(d.loc);
  size_t from = d.loc.col ? d.loc.col - 1 : 0;
  std::vector<uint32_t> cols;
  for (auto& w : d.words) cols.push_back(find_col(line, w, from));
  auto loc_of = [&](size_t i, size_t extra = 0) {
    SourceLoc l = d.loc;
    if (cols[i]) l.col = cols[i] + static_cast<uint32_t>(extra);
    return l;
  };
  auto fail_at = [&](size_t i, size_t extra = 0) -> Fail {
    return [&, i, extra](const std::string& m) { throw ConfigError(loc_of(i, extra), m); };
  };
  static const char* kGrammar =
      "#kpath expect \"PACKET SPEC\" [deliver|forward|drop [REASON]] [reason=R] [function=F] [socket=PROTO:[ADDR:]PORT|none] "
      "[egress=DEV|none] [via=ADDR|none] [icmp=TYPE/CODE|none] [reply=syn-ack|rst|icmp|echo-reply|none] [mark=V[/M]] "
      "[table=T|none] [rule=PREF|none] [COUNTER=N]... [exact_counters] [host=NS] [name=TEXT]";
  bool have_packet = false;
  Expectation& x = c.expect;
  for (size_t i = 0; i < d.words.size(); ++i) {
    const std::string& w = d.words[i];
    const SourceLoc loc = loc_of(i);
    if (w == "deliver" || w == "forward" || w == "drop") {
      if (x.disposition) throw ConfigError(loc, fmt::format("duplicate disposition \"{}\"; expected one of deliver, forward or drop", w));
      x.disposition = {{parse_disposition(w, fail_at(i))}, loc};
      if (w == "drop" && i + 1 < d.words.size() && !d.words[i + 1].empty() && std::isupper(static_cast<unsigned char>(d.words[i + 1][0])) &&
          d.words[i + 1].find('=') == std::string::npos) {
        ++i;
        x.drop_reason = {parse_drop_reason(d.words[i], fail_at(i)), loc_of(i)};
      }
      continue;
    }
    if (w == "exact_counters" || w == "exact-counters") {
      x.exact_counters = {true, loc};
      continue;
    }
    const auto eq = w.find('=');
    const bool keyish = eq != std::string::npos && eq > 0 && w.find(' ') > eq &&
                        std::all_of(w.begin(), w.begin() + static_cast<long>(eq), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'; });
    if (!keyish) {
      if (have_packet || w.find(' ') == std::string::npos)
        throw ConfigError(loc, fmt::format("unexpected \"{}\"; expected {} (quote the packet spec as one word, e.g. "
                                           "\"tcp 10.0.0.1:40000 -> 1.2.3.4:80 iif eth0 syn\")",
                                           w, have_packet ? "deliver, forward, drop or KEY=VALUE after the packet" : "a quoted packet spec, deliver, forward, drop or KEY=VALUE"));
      c.packet = w;
      c.packet_loc = loc;
      // the quote precedes the text when the word was quoted in the line
      c.packet_loc_exact = cols[i] != 0;
      have_packet = true;
      continue;
    }
    const std::string key = w.substr(0, eq), val = w.substr(eq + 1);
    const SourceLoc vloc = loc_of(i, eq + 1);
    const Fail vfail = fail_at(i, eq + 1);
    if (val.empty()) throw ConfigError(vloc, fmt::format("{}= needs a value; grammar: {}", key, kGrammar));
    if (key == "name") c.name = val;
    else if (key == "host") { c.host = val; c.host_given = true; c.host_loc = vloc; }
    else if (key == "reason" || key == "drop_reason") x.drop_reason = {val == "none" ? DropReason::NOT_DROPPED : parse_drop_reason(val, vfail), vloc};
    else if (key == "function" || key == "drop_function") x.drop_function = {val == "none" ? std::string() : val, vloc};
    else if (key == "socket") {
      Expectation::Socket s;
      if (val == "none") s.present = false;
      else {
        // PROTO:PORT or PROTO:ADDR:PORT
        const auto c1 = val.find(':');
        const auto c2 = val.rfind(':');
        if (c1 == std::string::npos) vfail(fmt::format("bad socket \"{}\"; expected PROTO:PORT, PROTO:ADDR:PORT or none, e.g. tcp:9999", val));
        s.proto = proto_check(val.substr(0, c1), vfail);
        auto port = parse_u32(val.substr(c2 + 1));
        if (!port || *port > 65535) vfail(fmt::format("bad socket port in \"{}\"; expected 0-65535", val));
        s.port = static_cast<uint16_t>(*port);
        if (c2 != c1) s.addr = parse_addr_text(val.substr(c1 + 1, c2 - c1 - 1), "socket address", vfail);
      }
      x.socket = {s, vloc};
    } else if (key == "egress") {
      Expectation::Egress e = x.egress ? x.egress->value : Expectation::Egress{};
      if (val == "none") e.present = false;
      else e.dev = val;
      x.egress = {e, vloc};
    } else if (key == "via") {
      Expectation::Egress e = x.egress ? x.egress->value : Expectation::Egress{};
      e.via = val == "none" ? std::optional<Ipv4Addr>{} : std::optional<Ipv4Addr>{parse_addr_text(val, "gateway", vfail)};
      x.egress = {e, x.egress ? x.egress->loc : vloc};
    } else if (key == "icmp") {
      Expectation::Icmp ic;
      if (val == "none") ic.present = false;
      else {
        const auto sl = val.find('/');
        auto t = parse_u32(val.substr(0, sl));
        if (!t || *t > 255) vfail(fmt::format("bad ICMP type in \"{}\"; expected TYPE/CODE like 3/1, or none", val));
        ic.type = static_cast<int>(*t);
        if (sl != std::string::npos) {
          auto cd = parse_u32(val.substr(sl + 1));
          if (!cd || *cd > 255) vfail(fmt::format("bad ICMP code in \"{}\"; expected TYPE/CODE like 3/1", val));
          ic.code = static_cast<int>(*cd);
        }
      }
      x.icmp = {ic, vloc};
    } else if (key == "reply") x.reply = {parse_reply(val, vfail), vloc};
    else if (key == "mark") x.mark = {parse_mark_text(val, vfail), vloc};
    else if (key == "table") x.table = {val == "none" ? Expectation::Table{} : parse_table_text(val), vloc};
    else if (key == "rule") {
      std::optional<uint32_t> r;
      if (val != "none") {
        auto v = parse_u32(val);
        if (!v) vfail(fmt::format("bad rule \"{}\"; expected a fib rule priority like 32765, or none", val));
        r = *v;
      }
      x.rule = {r, vloc};
    } else if (key == "exact_counters") {
      if (val != "true" && val != "false") vfail(fmt::format("bad exact_counters \"{}\"; expected true or false", val));
      x.exact_counters = {val == "true", vloc};
    } else if (auto ctr = snmp_by_name(key)) {
      auto n = parse_u32(val[0] == '+' ? val.substr(1) : val);
      if (!n) vfail(fmt::format("bad counter delta \"{}\"; expected a number like 1 or +1", val));
      x.counters.push_back({*ctr, *n, loc});
    } else {
      static const std::vector<std::string_view> keys = {"name", "host", "reason", "function", "socket", "egress", "via", "icmp",
                                                         "reply", "mark", "table", "rule", "exact_counters"};
      std::vector<std::string_view> all(keys);
      for (auto n : kSnmpNames) all.push_back(n);
      throw ConfigError(loc, fmt::format("unknown key \"{}\"; expected reason, function, socket, egress, via, icmp, reply, mark, table, "
                                         "rule, a counter name (IpInReceives=1), exact_counters, host or name{}",
                                         key, did_you_mean(key, all)));
    }
  }
  if (!have_packet) throw ConfigError(d.loc, fmt::format("#kpath expect needs a packet spec in quotes; grammar: {}", kGrammar));
  if (x.empty()) throw ConfigError(d.loc, fmt::format("#kpath expect says nothing about the outcome; grammar: {}", kGrammar));
  if (c.name.empty()) c.name = c.packet;
  return c;
}

// ---- checking ----

std::vector<FieldCheck> check_expectation(const Expectation& x, const Verdict& v) {
  std::vector<FieldCheck> out;
  auto add = [&](std::string field, std::string expected, std::string actual, bool ok, SourceLoc loc) {
    out.push_back({std::move(field), std::move(expected), std::move(actual), ok, loc});
  };
  auto eq = [&](std::string field, std::string expected, std::string actual, SourceLoc loc) {
    const bool ok = expected == actual;
    add(std::move(field), std::move(expected), std::move(actual), ok, loc);
  };
  const bool dropped = v.disposition == Disposition::drop;
  if (x.disposition) eq("disposition", std::string(disposition_name(x.disposition->value)), std::string(disposition_name(v.disposition)), x.disposition->loc);
  if (x.drop_reason) {
    auto name = [](DropReason r) { return r == DropReason::NOT_DROPPED ? std::string("none (not dropped)") : std::string(drop_reason_name(r)); };
    eq("drop_reason", name(x.drop_reason->value), name(dropped ? v.drop_reason : DropReason::NOT_DROPPED), x.drop_reason->loc);
  }
  if (x.drop_function) {
    auto name = [](const std::string& f) { return f.empty() ? std::string("none (not dropped)") : f; };
    eq("drop_function", name(x.drop_function->value), name(dropped ? v.drop_function : std::string()), x.drop_function->loc);
  }
  if (x.socket) {
    const auto& s = x.socket->value;
    const std::string none = "none";
    if (!s.present) {
      eq("socket", none, v.socket ? fmt::format("{} {}:{}", v.socket->proto, v.socket->addr, v.socket->port) : none, x.socket->loc);
    } else {
      if (s.proto) eq("socket.proto", *s.proto, v.socket ? v.socket->proto : none, x.socket->loc);
      if (s.addr) eq("socket.addr", to_string(*s.addr), v.socket ? to_string(v.socket->addr) : none, x.socket->loc);
      if (s.port) eq("socket.port", std::to_string(*s.port), v.socket ? std::to_string(v.socket->port) : none, x.socket->loc);
      if (s.transparent) eq("socket.transparent", *s.transparent ? "true" : "false", v.socket ? (v.socket->transparent ? "true" : "false") : none, x.socket->loc);
      if (!s.proto && !s.addr && !s.port && !s.transparent) eq("socket", "any socket", v.socket ? "any socket" : none, x.socket->loc);
    }
  }
  if (x.egress) {
    const auto& e = x.egress->value;
    const std::string none = "none";
    if (!e.present) {
      eq("egress", none, v.egress ? v.egress->dev : none, x.egress->loc);
    } else {
      if (e.dev) eq("egress.dev", *e.dev, v.egress ? v.egress->dev : none, x.egress->loc);
      if (e.via) {
        auto via = [&](const std::optional<Ipv4Addr>& a) { return a ? to_string(*a) : std::string("none (directly connected)"); };
        eq("egress.via", via(*e.via), v.egress ? via(v.egress->via) : std::string("none (not forwarded)"), x.egress->loc);
      }
      if (!e.dev && !e.via) eq("egress", "forwarded", v.egress ? "forwarded" : none, x.egress->loc);
    }
  }
  if (x.icmp) {
    const auto& ic = x.icmp->value;
    const std::string none = "none";
    if (!ic.present) {
      eq("icmp", none, v.icmp ? fmt::format("type {} code {}", v.icmp->first, v.icmp->second) : none, x.icmp->loc);
    } else {
      if (ic.type) eq("icmp.type", std::to_string(*ic.type), v.icmp ? std::to_string(v.icmp->first) : none, x.icmp->loc);
      if (ic.code) eq("icmp.code", std::to_string(*ic.code), v.icmp ? std::to_string(v.icmp->second) : none, x.icmp->loc);
      if (!ic.type && !ic.code) eq("icmp", "sent", v.icmp ? "sent" : none, x.icmp->loc);
    }
  }
  if (x.reply) eq("reply", std::string(reply_text(x.reply->value)), std::string(reply_text(v.reply)), x.reply->loc);
  for (const auto& c : x.counters)
    eq(fmt::format("counters.{}", snmp_name(c.counter)), std::to_string(c.delta), std::to_string(v.counters.get(c.counter)), c.loc);
  if (x.exact_counters && x.exact_counters->value) {
    for (size_t i = 0; i < kSnmpCount; ++i) {
      const auto id = static_cast<Snmp>(i);
      if (!v.counters.v[i]) continue;
      if (std::any_of(x.counters.begin(), x.counters.end(), [&](auto& c) { return c.counter == id; })) continue;
      add(fmt::format("counters.{}", kSnmpNames[i]), "0 (exact_counters)", std::to_string(v.counters.v[i]), false, x.exact_counters->loc);
    }
  }
  if (x.mark) {
    const MarkMask& m = x.mark->value;
    add("mark", mark_text(m), fmt::format("0x{:x}", v.mark), (v.mark & m.mask) == m.value, x.mark->loc);
  }
  if (x.table) {
    const auto& t = x.table->value;
    const std::string exp = t.id ? fib_table_name(*t.id) : "none";
    const std::string act = v.table ? fib_table_name(*v.table) : "none";
    add("table", t.name.empty() || t.id == std::nullopt ? exp : fmt::format("{} ({})", t.name, *t.id), act, t.id == v.table, x.table->loc);
  }
  if (x.rule) {
    auto txt = [](const std::optional<uint32_t>& r) { return r ? std::to_string(*r) : std::string("none"); };
    eq("rule", txt(x.rule->value), txt(v.rule), x.rule->loc);
  }
  return out;
}

std::string TestRun::summary() const { return fmt::format("{} passed, {} failed", passed, failed); }

namespace {
const HostConfig* host_named(const ConfigSet& set, const std::string& name) {
  if (name.empty()) return set.hosts.empty() ? nullptr : &set.hosts[0];
  for (auto& h : set.hosts) if (h.name == name) return &h;
  return nullptr;
}
}  // namespace

void run_expectations(TestRun& run, const ConfigSet& set, const KernelProfile& profile, const std::string& default_host, FileTable& files) {
  // Compile every host a case names, resolve table names, parse packets: bad input first.
  std::vector<Packet> packets;
  for (ExpectCase& c : run.cases) {
    const std::string host = c.host_given ? c.host : default_host;
    if (!run.nets.count(host)) {
      const HostConfig* hc = host_named(set, host);
      if (!hc) {
        std::string names;
        for (auto& h : set.hosts) if (!h.name.empty()) names += (names.empty() ? "" : ", ") + h.name;
        throw ConfigError(c.host_given ? c.host_loc : c.loc, fmt::format("host \"{}\": no such network namespace in the config{}", host,
                                                                          names.empty() ? "; it creates none (omit \"host\")" : "; it has: " + names));
      }
      run.nets.emplace(host, compile(*hc, profile));
    }
    const HostConfig* hc = host_named(set, host);
    if (c.expect.table && !c.expect.table->value.name.empty() && !c.expect.table->value.id) {
      auto it = hc->rt_tables.find(c.expect.table->value.name);
      if (it == hc->rt_tables.end()) {
        std::string names;
        for (auto& [n, id] : hc->rt_tables) if (id) names += (names.empty() ? "" : ", ") + n;
        throw ConfigError(c.expect.table->loc, fmt::format("unknown table \"{}\"; expected a table number or a name from rt_tables ({})",
                                                           c.expect.table->value.name, names));
      }
      c.expect.table->value.id = it->second;
    }
    const kernel::Net& net = run.nets.at(host);
    try {
      packets.push_back(parse_packet_spec(c.packet, net, c.packet_loc.file_id));
    } catch (const ConfigError& e) {
      SourceLoc l = c.packet_loc;
      if (c.packet_loc_exact && e.loc().col) l.col += e.loc().col - 1;
      throw ConfigError(l, fmt::format("in the packet of case \"{}\": {}", c.name, e.what()));
    }
  }
  PathGraph g;
  run.results.clear();
  run.passed = run.failed = 0;
  for (size_t i = 0; i < run.cases.size(); ++i) {
    const ExpectCase& c = run.cases[i];
    const kernel::Net& net = run.nets.at(c.host_given ? c.host : default_host);
    CaseResult r;
    r.c = &c;
    r.net = &net;
    const auto t0 = std::chrono::steady_clock::now();
    r.e = explain_packet(net, g, packets[i]);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.checks = check_expectation(c.expect, r.e.verdict);
    r.pass = std::all_of(r.checks.begin(), r.checks.end(), [](auto& f) { return f.ok; });
    ++(r.pass ? run.passed : run.failed);
    run.results.push_back(std::move(r));
  }
  (void)files;
}

}  // namespace kpath

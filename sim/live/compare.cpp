#include "sim/live/compare.hpp"
#include "models/sock.hpp"
#include <set>
#include <fmt/format.h>

namespace kpath::live {

using namespace kernel;

int Comparison::disagreements() const {
  int n = 0;
  for (auto& r : rows) n += r.status == Row::Status::disagree;
  return n;
}

int Comparison::expect_failures() const {
  int n = 0;
  for (auto& r : rows) n += r.has_expect && !r.expect_ok;
  return n;
}

namespace {

constexpr const char* kNone = "-";

std::string fn_of(const std::string& location) {
  auto p = location.find('+');
  return p == std::string::npos ? location : location.substr(0, p);
}

std::string sock_text(const Sock& s) { return fmt::format("{} {}:{}", s.proto == IPPROTO_TCP_ ? "tcp" : "udp", s.laddr, s.lport); }

std::string icmp_text(const std::optional<std::pair<int, int>>& i) { return i ? fmt::format("type {} code {}", i->first, i->second) : kNone; }

const char* reply_text(ReplyKind r) {
  switch (r) {
    case ReplyKind::none: return kNone;
    case ReplyKind::syn_ack: return "syn-ack";
    case ReplyKind::rst: return "rst";
    case ReplyKind::icmp: return "icmp";
    case ReplyKind::echo_reply: return "echo-reply";
  }
  return kNone;
}


}  // namespace

Comparison compare(const Verdict& v, const Observation& o, const HostConfig& h, const Expectation* expect) {
  Comparison c;
  const bool k_drop = v.disposition == Disposition::drop;
  const bool o_drop = o.disposition == "drop";
  auto add = [&](std::string field, std::string kp, std::string kern, bool agree) {
    Row r;
    r.field = std::move(field);
    r.kpath = std::move(kp);
    r.kernel = std::move(kern);
    r.status = agree ? Row::Status::agree : Row::Status::disagree;
    c.rows.push_back(std::move(r));
    return c.rows.size() - 1;
  };

  const std::string kdisp(disposition_name(v.disposition));
  const std::string odisp = o.disposition.empty() ? "(not observed)" : o.disposition;
  add("disposition", kdisp, odisp, kdisp == o.disposition);
  const std::string kreason = k_drop ? std::string(drop_reason_name(v.drop_reason)) : kNone;
  const std::string oreason = o_drop ? o.skb.reason : kNone;
  add("drop_reason", kreason, oreason, kreason == oreason);
  const std::string kfn = k_drop && !v.drop_function.empty() ? v.drop_function : kNone;
  const std::string ofn = o_drop ? fn_of(o.skb.location) : kNone;
  add("drop_function", kfn, o_drop ? o.skb.location : kNone, kfn == ofn);

  std::set<std::string> names;
  for (size_t i = 0; i < kSnmpCount; ++i)
    if (v.counters.v[i] && !ignored_counter(std::string(kSnmpNames[i]))) names.insert(std::string(kSnmpNames[i]));
  for (auto& [k, x] : o.counters) names.insert(k);
  for (const std::string& n : names) {
    long long kv = 0, ov = 0;
    for (size_t i = 0; i < kSnmpCount; ++i) if (kSnmpNames[i] == n) kv = v.counters.v[i];
    if (auto it = o.counters.find(n); it != o.counters.end()) ov = it->second;
    add(n, kv ? fmt::format("+{}", kv) : kNone, ov ? fmt::format("+{}", ov) : kNone, kv == ov);
  }

  add("icmp", icmp_text(v.icmp), icmp_text(o.icmp), v.icmp == o.icmp);
  const std::string oreply = o.reply.empty() ? kNone : o.reply;
  add("reply", reply_text(v.reply), oreply, reply_text(v.reply) == oreply);

  const std::string ksock = v.socket ? fmt::format("{} {}:{}", v.socket->proto, v.socket->addr, v.socket->port) : kNone;
  std::string osock = o.socket ? sock_text(h.socks[*o.socket]) : kNone;
  if (o.socket_unknown) c.rows[add("socket", ksock, "(no handshake to tell)", true)].status = Row::Status::unobservable;
  else add("socket", ksock, osock, ksock == osock);

  const std::string keg = v.egress ? v.egress->dev + (v.egress->via ? fmt::format(" via {}", *v.egress->via) : "") : kNone;
  const std::string oeg = o.disposition == "forward" || !o.egress_dev.empty()
                              ? (o.egress_dev.empty() ? "(unknown)" : o.egress_dev) + (o.via ? fmt::format(" via {}", *o.via) : "")
                              : kNone;
  add("egress", keg, oeg, keg == oeg);

  const std::string ktab = v.table ? std::to_string(*v.table) : kNone;
  const std::string otab = o.skb.table ? std::to_string(*o.skb.table) : kNone;
  // kpath names the table of the route it attached; a packet dropped after the lookup (rp_filter,
  // martians) has none on kpath's side while the kernel's tracepoint shows the lookup.
  if (!v.table && o.skb.table) c.rows[add("table", ktab, otab + " (lookup before the drop)", true)].status = Row::Status::unobservable;
  else add("table", ktab, otab, ktab == otab);
  {
    Row r;
    r.field = "rule";
    r.kpath = v.rule ? std::to_string(*v.rule) : kNone;
    r.kernel = "(not observable)";
    r.status = Row::Status::unobservable;
    c.rows.push_back(r);
  }

  if (!expect) return c;
  const Expectation& x = *expect;
  auto row_of = [&](const std::string& f) -> Row& {
    for (auto& r : c.rows) if (r.field == f) return r;
    Row r;  // a counter only the expectation names
    r.field = f;
    r.kpath = r.kernel = kNone;
    c.rows.push_back(r);
    return c.rows.back();
  };
  auto expect_row = [&](const std::string& f, std::string text, bool ok) {
    Row& r = row_of(f);
    r.has_expect = true;
    r.expect = std::move(text);
    r.expect_ok = ok;
  };
  const Sock* osk = o.socket ? &h.socks[*o.socket] : nullptr;
  if (x.disposition) {
    const std::string want(disposition_name(x.disposition->value));
    expect_row("disposition", want, want == o.disposition);
  }
  if (x.drop_reason) {
    const DropReason want = x.drop_reason->value;
    expect_row("drop_reason", want == DropReason::NOT_DROPPED ? kNone : std::string(drop_reason_name(want)),
               want == DropReason::NOT_DROPPED ? !o_drop : (o_drop && drop_reason_name(want) == o.skb.reason));
  }
  if (x.drop_function) {
    const std::string& want = x.drop_function->value;
    expect_row("drop_function", want.empty() ? kNone : want, want.empty() ? !o_drop : (o_drop && want == fn_of(o.skb.location)));
  }
  if (x.socket) {
    const auto& s = x.socket->value;
    if (!s.present) expect_row("socket", kNone, !osk);
    else {
      const std::string text = fmt::format("{} {}:{}{}", s.proto ? *s.proto : "*", s.addr ? to_string(*s.addr) : "*", s.port ? std::to_string(*s.port) : "*",
                                           s.transparent ? (*s.transparent ? " transparent" : " not transparent") : "");
      const bool ok = osk && (!s.proto || *s.proto == (osk->proto == IPPROTO_TCP_ ? "tcp" : "udp")) && (!s.addr || *s.addr == osk->laddr) &&
                      (!s.port || *s.port == osk->lport) && (!s.transparent || *s.transparent == osk->transparent);
      expect_row("socket", text, ok || o.socket_unknown);  // not identifiable: not failed
    }
  }
  if (x.egress) {
    const auto& e = x.egress->value;
    if (!e.present) expect_row("egress", kNone, o.egress_dev.empty());
    else {
      std::string text = e.dev ? *e.dev : "*";
      if (e.via) text += *e.via ? fmt::format(" via {}", **e.via) : " (direct)";
      const bool ok = !o.egress_dev.empty() && (!e.dev || *e.dev == o.egress_dev) && (!e.via || *e.via == o.via);
      expect_row("egress", text, ok);
    }
  }
  if (x.icmp) {
    const auto& ic = x.icmp->value;
    if (!ic.present) expect_row("icmp", kNone, !o.icmp);
    else
      expect_row("icmp", fmt::format("type {} code {}", ic.type ? std::to_string(*ic.type) : "*", ic.code ? std::to_string(*ic.code) : "*"),
                 o.icmp && (!ic.type || *ic.type == o.icmp->first) && (!ic.code || *ic.code == o.icmp->second));
  }
  if (x.reply) {
    const std::string want = reply_text(x.reply->value);
    expect_row("reply", want, want == (o.reply.empty() ? std::string(kNone) : o.reply));
  }
  std::set<std::string> listed;
  for (const auto& ctr : x.counters) {
    const std::string n(snmp_name(ctr.counter));
    listed.insert(n);
    auto it = o.counters.find(n);
    const long long got = it == o.counters.end() ? 0 : it->second;
    expect_row(n, ctr.delta ? fmt::format("+{}", ctr.delta) : "0", got == static_cast<long long>(ctr.delta));
  }
  if (x.exact_counters && x.exact_counters->value)
    for (auto& [n, got] : o.counters)
      if (!listed.count(n)) expect_row(n, "0 (exact)", false);
  if (x.mark) {
    Row r;
    r.field = "mark";
    r.kpath = fmt::format("0x{:x}", v.mark);
    r.kernel = "(not observable)";
    r.status = Row::Status::unobservable;
    r.has_expect = true;
    r.expect = fmt::format("0x{:x}/0x{:x}", x.mark->value.value, x.mark->value.mask);
    c.rows.push_back(r);
  }
  if (x.table) {
    const auto& t = x.table->value;
    std::optional<uint32_t> want = t.id;
    if (!want && !t.name.empty())
      if (auto it = h.rt_tables.find(t.name); it != h.rt_tables.end()) want = it->second;
    expect_row("table", want ? std::to_string(*want) : kNone, want == o.skb.table);
  }
  if (x.rule) expect_row("rule", x.rule->value ? std::to_string(*x.rule->value) : kNone, true);  // not observable
  return c;
}

std::string render_comparison(const Comparison& c, bool with_expect) {
  size_t wf = 5, wk = 5, wo = 6, we = 6;
  for (auto& r : c.rows) {
    wf = std::max(wf, r.field.size());
    wk = std::max(wk, r.kpath.size());
    wo = std::max(wo, r.kernel.size());
    we = std::max(we, r.expect.size());
  }
  std::string s;
  auto line = [&](const std::string& f, const std::string& k, const std::string& o, const std::string& e, const std::string& st) {
    std::string l = fmt::format("  {:<{}}  {:<{}}  {:<{}}", f, wf, k, wk, o, wo);
    if (with_expect) l += fmt::format("  {:<{}}", e, we);
    l += "  " + st;
    while (!l.empty() && l.back() == ' ') l.pop_back();
    s += l + "\n";
  };
  line("field", "kpath", "kernel", "expect", "");
  for (auto& r : c.rows) {
    std::string st = r.status == Row::Status::agree ? "ok" : r.status == Row::Status::disagree ? "DIFFERS" : "n/a";
    if (r.has_expect && !r.expect_ok) st += "; EXPECT FAILS";
    line(r.field, r.kpath, r.kernel, r.has_expect ? r.expect : "", st);
  }
  return s;
}

}  // namespace kpath::live

// fib_rules_lookup (net/core/fib_rules.c) with the IPv4 hooks fib4_rule_match, fib4_rule_action
// and fib4_rule_suppress (net/ipv4/fib_rules.c): walk in priority order, continue on -EAGAIN,
// stop on anything else; -ESRCH (nothing decided) becomes -ENETUNREACH in __fib_lookup.
#include <fmt/format.h>
#include "models/fib/fib_frontend.hpp"
#include "models/instantiate.hpp"

namespace kpath::kernel {

// fib_rule_match + fib4_rule_match; `why` names the first selector that failed.
static bool fib4_rule_match(const FibRule& r, const Flowi4& fl, const char*& why) {
  bool ret = true;
  why = nullptr;
  if (r.iif && r.iif != fl.iif) { why = "iif"; ret = false; }
  else if (r.oif && r.oif != fl.oif) { why = "oif"; ret = false; }
  else if ((r.mark ^ fl.mark) & r.mark_mask) { why = "fwmark"; ret = false; }
  else if (r.has_uidrange && (fl.uid < r.uid_start || fl.uid > r.uid_end)) { why = "uidrange"; ret = false; }
  else if (r.has_src && !r.src.contains(fl.saddr)) { why = "from"; ret = false; }
  else if (r.has_dst && !r.dst.contains(fl.daddr)) { why = "to"; ret = false; }
  else if (r.tos && r.tos != (fl.tos & 0x1c)) { why = "tos"; ret = false; }
  else if (r.dscp && *r.dscp != (fl.tos >> 2)) { why = "dscp"; ret = false; }
  else if (r.ipproto && r.ipproto != fl.proto) { why = "ipproto"; ret = false; }
  else if (r.sport.set() && !r.sport.contains(fl.sport)) { why = "sport"; ret = false; }
  else if (r.dport.set() && !r.dport.contains(fl.dport)) { why = "dport"; ret = false; }
  if (r.iif < 0 || r.oif < 0) { why = "detached device"; ret = false; }
  return r.invert ? !ret : ret;
}

template <typename T>
static FibResult lookup_table(const Net& net, uint32_t id, const Flowi4& fl, T& t) {
  const FibTable* tb = net.table(id);
  if (!tb) {
    t.step("fib_table_lookup", {}, [&] { return fmt::format("table {} does not exist: -EAGAIN", fib_table_name(id)); }, StepKind::NoMatch);
    return FibResult{};
  }
  auto ignore_linkdown = [&](int dev) {
    const NetDevice* d = net.dev(dev);
    return d && net.conf(*d, DevConfKey::ignore_routes_with_linkdown).value;
  };
  FibResult res = tb->lookup(fl, ignore_linkdown);
  if (res.fa) {
    t.step("fib_table_lookup", res.fa->origin, [&] {
      return fmt::format("table {}: {} matches {}: {} ({}){}", fib_table_name(id), fl.daddr,
                         fmt::format("{}/{}", res.fa->dst.addr, res.fa->dst.len), fib_route_to_string(net, *res.fa),
                         kRtnKernelNames[res.fa->type], res.err ? fmt::format(" -> {}", errno_name(-res.err)) : "");
    }, res.err && res.err != -EAGAIN ? StepKind::Verdict : StepKind::Match);
  } else {
    t.step("fib_table_lookup", {}, [&] { return fmt::format("table {}: no route for {}: -EAGAIN", fib_table_name(id), fl.daddr); }, StepKind::NoMatch);
  }
  return res;
}

template <typename T>
static FibResult fib_rules_lookup(const Net& net, const Flowi4& fl, T& t) {
  const auto& rules = net.rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    const FibRule* r = &rules[i];
    int idx = static_cast<int>(i);
  jumped:
    const char* why = nullptr;
    if (!fib4_rule_match(*r, fl, why)) {
      t.step("fib_rules_lookup", r->origin, [&] {
        return fmt::format("rule {} \"{}\": not matched ({})", r->pref, fib_rule_to_string(net, *r), why ? why : "not");
      }, StepKind::NoMatch);
      continue;
    }
    if (r->action == FR_ACT_GOTO) {
      if (r->goto_index < 0) {
        t.step("fib_rules_lookup", r->origin, [&] { return fmt::format("rule {}: goto {} unresolved: acts as nop", r->pref, r->goto_pref); });
        continue;
      }
      t.step("fib_rules_lookup", r->origin, [&] { return fmt::format("rule {}: matched, goto {}", r->pref, r->goto_pref); }, StepKind::Match);
      idx = r->goto_index;
      r = &rules[static_cast<size_t>(idx)];
      i = static_cast<size_t>(idx);
      goto jumped;
    }
    if (r->action == FR_ACT_NOP) {
      t.step("fib_rules_lookup", r->origin, [&] { return fmt::format("rule {}: matched, nop", r->pref); });
      continue;
    }
    FibResult res;
    t.step("fib_rules_lookup", r->origin, [&] {
      return fmt::format("rule {} \"{}\": matched", r->pref, fib_rule_to_string(net, *r));
    }, StepKind::Match);
    switch (r->action) {  // fib4_rule_action
      case FR_ACT_TO_TBL: res = lookup_table(net, r->table, fl, t); break;
      case FR_ACT_UNREACHABLE: res.err = -ENETUNREACH; break;
      case FR_ACT_PROHIBIT: res.err = -EACCES; break;
      case FR_ACT_BLACKHOLE: default: res.err = -EINVAL; break;
    }
    res.rule_index = idx;
    if (r->action != FR_ACT_TO_TBL)
      t.step("fib4_rule_action", r->origin, [&] { return fmt::format("rule action returns {}", errno_name(-res.err)); }, StepKind::Verdict);
    if (res.err == 0 && res.fa) {
      // fib4_rule_suppress
      if (r->suppress_prefixlen >= 0 && res.prefixlen <= r->suppress_prefixlen) {
        t.step("fib4_rule_suppress", r->origin, [&] {
          return fmt::format("prefix length {} <= suppress_prefixlength {}: result discarded, next rule", res.prefixlen, r->suppress_prefixlen);
        });
        continue;
      }
      if (r->suppress_ifgroup >= 0 && res.nh >= 0) {
        const NetDevice* d = net.dev(res.fa->nhs[static_cast<size_t>(res.nh)].dev);
        if (d && static_cast<int>(d->group) == r->suppress_ifgroup) {
          t.step("fib4_rule_suppress", r->origin, [&] { return fmt::format("device group {} suppressed, next rule", d->group); });
          continue;
        }
      }
    }
    if (res.err == -EAGAIN) {
      t.step("fib_rules_lookup", {}, [&] { return fmt::format("-EAGAIN from rule {}: continue with the next rule", r->pref); });
      continue;
    }
    return res;
  }
  t.step("fib_rules_lookup", {}, [&] { return std::string("no rule decided (-ESRCH): -ENETUNREACH"); }, StepKind::Verdict);
  FibResult res;
  res.err = -ENETUNREACH;
  return res;
}

template <typename T>
FibResult fib_lookup(const Net& net, const Flowi4& fl, T& t, LookupKind kind) {
  if (!net.fib_has_custom_rules) {
    // No custom rules ever: local is merged into the main trie; then table default if it exists.
    t.step("fib_lookup", {}, [&] {
      return std::string("no custom rules in this namespace: one lookup in the merged local+main trie (fib_has_custom_rules=0)");
    });
    auto ignore_linkdown = [&](int dev) {
      const NetDevice* d = net.dev(dev);
      return d && net.conf(*d, DevConfKey::ignore_routes_with_linkdown).value;
    };
    FibResult res = net.merged_main.lookup(fl, ignore_linkdown);
    if (res.fa) {
      t.step("fib_table_lookup", res.fa->origin, [&] {
        return fmt::format("table main (merged with local): {} matches {}: {} ({}){}", fl.daddr, fmt::format("{}/{}", res.fa->dst.addr, res.fa->dst.len),
                           fib_route_to_string(net, *res.fa), kRtnKernelNames[res.fa->type],
                           res.err ? fmt::format(" -> {}", errno_name(-res.err)) : "");
      }, res.err ? StepKind::Verdict : StepKind::Match);
    } else {
      t.step("fib_table_lookup", {}, [&] { return fmt::format("table main (merged with local): no route for {}", fl.daddr); }, StepKind::NoMatch);
    }
    if (res.err == 0) res.table = RT_TABLE_MAIN;  // merged: reported as main
    if (res.err && net.table(RT_TABLE_DEFAULT)) {
      FibResult r2 = lookup_table(net, RT_TABLE_DEFAULT, fl, t);
      res = r2;
    }
    if (res.err == -EAGAIN) res.err = -ENETUNREACH;
    return res;
  }
  return fib_rules_lookup(net, fl, t);
}

#define X(T) template FibResult fib_lookup<T>(const Net&, const Flowi4&, T&, LookupKind);
KPATH_INSTANTIATE_TRACERS(X)
#undef X

}  // namespace kpath::kernel

#include "sim/config/compile.hpp"
#include "sim/config/ip/ip_fib.hpp"
#include <fmt/format.h>
#include <algorithm>
#include <functional>

namespace kpath {

using namespace kernel;

namespace {

std::string hook_list(uint8_t hooks) {
  std::string s;
  for (int h = 0; h < NF_INET_NUMHOOKS; ++h)
    if (hooks & (1 << h)) s += (s.empty() ? "" : "/") + std::string(kHookChainNames[h]);
  return s;
}

// xt_check_target / mark_source_chains: chain loops (ELOOP) and per-target hook/table checks.
void check_xt_table(const XtTable& tbl) {
  const size_t n = tbl.chains.size();
  std::vector<uint8_t> hooks(n, 0);
  // Which hooks reach each chain; detects loops reachable from a built-in chain.
  std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
  std::function<void(int, uint8_t)> visit = [&](int c, uint8_t hk) {
    hooks[static_cast<size_t>(c)] |= hk;
    state[static_cast<size_t>(c)] = 1;
    for (const IptEntry& e : tbl.chains[static_cast<size_t>(c)].rules) {
      if (auto* j = std::get_if<XtJump>(&e.target.data)) {
        if (j->chain_index < 0) continue;
        if (state[static_cast<size_t>(j->chain_index)] == 1)
          throw ConfigError(e.target.origin, fmt::format(
              "iptables v1.8.9 (nf_tables): RULE_APPEND failed (Too many links): rule in chain {} "
              "(the kernel refuses a loop of chains reachable from a built-in chain: {} jumps back into {})",
              tbl.chains[static_cast<size_t>(c)].name, tbl.chains[static_cast<size_t>(c)].name, j->chain));
        if ((hooks[static_cast<size_t>(j->chain_index)] & hk) != hk || state[static_cast<size_t>(j->chain_index)] == 0) visit(j->chain_index, hk);
      }
    }
    state[static_cast<size_t>(c)] = 2;
  };
  for (int h = 0; h < NF_INET_NUMHOOKS; ++h) {
    int c = tbl.hook_chain(static_cast<NfHook>(h));
    if (c < 0) continue;
    std::fill(state.begin(), state.end(), 0);
    visit(c, static_cast<uint8_t>(1 << h));
  }
  const std::string_view tname = kXtTableNames[static_cast<size_t>(tbl.id)];
  for (size_t c = 0; c < n; ++c) {
    const XtChain& ch = tbl.chains[c];
    for (const IptEntry& e : ch.rules) {
      uint8_t allowed = 0x1f;
      const char* name = nullptr;
      std::string_view need_table;
      std::visit([&](auto&& d) {
        using D = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<D, XtTproxy>) { allowed = 1 << NF_INET_PRE_ROUTING; name = "TPROXY"; need_table = "mangle"; }
        else if constexpr (std::is_same_v<D, XtReject>) { allowed = (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT); name = "REJECT"; }
        else if constexpr (std::is_same_v<D, XtNat>) {
          need_table = "nat";
          if (d.kind == XtNat::DNAT || d.kind == XtNat::REDIRECT) { allowed = (1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_OUT); name = d.kind == XtNat::DNAT ? "DNAT" : "REDIRECT"; }
          else { allowed = (1 << NF_INET_POST_ROUTING) | (1 << NF_INET_LOCAL_IN); name = d.kind == XtNat::SNAT ? "SNAT" : "MASQUERADE"; }
        }
      }, e.target.data);
      if (!name) continue;
      if ((!need_table.empty() && need_table != tname) || (hooks[c] & ~allowed)) {
        throw ConfigError(e.target.origin, fmt::format(
            "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain {} (kernel: {} target is only valid in the {} table from {}; "
            "this rule is in table {} and reached from {})",
            ch.name, name, need_table.empty() ? std::string_view("filter/mangle") : need_table, hook_list(allowed), tname,
            hooks[c] ? hook_list(hooks[c]) : std::string("no built-in chain")));
      }
    }
    for (const IptEntry& e : ch.rules)
      for (const XtMatch& m : e.matches)
        if (std::holds_alternative<XtSocket>(m.data) && (hooks[c] & ~((1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_LOCAL_OUT)))) {
          throw ConfigError(m.origin, fmt::format("iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain {} "
                                                  "(kernel: socket match is only valid from PREROUTING/INPUT/OUTPUT)", ch.name));
        }
  }
}

}  // namespace

Net compile(const HostConfig& host, const KernelProfile& profile) {
  Net net;
  net.name = host.name;
  net.profile = profile;
  net.devices = host.devices;
  net.reindex();
  net.conf_all = host.conf_all;
  net.conf_dflt = host.conf_dflt;
  net.sysctl = host.sysctl;
  net.fib_has_custom_rules = host.fib_has_custom_rules;
  net.fib_has_custom_local_routes = host.fib_has_custom_local_routes;

  // Rules: resolve devices and goto targets (fib_nl_newrule / fib_rules_event).
  net.rules = host.rules;
  for (auto& r : net.rules) {
    if (!r.iifname.empty()) { auto* d = net.dev_by_name(r.iifname); r.iif = d ? d->ifindex : -1; }
    if (!r.oifname.empty()) { auto* d = net.dev_by_name(r.oifname); r.oif = d ? d->ifindex : -1; }
    if (r.action == FR_ACT_GOTO) {
      r.goto_index = -1;
      for (size_t i = 0; i < net.rules.size(); ++i)
        if (net.rules[i].pref == r.goto_pref) { r.goto_index = static_cast<int>(i); break; }
    }
    if (r.requires_fldissect() && r.iifname != "lo") net.fib_rules_require_fldissect++;
    if (r.dscp && !profile.has_rule_dscp)  // FRA_DSCP arrived in 6.13: older kernels refuse the attribute
      throw ConfigError(r.origin, fmt::format("Error: Unknown attribute type. (kernel {} has no `dscp` rule selector; it arrived in 6.13: use `tos`)", profile.name));
  }

  // Tables: kernel-derived routes first (they exist before any user route in a fresh host).
  net.tables[RT_TABLE_LOCAL].id = RT_TABLE_LOCAL;
  net.tables[RT_TABLE_MAIN].id = RT_TABLE_MAIN;
  for (FibAlias& fa : fib_magic_routes(host)) {
    auto& tb = net.tables[fa.table];
    tb.id = fa.table;
    tb.aliases.push_back(std::move(fa));
  }
  for (FibAlias fa : host.routes) {
    for (auto& nh : fa.nhs) {
      const NetDevice* d = net.dev(nh.dev);
      // fib_check_nh: scope host routes get nexthop scope NOWHERE; gateways LINK; direct HOST
      if (fa.scope == RT_SCOPE_HOST) nh.scope = RT_SCOPE_NOWHERE;
      else if (!nh.gw.is_zero()) nh.scope = RT_SCOPE_LINK;
      else nh.scope = RT_SCOPE_HOST;
      if (d) {
        // fib_sync_down_dev: a device going down kills nexthops whose scope is not NOWHERE
        if (!d->up && nh.scope != RT_SCOPE_NOWHERE) nh.dead = true;
        // linkdown (fib_check_nh / NETDEV_CHANGE) never touches scope-host (NOWHERE) nexthops
        if (!d->carrier && nh.scope != RT_SCOPE_NOWHERE) nh.linkdown = true;
      } else if (nh.dev) {
        nh.dead = true;
      }
    }
    auto& tb = net.tables[fa.table];
    tb.id = fa.table;
    tb.aliases.push_back(std::move(fa));
  }
  for (auto& [id, tb] : net.tables) tb.rebuild();
  if (!net.fib_has_custom_rules) {
    net.merged_main.id = RT_TABLE_MAIN;
    for (auto id : {RT_TABLE_LOCAL, RT_TABLE_MAIN})
      for (auto& fa : net.tables[id].aliases) net.merged_main.aliases.push_back(fa);
    net.merged_main.rebuild();
  }

  // Netfilter: resolve jumps, check entries, register hooks in priority order.
  for (size_t ti = 0; ti < host.xt.size(); ++ti) {
    XtTable tbl = host.xt[ti];
    for (auto& c : tbl.chains)
      for (auto& e : c.rules)
        if (auto* j = std::get_if<XtJump>(&e.target.data)) {
          j->chain_index = tbl.find_chain(j->chain);
          if (j->chain_index < 0)
            throw ConfigError(e.target.origin, fmt::format("iptables v1.8.9 (nf_tables): Chain '{}' does not exist", j->chain));
        }
    check_xt_table(tbl);
    net.xt[ti] = std::move(tbl);
  }
  for (int h = 0; h < NF_INET_NUMHOOKS; ++h) {
    auto& list = net.hooks[static_cast<size_t>(h)];
    for (size_t ti = 0; ti < 5; ++ti)
      if ((kXtTableHooks[ti] >> h) & 1) list.push_back(NfHookEntry{kXtTablePriority[ti], static_cast<XtTableId>(ti)});
    if (h == NF_INET_PRE_ROUTING || h == NF_INET_LOCAL_OUT) list.push_back(NfHookEntry{-200, XtTableId::Count});
    // nft base chains join at their priority; equal priorities run in registration order
    // after the ones already there (nf_hook_entries_grow inserts after equals).
    for (size_t ti = 0; ti < host.nft.size(); ++ti)
      for (size_t ci = 0; ci < host.nft[ti].chains.size(); ++ci) {
        const NftChain& c = host.nft[ti].chains[ci];
        if (c.base && c.hook == h) list.push_back(NfHookEntry{c.priority, XtTableId::Count, static_cast<int>(ti), static_cast<int>(ci)});
      }
    std::stable_sort(list.begin(), list.end(), [](auto& a, auto& b) { return a.priority < b.priority; });
  }
  net.socks.socks = host.socks;
  net.nft = host.nft;
  net.xt_legacy = host.xt_legacy;
  return net;
}

}  // namespace kpath

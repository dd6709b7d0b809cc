// NF_HOOK for IPv4 (net/netfilter/core.c nf_hook_slow) over the tables registered at a hook,
// in priority order, and ipt_do_table (net/ipv4/netfilter/ip_tables.c) for each.
#pragma once
#include "models/net.hpp"
#include "models/skbuff.hpp"
#include <string_view>

namespace kpath::kernel {

enum class NfVerdict : uint8_t { ACCEPT, DROP };

struct NfHookResult {
  NfVerdict verdict = NfVerdict::ACCEPT;
  Origin origin;               // rule (or policy line) that decided a DROP
  const char* table = nullptr; // table name of the deciding rule
};

// Tracepoint location of a netfilter drop: nft chains (and iptables-nft) drop in nft_do_chain,
// legacy x_tables in nf_hook_slow (kernel-path.md §2).
inline const char* nf_drop_location(const Net& net, const NfHookResult& r) {
  return (r.table && std::string_view(r.table) == "nft") || !net.xt_legacy ? "nft_do_chain" : "nf_hook_slow";
}

// Runs every table registered at `hook`. in/out are ifindexes (0 = none).
template <typename T>
NfHookResult nf_hook_slow(const Net& net, SkBuff& skb, NfHook hook, int in, int out, T& t);

// nft_do_chain (net/netfilter/nf_tables_core.c) for one base chain. `decided` gets the rule
// or policy that gave the verdict.
template <typename T>
NfVerdict nft_do_chain(const Net& net, SkBuff& skb, int table, int chain, NfHook hook, int in, int out, Origin& decided, T& t);

}  // namespace kpath::kernel

// nf_tables data (net/netfilter/nf_tables_api.c, nf_tables_core.c): tables, base and regular
// chains, rules as expression lists (nft_expr.hpp), named sets. Base chains register at their
// hook with their priority among the xt tables, as in the kernel (compile()). Evaluated by
// nft_do_chain (nf_tables_core.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "models/netfilter/nft_expr.hpp"
#include "models/netfilter/x_tables.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

struct NftChain {
  std::string name;
  bool base = false;                 // has type/hook/priority
  NfHook hook = NF_INET_PRE_ROUTING;
  int priority = 0;
  std::string type = "filter";       // filter | route | nat
  XtVerdict policy = XtVerdict::ACCEPT;
  Origin origin;                     // the chain's name where it was declared
  Origin policy_origin;              // `policy drop` (or the chain when none was written)
  std::vector<NftRule> rules;
};

struct NftTable {
  std::string family = "ip";         // ip | inet (IPv4 part)
  std::string name;
  Origin origin;
  std::vector<NftChain> chains;
  std::vector<NftSet> sets;
  int find_chain(std::string_view n) const {
    for (size_t i = 0; i < chains.size(); ++i) if (chains[i].name == n) return static_cast<int>(i);
    return -1;
  }
  int find_set(std::string_view n) const {
    for (size_t i = 0; i < sets.size(); ++i) if (sets[i].name == n) return static_cast<int>(i);
    return -1;
  }
};

}  // namespace kpath::kernel

// nf_tables data (net/netfilter/nf_tables_api.c, nf_tables_core.c): tables, base and regular
// chains, rules as expression lists, sets. Base chains register at their hook with their
// priority among the xt tables, as in the kernel. Evaluated by nft_do_chain (nf_tables_core.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "models/netfilter/x_tables.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

// One rule: its expressions are defined by the nft importer/evaluator (nft_expr.hpp).
struct NftRule;

struct NftChain {
  std::string name;
  bool base = false;                 // has type/hook/priority
  NfHook hook = NF_INET_PRE_ROUTING;
  int priority = 0;
  std::string type = "filter";       // filter | route | nat
  XtVerdict policy = XtVerdict::ACCEPT;
  Origin origin;
  std::vector<NftRule> rules;
};

struct NftTable {
  std::string family = "ip";         // ip | inet (IPv4 part)
  std::string name;
  Origin origin;
  std::vector<NftChain> chains;
};

}  // namespace kpath::kernel

#include "models/netfilter/nft_expr.hpp"

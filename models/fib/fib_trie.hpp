// fib_table_lookup (net/ipv4/fib_trie.c): longest prefix first; within a prefix the aliases in
// kernel order (table id desc in a merged trie, tos desc, priority asc); per-candidate checks of
// §10.2. The structure here is a per-length hash index: the plain reference lookup. A compressed
// LPM structure may replace it later, differential-tested against this one.
#pragma once
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>
#include "models/fib/fib_semantics.hpp"
#include "models/fib/flowi4.hpp"

namespace kpath::kernel {

struct FibResult {
  int err = -EAGAIN;          // 0, or -EAGAIN (no opinion), or the type's error
  const FibAlias* fa = nullptr;
  int nh = -1;                // index of the chosen nexthop in fa->nhs
  uint32_t table = 0;         // table id that produced the result (res.table)
  RtnType type = RTN_UNSPEC;
  uint8_t prefixlen = 0;
  int rule_index = -1;        // rule that produced it (index into Net::rules), -1 without rules
};

struct NetDeviceView;  // devices needed for linkdown checks

class FibTable {
 public:
  uint32_t id = 0;
  std::vector<FibAlias> aliases;  // in insertion/kernel order; the index below points into it

  // Rebuild the index after aliases changed (kept sorted in kernel order).
  void rebuild();
  // fib_table_lookup. `ignore_linkdown_dev(dev)` says whether ignore_routes_with_linkdown is set.
  template <typename LinkdownPred>
  FibResult lookup(const Flowi4& fl, LinkdownPred&& ignore_linkdown_dev) const;
  bool empty() const { return aliases.empty(); }

 private:
  // For each prefix length, network address -> alias indexes in kernel order.
  std::array<std::unordered_map<uint32_t, std::vector<uint32_t>>, 33> by_len_;
  uint64_t len_mask_ = 0;  // bit L set if some alias has prefix length L
};

template <typename LinkdownPred>
FibResult FibTable::lookup(const Flowi4& fl, LinkdownPred&& ignore_linkdown_dev) const {
  FibResult res;
  for (int len = 32; len >= 0; --len) {
    if (!(len_mask_ & (1ull << len))) continue;
    const auto& m = by_len_[len];
    auto it = m.find(fl.daddr.v & inet_make_mask(len));
    if (it == m.end()) continue;
    for (uint32_t idx : it->second) {
      const FibAlias& fa = aliases[idx];
      // §10.2 step 2: a TOS route matches only the same TOS (classic bits 0x1C)
      if (fa.tos && fa.tos != (fl.tos & 0x1c)) continue;
      // step 4: scope (input lookups use universe, so this never excludes there)
      if (fa.scope < fl.scope) continue;
      // step 5: error types return now, no backtracking
      const int err = fib_props[fa.type].error;
      if (err) {
        res.err = err;
        res.fa = &fa;
        res.table = fa.table;
        res.type = fa.type;
        res.prefixlen = static_cast<uint8_t>(len);
        return res;
      }
      if (fa.all_dead()) continue;  // step 6
      for (size_t n = 0; n < fa.nhs.size(); ++n) {  // step 8
        const FibNh& nh = fa.nhs[n];
        if (nh.dead) continue;
        if (nh.linkdown && !fl.ignore_linkstate && ignore_linkdown_dev(nh.dev)) continue;
        if (fl.oif && nh.dev != fl.oif) continue;
        res.err = 0;
        res.fa = &fa;
        res.nh = static_cast<int>(n);
        res.table = fa.table;
        res.type = fa.type;
        res.prefixlen = static_cast<uint8_t>(len);
        return res;
      }
      if (fa.nhs.empty()) {  // types without nexthops that are not errors (none in practice)
        res.err = 0; res.fa = &fa; res.table = fa.table; res.type = fa.type; res.prefixlen = static_cast<uint8_t>(len);
        return res;
      }
    }
  }
  return res;  // -EAGAIN
}

}  // namespace kpath::kernel

#include "models/fib/fib_trie.hpp"
#include <algorithm>

namespace kpath::kernel {

void FibTable::rebuild() {
  for (auto& m : by_len_) m.clear();
  len_mask_ = 0;
  for (uint32_t i = 0; i < aliases.size(); ++i) {
    const auto& fa = aliases[i];
    by_len_[fa.dst.len][fa.dst.addr.v & fa.dst.mask()].push_back(i);
    len_mask_ |= 1ull << fa.dst.len;
  }
  // fib_insert_alias order: table id desc (merged trie), tos desc, priority asc; stable for
  // equal keys so insertion order (append) is kept.
  for (auto& m : by_len_)
    for (auto& [k, v] : m)
      std::stable_sort(v.begin(), v.end(), [&](uint32_t a, uint32_t b) {
        const auto &x = aliases[a], &y = aliases[b];
        if (x.table != y.table) return x.table > y.table;
        if (x.tos != y.tos) return x.tos > y.tos;
        return x.priority < y.priority;
      });
}

}  // namespace kpath::kernel

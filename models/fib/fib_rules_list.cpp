#include "models/fib/fib_rules.hpp"
#include "models/fib/fib_semantics.hpp"

namespace kpath::kernel {

std::vector<FibRule> fib_default_rules() {
  std::vector<FibRule> r(3);
  r[0].pref = 0; r[0].table = RT_TABLE_LOCAL;
  r[1].pref = 0x7FFE; r[1].table = RT_TABLE_MAIN;
  r[2].pref = 0x7FFF; r[2].table = RT_TABLE_DEFAULT;
  for (auto& x : r) { x.action = FR_ACT_TO_TBL; x.protocol = RTPROT_KERNEL; }
  return r;
}

uint32_t fib_default_rule_pref(const std::vector<FibRule>& rules) {
  // net/core/fib_rules.c fib_default_rule_pref: the second rule's pref - 1 when non-zero
  if (rules.size() >= 2 && rules[1].pref > 0) return rules[1].pref - 1;
  return 0;
}

void fib_rule_insert(std::vector<FibRule>& rules, FibRule r) {
  auto it = rules.begin();
  while (it != rules.end() && it->pref <= r.pref) ++it;
  rules.insert(it, std::move(r));
}

}  // namespace kpath::kernel

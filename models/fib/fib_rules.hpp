// Policy routing rules: struct fib_rule (include/net/fib_rules.h) + fib4_rule fields
// (net/ipv4/fib_rules.c). The walk itself is fib_rules_lookup in fib_rules.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "models/inet.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

enum FrAct : uint8_t {
  FR_ACT_UNSPEC = 0, FR_ACT_TO_TBL = 1, FR_ACT_GOTO = 2, FR_ACT_NOP = 3,
  FR_ACT_BLACKHOLE = 6, FR_ACT_UNREACHABLE = 7, FR_ACT_PROHIBIT = 8,
};

struct PortRange {
  uint16_t start = 0, end = 0;
  bool set() const { return start || end; }
  bool contains(uint16_t p) const { return p >= start && p <= end; }
  auto operator<=>(const PortRange&) const = default;
};

struct FibRule {
  uint32_t pref = 0;
  FrAct action = FR_ACT_TO_TBL;
  uint32_t table = 0;
  uint32_t goto_pref = 0;     // FR_ACT_GOTO target priority
  bool invert = false;        // FIB_RULE_INVERT ("not")
  Prefix src, dst;            // len 0 = any ("from all")
  bool has_src = false, has_dst = false;
  std::string iifname, oifname;
  uint32_t mark = 0, mark_mask = 0;   // mark_mask 0 = no fwmark selector
  uint8_t tos = 0;
  std::optional<uint8_t> dscp;        // FRA_DSCP (6.13+)
  uint8_t ipproto = 0;
  PortRange sport, dport;
  uint32_t uid_start = 0, uid_end = 0xffffffffu;
  bool has_uidrange = false;
  bool l3mdev = false;
  int suppress_prefixlen = -1;        // -1 = unset
  int suppress_ifgroup = -1;
  uint8_t protocol = 0;               // RTPROT_* (kernel rules: RTPROT_KERNEL)
  Origin origin;
  // Resolved by compile:
  int iif = 0, oif = 0;               // 0 = no selector, -1 = detached (device missing)
  int goto_index = -1;                // -1 = unresolved
  bool requires_fldissect() const { return ipproto || sport.set() || dport.set(); }
};

// Default rules of a fresh namespace (fib4_rules_init / fib_default_rules_init).
std::vector<FibRule> fib_default_rules();
// Priority for a rule added without `pref` (fib_default_rule_pref): pref of the second rule - 1, or 0.
uint32_t fib_default_rule_pref(const std::vector<FibRule>& rules);
// Insert keeping kernel order: after every rule whose pref <= the new one.
void fib_rule_insert(std::vector<FibRule>& rules, FibRule r);

}  // namespace kpath::kernel

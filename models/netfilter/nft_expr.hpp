// Expressions of an nft rule. (Filled in by the nftables model.)
#pragma once
#include <vector>
#include "models/origin.hpp"

namespace kpath::kernel {
struct NftRule {
  Origin origin;
  std::string text;  // the rule as `nft list ruleset` prints it
};
}  // namespace kpath::kernel

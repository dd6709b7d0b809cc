// Fix hints: what to change in the config so the packet does what the user most likely
// wanted, each pointing at the config object involved.
#pragma once
#include <vector>
#include "models/net.hpp"
#include "models/skbuff.hpp"
#include "sim/engine/explain.hpp"

namespace kpath {
std::vector<Hint> make_hints(const kernel::Net& net, const kernel::SkBuff& skb, const Verdict& v);
}  // namespace kpath

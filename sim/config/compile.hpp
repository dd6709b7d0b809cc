// compile(HostConfig) → kernel::Net: derives what the kernel derives (fib_magic routes from
// addresses, the merged local/main trie, nexthop scopes and liveness, hook lists) and applies
// the load-time checks the kernel makes when rules are inserted (xt checkentry, chain loops).
#pragma once
#include "models/net.hpp"
#include "sim/config/host_config.hpp"

namespace kpath {
// Throws ConfigError at the offending object's location.
kernel::Net compile(const HostConfig& host, const kernel::KernelProfile& profile = {});
}  // namespace kpath

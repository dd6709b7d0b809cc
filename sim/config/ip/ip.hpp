// iproute2's `ip` front end (ip/ip.c) and its objects: link (ip/iplink.c), address
// (ip/ipaddress.c), route (ip/iproute.c), rule (ip/iprule.c), netns (ip/ipnetns.c). Each
// applies iproute2's userspace defaults and the kernel's insert-time checks to a HostConfig.
#pragma once
#include <functional>
#include <vector>
#include "sim/config/host_config.hpp"
#include "sim/config/lexer.hpp"

namespace kpath {

// Runs a command line in another host (used for `ip netns exec NS CMD...`): provided by the
// script dispatcher.
using ExecInHost = std::function<void(HostConfig& host, std::vector<Word> argv, const Command& cmd)>;

// Applies `ip ARGS...` (argv = words after "ip") to `host`, or to the namespace named by
// `-n NS`/`-netns NS`. `ip netns add NS` adds a HostConfig (fresh_netns) to `set`; `ip link
// add A type veth peer name B [netns NS]` records the link in set.links when the ends live in
// different hosts; `ip link set DEV netns NS` moves a device. Throws ConfigError with the
// tool's/kernel's own wording (e.g. `Cannot find device "eth9"`, `RTNETLINK answers: File
// exists`, `Error: Nexthop has invalid gateway.`) at the offending word.
void ip_command(ConfigSet& set, HostConfig& host, const std::vector<Word>& argv, const Command& cmd,
                std::vector<Diagnostic>& notes, const ExecInHost& exec);

}  // namespace kpath

// sysctl writes (`sysctl -w k=v`, `sysctl k=v`, `echo v > /proc/sys/...`) with the kernel's
// propagation rules: net.ipv4.ip_forward / conf.all.forwarding go through inet_forward_change
// (all, default and every existing device); conf.default.X is copied to every device that
// has not written X itself (devinet_copy_dflt_conf).
#pragma once
#include <string>
#include <vector>
#include "sim/config/host_config.hpp"
#include "sim/config/lexer.hpp"

namespace kpath {
// key uses dots or slashes ("net.ipv4.ip_forward", "net/ipv4/ip_forward"). `key_loc` and
// `value_loc` locate errors.
void sysctl_write(HostConfig& host, std::string key, const std::string& value, SourceLoc key_loc, SourceLoc value_loc,
                  std::vector<Diagnostic>& notes);
// `sysctl ARGS...` (argv after "sysctl").
void sysctl_command(HostConfig& host, const std::vector<Word>& argv, const Command& cmd, std::vector<Diagnostic>& notes);
}  // namespace kpath

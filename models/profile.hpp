// Kernel-version switches (kernel-path.md §2). Default: the newest behaviour (6.13+).
#pragma once
#include <string_view>

namespace kpath::kernel {
struct KernelProfile {
  std::string_view name = "6.13";
  bool route_input_reasons = true;     // 6.13+: specific drop reasons from ip_route_input_slow
  bool forw_counted_before_hook = true;// 6.7+: IpForwDatagrams in ip_forward, before FORWARD
  bool has_out_transmits = true;       // 6.7+: IpOutTransmits column; IpOutRequests only local
  bool has_rule_dscp = true;           // 6.13+: ip rule dscp selector
  bool icmp_ratelimit_counters = true;
};
}  // namespace kpath::kernel

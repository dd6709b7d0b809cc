// The FIB as `ip route add` sees it at insert time: the kernel's own routes derived from
// addresses (fib_magic), and the small lookups fib_create_info makes on the current state
// (fib_check_nh's gateway lookup, fib_valid_prefsrc, inet_addr_type_dev_table).
#pragma once
#include <vector>
#include "sim/config/host_config.hpp"

namespace kpath {

// The routes fib_add_ifaddr (net/ipv4/fib_frontend.c) has created for the current addresses of
// `h`, minus the ones `ip route del/replace/flush` removed (h.deleted_kernel_routes): per address
// `local A dev D scope host src P` in table local (also while D is down); with D up the explicit
// `brd` route, the prefix route (table main; type local in table local on loopback; metric =
// the address's metric; none with noprefixroute or for a secondary) and the subnet broadcast
// route (prefix shorter than /31). P is the subnet's primary address (secondaries share it).
std::vector<kernel::FibAlias> fib_magic_routes(const HostConfig& h);

// True when `derived` is the kernel route recorded as deleted by `tomb` (same table, prefix,
// type, device and prefsrc).
bool same_kernel_route(const kernel::FibAlias& derived, const kernel::FibAlias& tomb);

}  // namespace kpath

namespace kpath::ip {

struct FibView {
  const HostConfig& h;
  std::vector<kernel::FibAlias> magic;  // fib_magic_routes(h)
  explicit FibView(const HostConfig& host) : h(host), magic(fib_magic_routes(host)) {}
  // Routes of one table in the kernel's list order for a prefix: kernel routes, then user ones.
  std::vector<const kernel::FibAlias*> table(uint32_t id) const;
  bool table_exists(uint32_t id) const;
};

struct FibResult {
  const kernel::FibAlias* fa = nullptr;
  size_t nh = 0;
  int err = -EAGAIN;   // 0 found; fib_props error of an error route; -EAGAIN no match
};

// fib_table_lookup over `routes` for daddr with flowi4_scope `scope` and flowi4_oif `oif`
// (tos 0; FIB_LOOKUP_IGNORE_LINKSTATE).
FibResult fib_table_lookup(const std::vector<const kernel::FibAlias*>& routes, kernel::Ipv4Addr daddr, uint8_t scope, int oif);
// fib_lookup from loopback (iif lo, saddr 0, mark 0): main+default without custom rules, else
// the rule list walk (fib_rules_lookup with fib4_rule_match/action/suppress).
FibResult fib_lookup(const FibView& v, kernel::Ipv4Addr daddr, uint8_t scope, int oif);
// __inet_dev_addr_type(net, dev, addr, tb_id): the type of the route addr hits in table tb_id
// (RTN_UNICAST when none or, with dev, when it belongs to another device).
kernel::RtnType inet_dev_addr_type(const FibView& v, int dev, kernel::Ipv4Addr addr, uint32_t tb_id);

}  // namespace kpath::ip

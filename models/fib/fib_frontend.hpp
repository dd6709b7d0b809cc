// fib_lookup (include/net/ip_fib.h + net/ipv4/fib_rules.c __fib_lookup), fib_rules_lookup
// (net/core/fib_rules.c), fib_validate_source and inet_addr_type (net/ipv4/fib_frontend.c).
#pragma once
#include <string>
#include "models/fib/flowi4.hpp"
#include "models/fib/fib_trie.hpp"
#include "models/net.hpp"
#include "models/drop_reason.hpp"

namespace kpath::kernel {

// Which lookup this is, for the trace ("input", "reverse path", "output").
enum class LookupKind : uint8_t { input, reverse, output };

// Minimal view of what fib_validate_source reads from the skb.
struct SkBuffView {
  uint32_t mark = 0;
  uint8_t proto = 0;
  uint16_t sport = 0, dport = 0;
};

template <typename T>
FibResult fib_lookup(const Net& net, const Flowi4& fl, T& t, LookupKind kind = LookupKind::input);

// fib_validate_source: 0 or 1 (source directly connected) on success, else -(drop reason);
// `reason` gets the failure reason. dst = packet daddr (0 for broadcast), oif = out-dev for
// forwarding routes else 0.
template <typename T>
int fib_validate_source(const Net& net, const SkBuffView& v, Ipv4Addr src, Ipv4Addr dst, uint8_t tos, int oif,
                        const NetDevice& in_dev, DropReason& reason, T& t);


// inet_addr_type_table on the local table: RTN_LOCAL / RTN_BROADCAST / RTN_UNICAST ...
RtnType inet_addr_type(const Net& net, Ipv4Addr a);

// Text of a rule as `ip rule` prints it after "PREF:\t".
std::string fib_rule_to_string(const Net& net, const FibRule& r);
std::string fib_table_name(uint32_t id);
std::string fib_route_to_string(const Net& net, const FibAlias& fa, bool with_table = false);
std::string errno_name(int err);  // "EHOSTUNREACH"

}  // namespace kpath::kernel

// HostConfig: the declared state of one host (network namespace) after its config lines,
// as data. Importers fill it in order with iproute2's and iptables' userspace semantics
// (defaults, abbreviations, insert positions); compile() turns it into a kernel::Net with the
// kernel's derived objects (fib_magic routes, merged trie, resolved references) and its
// insert-time checks. Every object keeps the SourceLoc it came from.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "models/devinet.hpp"
#include "models/fib/fib_rules.hpp"
#include "models/fib/fib_semantics.hpp"
#include "models/net.hpp"
#include "models/netdevice.hpp"
#include "models/netfilter/ipset.hpp"
#include "models/netfilter/x_tables.hpp"
#include "models/sock.hpp"
#include "sim/core/diag.hpp"

namespace kpath {

struct HostConfig {
  std::string name;                                  // "" = the host the script runs on
  std::vector<kernel::NetDevice> devices;            // lo first (ifindex 1)
  int next_ifindex = 2;
  kernel::DevConf conf_all = kernel::DevConf::all_defaults();
  kernel::DevConf conf_dflt = kernel::DevConf::dflt_defaults();
  kernel::NetSysctls sysctl;
  SourceLoc ip_forward_origin;                       // last write of net.ipv4.ip_forward
  std::vector<kernel::FibRule> rules = kernel::fib_default_rules();
  bool fib_has_custom_rules = false;                 // set by the first ip rule add/del
  bool fib_has_custom_local_routes = false;          // set by the first `ip route add local`
  std::vector<kernel::FibAlias> routes;              // user routes of every table (dev = ifindex)
  // fib_magic routes (address-derived, proto kernel) removed by `ip route del/replace/flush`: the
  // kernel re-creates them only when the address is added again or its device comes up again.
  // Derivation (compile) skips a derived route equal to one of these in table, dst, type, dev
  // and prefsrc (see sim/config/ip/ip_fib.hpp fib_magic_routes()).
  std::vector<kernel::FibAlias> deleted_kernel_routes;
  std::array<kernel::XtTable, 5> xt = {kernel::xt_table_new(kernel::XtTableId::raw), kernel::xt_table_new(kernel::XtTableId::mangle),
                                       kernel::xt_table_new(kernel::XtTableId::nat), kernel::xt_table_new(kernel::XtTableId::filter),
                                       kernel::xt_table_new(kernel::XtTableId::security)};
  std::vector<kernel::Sock> socks;
  std::vector<kernel::NftTable> nft;                 // nftables tables, in creation order
  std::map<std::string, kernel::IpSet> ipsets;       // `ipset create` sets by name (sim/config/ipset.cpp)
  bool xt_legacy = false;                            // rules written with iptables-legacy
  std::map<std::string, uint32_t> rt_tables = {{"local", 255}, {"main", 254}, {"default", 253}, {"unspec", 0}};

  // A new host as a running machine has it: lo up with 127.0.0.1/8 (a namespace created by
  // `ip netns add` starts with lo down and no address instead: see fresh_netns()).
  static HostConfig running_host();
  static HostConfig fresh_netns(std::string name);

  kernel::NetDevice* find_dev(std::string_view name);
  const kernel::NetDevice* find_dev(std::string_view name) const;
  kernel::NetDevice* find_dev(int ifindex);
  kernel::XtTable& table(kernel::XtTableId id) { return xt[static_cast<size_t>(id)]; }
};

// A veth link between two hosts of a topology.
struct TopologyLink {
  std::string host_a, dev_a, host_b, dev_b;
  SourceLoc origin;
};

// Everything read from the config files of one invocation.
struct ConfigSet {
  FileTable files;
  std::vector<HostConfig> hosts;                     // hosts[0] is the script's own host
  std::vector<TopologyLink> links;
  std::vector<Diagnostic> diagnostics;               // warnings and notes (errors are thrown)
  struct Directive { std::string host; std::vector<std::string> words; SourceLoc loc; };
  std::vector<Directive> expectations;               // `#kpath expect ...` lines, read by kpath test
  HostConfig* find_host(std::string_view name);
};

}  // namespace kpath

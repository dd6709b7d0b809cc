// The compiled, read-only host: struct net reduced to what the IPv4 path reads. Built once by
// sim's compile() from a HostConfig; shared by every thread that runs packets through it.
#pragma once
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>
#include "models/devinet.hpp"
#include "models/fib/fib_rules.hpp"
#include "models/fib/fib_trie.hpp"
#include "models/netdevice.hpp"
#include "models/netfilter/nf_tables.hpp"
#include "models/netfilter/x_tables.hpp"
#include "models/profile.hpp"
#include "models/sock.hpp"

namespace kpath::kernel {

// Namespace-wide sysctls (net.ipv4.*) the path reads, each with the line that set it.
#define KPATH_NET_SYSCTLS(X)               \
  X(ip_early_demux, 1)                     \
  X(tcp_early_demux, 1)                    \
  X(udp_early_demux, 1)                    \
  X(icmp_echo_ignore_all, 0)               \
  X(icmp_echo_ignore_broadcasts, 1)        \
  X(icmp_errors_use_inbound_ifaddr, 0)     \
  X(icmp_ratelimit, 1000)                  \
  X(icmp_ratemask, 6168)                   \
  X(fwmark_reflect, 0)                     \
  X(tcp_fwmark_accept, 0)                  \
  X(ip_nonlocal_bind, 0)                   \
  X(ip_forward_update_priority, 1)         \
  X(ip_forward_use_pmtu, 0)                \
  X(fib_multipath_hash_policy, 0)          \
  X(tcp_syncookies, 1)

enum class NetSysctlKey : uint8_t {
#define X(n, d) n,
  KPATH_NET_SYSCTLS(X)
#undef X
      Count
};
inline constexpr size_t kNetSysctlCount = static_cast<size_t>(NetSysctlKey::Count);
inline constexpr std::array<std::string_view, kNetSysctlCount> kNetSysctlNames = {
#define X(n, d) #n,
    KPATH_NET_SYSCTLS(X)
#undef X
};
inline constexpr std::array<int32_t, kNetSysctlCount> kNetSysctlDefaults = {
#define X(n, d) d,
    KPATH_NET_SYSCTLS(X)
#undef X
};
struct NetSysctls {
  std::array<int32_t, kNetSysctlCount> v = kNetSysctlDefaults;
  std::array<Origin, kNetSysctlCount> origin{};
  int32_t get(NetSysctlKey k) const { return v[static_cast<size_t>(k)]; }
  void set(NetSysctlKey k, int32_t val, Origin o) { v[static_cast<size_t>(k)] = val; origin[static_cast<size_t>(k)] = o; }
};
std::optional<NetSysctlKey> net_sysctl_key(std::string_view name);

// One netfilter hook entry: a table (iptables) at its priority. nft base chains join later.
struct NfHookEntry {
  int priority;
  XtTableId table;   // XtTableId::Count = nf_conntrack_in (NF_IP_PRI_CONNTRACK) or an nft chain
  int nft_table = -1;  // >= 0: an nft base chain, Net::nft[nft_table].chains[nft_chain]
  int nft_chain = -1;
};

struct Net {
  std::string name;                        // namespace name ("" = the host)
  KernelProfile profile;
  std::vector<NetDevice> devices;          // any order; dev_index_ maps ifindex
  DevConf conf_all = DevConf::all_defaults();
  DevConf conf_dflt = DevConf::dflt_defaults();
  NetSysctls sysctl;

  std::vector<FibRule> rules;              // kernel order
  bool fib_has_custom_rules = false;
  bool fib_has_custom_local_routes = false;
  int fib_rules_require_fldissect = 0;
  std::map<uint32_t, FibTable> tables;     // by id
  FibTable merged_main;                    // local+main merged trie, used while !fib_has_custom_rules

  std::array<XtTable, 5> xt;               // raw, mangle, nat, filter, security
  std::vector<NftTable> nft;               // nftables tables (ip and inet families)
  std::array<std::vector<NfHookEntry>, NF_INET_NUMHOOKS> hooks;  // priority order

  SockTable socks;
  bool xt_legacy = false;                  // rules loaded with iptables-legacy (drop location nf_hook_slow)

  const NetDevice* dev(int ifindex) const {
    return ifindex > 0 && static_cast<size_t>(ifindex) < dev_index_.size() && dev_index_[ifindex] >= 0
               ? &devices[dev_index_[ifindex]] : nullptr;
  }
  const NetDevice* dev_by_name(std::string_view name) const {
    for (auto& d : devices) if (d.name == name) return &d;
    return nullptr;
  }
  std::string_view dev_name(int ifindex) const {
    auto* d = dev(ifindex);
    return d ? std::string_view(d->name) : std::string_view("?");
  }
  const FibTable* table(uint32_t id) const {
    auto it = tables.find(id);
    return it == tables.end() ? nullptr : &it->second;
  }
  // Effective value of an in_device knob on a device (IN_DEV_* policy).
  EffectiveConf conf(const NetDevice& d, DevConfKey k) const { return in_dev_conf(conf_all, d.conf, k); }
  // Is `a` configured on any interface of this namespace (inet_addr_type == RTN_LOCAL by address list)?
  bool addr_is_configured(Ipv4Addr a) const {
    for (auto& d : devices) for (auto& ia : d.addrs) if (ia.local == a) return true;
    return false;
  }
  void reindex();  // rebuild dev_index_ after devices change

 private:
  std::vector<int> dev_index_;
};

}  // namespace kpath::kernel

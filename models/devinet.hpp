// in_device configuration: the net.ipv4.conf.{all,default,DEV}.* knobs and the policies the
// kernel combines them with (include/linux/inetdevice.h: IN_DEV_CONF_GET, IN_DEV_ANDCONF,
// IN_DEV_ORCONF, IN_DEV_MAXCONF).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include "models/origin.hpp"

namespace kpath::kernel {

// X(name, default for conf.all, default for conf.default/new devices, policy)
// Defaults are the kernel's ipv4_devconf / ipv4_devconf_dflt (net/ipv4/devinet.c).
enum class ConfPolicy : uint8_t { DevOnly, And, Or, Max, Unmodelled };
#define KPATH_DEVCONF(X)                                     \
  X(forwarding, 0, 0, DevOnly)                               \
  X(mc_forwarding, 0, 0, DevOnly)                            \
  X(rp_filter, 0, 0, Max)                                    \
  X(accept_local, 0, 0, Or)                                  \
  X(src_valid_mark, 0, 0, Or)                                \
  X(route_localnet, 0, 0, Or)                                \
  X(bc_forwarding, 0, 0, And)                                \
  X(send_redirects, 1, 1, Or)                                \
  X(accept_redirects, 1, 1, Unmodelled)                      \
  X(secure_redirects, 1, 1, Unmodelled)                      \
  X(shared_media, 1, 1, Or)                                  \
  X(accept_source_route, 0, 1, And)                          \
  X(drop_unicast_in_l2_multicast, 0, 0, Or)                  \
  X(log_martians, 0, 0, Or)                                  \
  X(ignore_routes_with_linkdown, 0, 0, Or)                   \
  X(proxy_arp, 0, 0, Unmodelled)                             \
  X(proxy_arp_pvlan, 0, 0, Unmodelled)                       \
  X(arp_filter, 0, 0, Unmodelled)                            \
  X(arp_announce, 0, 0, Unmodelled)                          \
  X(arp_ignore, 0, 0, Unmodelled)                            \
  X(arp_accept, 0, 0, Unmodelled)                            \
  X(arp_notify, 0, 0, Unmodelled)                            \
  X(arp_evict_nocarrier, 1, 1, Unmodelled)                   \
  X(medium_id, 0, 0, Unmodelled)                             \
  X(bootp_relay, 0, 0, Unmodelled)                           \
  X(disable_xfrm, 0, 0, Unmodelled)                          \
  X(disable_policy, 0, 0, Unmodelled)                        \
  X(force_igmp_version, 0, 0, Unmodelled)                    \
  X(promote_secondaries, 0, 0, Unmodelled)                   \
  X(tag, 0, 0, Unmodelled)                                   \
  X(drop_gratuitous_arp, 0, 0, Unmodelled)                   \
  X(igmpv2_unsolicited_report_interval, 10000, 10000, Unmodelled) \
  X(igmpv3_unsolicited_report_interval, 1000, 1000, Unmodelled)

enum class DevConfKey : uint8_t {
#define X(n, a, d, p) n,
  KPATH_DEVCONF(X)
#undef X
      Count
};
inline constexpr size_t kDevConfCount = static_cast<size_t>(DevConfKey::Count);
inline constexpr std::array<std::string_view, kDevConfCount> kDevConfNames = {
#define X(n, a, d, p) #n,
    KPATH_DEVCONF(X)
#undef X
};
inline constexpr std::array<int32_t, kDevConfCount> kDevConfAllDefaults = {
#define X(n, a, d, p) a,
    KPATH_DEVCONF(X)
#undef X
};
inline constexpr std::array<int32_t, kDevConfCount> kDevConfDfltDefaults = {
#define X(n, a, d, p) d,
    KPATH_DEVCONF(X)
#undef X
};
inline constexpr std::array<ConfPolicy, kDevConfCount> kDevConfPolicies = {
#define X(n, a, d, p) ConfPolicy::p,
    KPATH_DEVCONF(X)
#undef X
};
constexpr std::string_view devconf_name(DevConfKey k) { return kDevConfNames[static_cast<size_t>(k)]; }
std::optional<DevConfKey> devconf_key(std::string_view name);

// One set of knob values, each remembering the config line that set it.
struct DevConf {
  std::array<int32_t, kDevConfCount> v{};
  std::array<Origin, kDevConfCount> origin{};
  std::array<bool, kDevConfCount> state{};  // explicitly written (ipv4_devconf.state bit): default no longer propagates
  int32_t get(DevConfKey k) const { return v[static_cast<size_t>(k)]; }
  Origin where(DevConfKey k) const { return origin[static_cast<size_t>(k)]; }
  void set(DevConfKey k, int32_t val, Origin o) {
    v[static_cast<size_t>(k)] = val;
    origin[static_cast<size_t>(k)] = o;
    state[static_cast<size_t>(k)] = true;
  }
  static DevConf all_defaults() { DevConf c; c.v = kDevConfAllDefaults; return c; }
  static DevConf dflt_defaults() { DevConf c; c.v = kDevConfDfltDefaults; return c; }
};

// The effective value on a device, combined with conf.all by the knob's policy.
struct EffectiveConf {
  int32_t value;
  Origin origin;  // the line that decided it (dev's or all's)
};
inline EffectiveConf in_dev_conf(const DevConf& all, const DevConf& dev, DevConfKey k) {
  const auto i = static_cast<size_t>(k);
  switch (kDevConfPolicies[i]) {
    case ConfPolicy::DevOnly:
    case ConfPolicy::Unmodelled: return {dev.v[i], dev.origin[i]};
    case ConfPolicy::And: return (all.v[i] && dev.v[i]) ? EffectiveConf{1, dev.origin[i]}
                                                        : EffectiveConf{0, all.v[i] ? dev.origin[i] : all.origin[i]};
    case ConfPolicy::Or: return all.v[i] ? EffectiveConf{all.v[i], all.origin[i]} : EffectiveConf{dev.v[i], dev.origin[i]};
    case ConfPolicy::Max: return all.v[i] >= dev.v[i] && all.v[i] != 0 ? EffectiveConf{all.v[i], all.origin[i]}
                                                                       : EffectiveConf{dev.v[i], dev.origin[i]};
  }
  return {dev.v[i], dev.origin[i]};
}

}  // namespace kpath::kernel

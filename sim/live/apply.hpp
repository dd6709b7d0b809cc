// The topology of one live case and the commands that rebuild the DUT from the parsed
// HostConfig with the real tools: `ip` (links, addresses, rules, routes), `sysctl` (every knob
// kpath models, written explicitly: a new namespace inherits the host's conf.all/default),
// `iptables-restore` (nft backend; iptables-legacy-restore when the config used
// iptables-legacy) and `nft -f`. The user's file is never run.
//
// Device mapping (README "Live mode"):
//   the in-device of the packet     → veth; its peer `kpl<pid>c` sits in the client namespace
//   bridge / ifb                    → created as the config says
//   a veth whose peer is also in the DUT, neither end the in-device nor a route's device
//                                   → the same veth pair inside the DUT
//   any other device (dummy, veth, upstream devices routes point out of, ...)
//                                   → veth whose peer `kpu<N>` sits in the upstream namespace
//                                     (up iff the config's device has carrier)
#pragma once
#include <string>
#include <vector>
#include "models/skbuff.hpp"
#include "sim/config/host_config.hpp"

namespace kpath::live {

struct DevPlan {
  enum class Role { loopback, in_dev, upstream, pair_in_dut, bridge, ifb };
  std::string name;       // the device in the DUT (the config's name)
  Role role = Role::upstream;
  std::string peer;       // the other end (client/upstream namespace, or the DUT for pairs)
  std::string peer_ns;    // "" for pairs inside the DUT and devices without a peer
  std::string config_kind;
};

struct Topology {
  std::string dut, cli, up;          // namespace names, all `kpl-<pid>-...`
  std::string in_dev;                // the DUT device the packet arrives on
  std::string cli_dev;               // its peer in the client namespace (a unique name)
  std::vector<DevPlan> devs;
  const DevPlan* find(const std::string& dut_dev) const;
  const DevPlan* find_peer(const std::string& up_dev) const;
  std::vector<std::string> describe() const;  // "veth-server (veth) -> veth, peer kpl123c in kpl-123-cli"
};

// `tag` is the common name prefix ("kpl-<pid>" or "kpl-<pid>-c<N>"); `pid` names the client veth.
Topology plan_topology(const HostConfig& h, const std::string& in_dev, const std::string& tag, int pid);

// One command: argv, optional stdin, and whether a failure is only a warning.
struct Step {
  std::vector<std::string> argv;
  std::string input;
  bool may_fail = false;
};

// Namespace set-up shared by all three namespaces: IPv6 off (no router solicitations or MLD in
// the window), before any device exists so every new device inherits it.
std::vector<Step> quiet_steps(const std::string& ns);
// The DUT: devices with their peers, addresses, rules, routes, netfilter, sysctls. Pure: it
// only builds the commands (tests and --keep transcripts show them).
std::vector<Step> dut_steps(const HostConfig& h, const Topology& t);
// Client and upstream: peers up (as the config's carrier says), and a raw-table DROP so their
// kernels never answer the DUT (no RSTs); AF_PACKET sockets still see every frame.
std::vector<Step> peer_steps(const HostConfig& h, const Topology& t);
// Static neighbours in the DUT (no ARP in the window): the packet's source → the client's MAC
// on the in-device; the destination and every gateway → a distinct made-up MAC on each other
// device (and on the in-device), so a forwarded frame's MAC names its next hop.
struct Neighbour { std::string dev; kernel::Ipv4Addr addr; std::string mac; };
std::vector<Neighbour> plan_neighbours(const HostConfig& h, const Topology& t, const kernel::Packet& p, const std::string& client_mac);
std::vector<Step> neighbour_steps(const Topology& t, const std::vector<Neighbour>& n);
// A mark already on the skb (`mark N` in the spec): this kernel has no tc actions, so an nft
// table of kpath's own at priority -400 (before raw) sets it on the in-device's packets.
std::vector<Step> mark_steps(const Topology& t, uint32_t mark);

}  // namespace kpath::live

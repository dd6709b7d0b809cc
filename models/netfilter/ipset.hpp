// IP sets (net/netfilter/ipset/): the set types kpath models, stored as the kernel's types store
// their elements, and ip_set_test (ip_set_core.c) with each type's kadt, which xt_set's match
// calls with the packet (models/netfilter/xt_set.cpp).
//   hash:ip       ip_set_hash_ip.c      dimension 1, the address masked with the set's netmask
//   hash:net      ip_set_hash_net.c     dimension 1, prefixes; `nomatch` entries (IPSET_TYPE_NOMATCH)
//   hash:ip,port  ip_set_hash_ipport.c  dimension 2, address + protocol + port
//   bitmap:port   ip_set_bitmap_port.c  dimension 1, ports in a range, TCP and UDP only
// Other types (hash:mac, list:set, ...) are recognised by the importer and kept as `unmodelled`.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include "models/inet.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

struct Packet;

enum class IpSetType : uint8_t { hash_ip, hash_net, hash_ip_port, bitmap_port, unmodelled };

struct IpSetTypeInfo {           // struct ip_set_type, as far as matching reads it
  std::string_view name;
  uint8_t dimension;             // IPSET_DIM_ONE / _TWO
  bool nomatch;                  // IPSET_TYPE_NOMATCH (--return-nomatch applies)
  bool family_unspec;            // NFPROTO_UNSPEC: the type has no address family
};
inline constexpr std::array<IpSetTypeInfo, 4> kIpSetTypes = {{
    {"hash:ip", 1, false, false},
    {"hash:net", 1, true, false},
    {"hash:ip,port", 2, false, false},
    {"bitmap:port", 1, false, true},
}};

enum class IpSetFamily : uint8_t { inet, inet6, unspec };

// One element (struct hash_ip4_elem, hash_net4_elem, hash_ipport4_elem; a bitmap:port bit).
struct IpSetElem {
  Ipv4Addr ip;
  uint8_t cidr = 32;             // hash:net
  uint8_t proto = 0;             // hash:ip,port: IPPROTO_*
  uint16_t port = 0;             // hash:ip,port (ICMP: type << 8 | code), bitmap:port
  bool nomatch = false;          // hash:net
};

struct IpSet {
  std::string name;
  IpSetType type = IpSetType::hash_ip;
  std::string type_name;         // as created ("hash:mac" for an unmodelled type)
  IpSetFamily family = IpSetFamily::inet;
  uint8_t netmask = 32;          // hash:ip `netmask N`
  uint16_t first_port = 0, last_port = 0;  // bitmap:port `range A-B`
  uint32_t maxelem = 65536;      // hash types
  bool with_timeout = false, counters = false, comment = false, skbinfo = false, forceadd = false;
  Origin origin;                 // the create line
  // An immutable copy of the current contents, shared by every rule that references the set
  // (the kernel's rules hold the set itself); reset whenever the contents change.
  std::shared_ptr<const IpSet> shared;

  const IpSetTypeInfo* info() const { return type == IpSetType::unmodelled ? nullptr : &kIpSetTypes[static_cast<size_t>(type)]; }
  uint8_t dimension() const { return info() ? info()->dimension : 1; }
  size_t size() const {
    switch (type) {
      case IpSetType::hash_ip: return ips_.size();
      case IpSetType::hash_net: return net_count_;
      case IpSetType::hash_ip_port: return ip_ports_.size();
      case IpSetType::bitmap_port: {
        size_t n = 0;
        for (bool b : ports_) n += b;
        return n;
      }
      default: return 0;
    }
  }
  // The element as the type stores it (hash:ip applies its netmask, hash:net its prefix).
  IpSetElem normalise(IpSetElem e) const {
    if (type == IpSetType::hash_ip) e.ip.v &= inet_make_mask(netmask);
    if (type == IpSetType::hash_net) e.ip.v &= inet_make_mask(e.cidr);
    return e;
  }
  // Exactly this element (ipset test/add/del on an element, not a packet lookup).
  bool contains(const IpSetElem& x) const {
    const IpSetElem e = normalise(x);
    switch (type) {
      case IpSetType::hash_ip: return ips_.count(e.ip.v) != 0;
      case IpSetType::hash_net: {
        auto it = nets_.find(e.cidr);
        return it != nets_.end() && it->second.count(e.ip.v) != 0;
      }
      case IpSetType::hash_ip_port: return ip_ports_.count(key(e)) != 0;
      case IpSetType::bitmap_port: return in_range(e.port) && ports_[e.port - first_port];
      default: return false;
    }
  }
  // Adds or replaces (a re-added hash:net prefix takes the new nomatch flag, as `-exist` does).
  void insert(const IpSetElem& x) {
    const IpSetElem e = normalise(x);
    switch (type) {
      case IpSetType::hash_ip: ips_.insert(e.ip.v); break;
      case IpSetType::hash_net: {
        auto [it, added] = nets_[e.cidr].insert_or_assign(e.ip.v, e.nomatch);
        (void)it;
        net_count_ += added;
        break;
      }
      case IpSetType::hash_ip_port: ip_ports_.insert(key(e)); break;
      case IpSetType::bitmap_port:
        if (in_range(e.port)) ports_[e.port - first_port] = true;
        break;
      default: break;
    }
  }
  bool erase(const IpSetElem& x) {
    if (!contains(x)) return false;
    const IpSetElem e = normalise(x);
    switch (type) {
      case IpSetType::hash_ip: ips_.erase(e.ip.v); break;
      case IpSetType::hash_net: {
        auto it = nets_.find(e.cidr);
        it->second.erase(e.ip.v);
        if (it->second.empty()) nets_.erase(it);
        --net_count_;
        break;
      }
      case IpSetType::hash_ip_port: ip_ports_.erase(key(e)); break;
      case IpSetType::bitmap_port: ports_[e.port - first_port] = false; break;
      default: break;
    }
    return true;
  }
  void clear() {
    ips_.clear();
    nets_.clear();
    net_count_ = 0;
    ip_ports_.clear();
    if (type == IpSetType::bitmap_port) ports_.assign(static_cast<size_t>(last_port - first_port) + 1, false);
  }
  // Swaps the contents and type with another set; names stay (ip_set_swap exchanges the sets
  // behind the two names, and rules keep the index, so they see the other contents).
  void swap_contents(IpSet& o) {
    std::swap(type, o.type);
    std::swap(type_name, o.type_name);
    std::swap(family, o.family);
    std::swap(netmask, o.netmask);
    std::swap(first_port, o.first_port);
    std::swap(last_port, o.last_port);
    std::swap(maxelem, o.maxelem);
    std::swap(with_timeout, o.with_timeout);
    std::swap(counters, o.counters);
    std::swap(comment, o.comment);
    std::swap(skbinfo, o.skbinfo);
    std::swap(forceadd, o.forceadd);
    ips_.swap(o.ips_);
    nets_.swap(o.nets_);
    std::swap(net_count_, o.net_count_);
    ip_ports_.swap(o.ip_ports_);
    ports_.swap(o.ports_);
  }

  // A packet's element looked up as the kernel's mtype_test does: hash:net tries the set's
  // prefix lengths from the most specific (mtype_test_cidrs) and the first entry found decides.
  // Returns 1 (member), -1 (a nomatch entry: -ENOTEMPTY) or 0; `found` gets the entry.
  int lookup(const IpSetElem& x, IpSetElem* found) const {
    switch (type) {
      case IpSetType::hash_net:
        for (const auto& [cidr, nets] : nets_) {
          auto it = nets.find(x.ip.v & inet_make_mask(cidr));
          if (it == nets.end()) continue;
          if (found) *found = IpSetElem{Ipv4Addr{it->first}, cidr, 0, 0, it->second};
          return it->second ? -1 : 1;
        }
        return 0;
      default:
        if (!contains(x)) return 0;
        if (found) *found = normalise(x);
        return 1;
    }
  }

  // The elements in a stable order (for listings and tests).
  std::vector<IpSetElem> elements() const {
    std::vector<IpSetElem> out;
    switch (type) {
      case IpSetType::hash_ip:
        for (uint32_t v : ips_) out.push_back(IpSetElem{Ipv4Addr{v}});
        break;
      case IpSetType::hash_net:
        for (const auto& [cidr, nets] : nets_)
          for (const auto& [v, nm] : nets) out.push_back(IpSetElem{Ipv4Addr{v}, cidr, 0, 0, nm});
        break;
      case IpSetType::hash_ip_port:
        for (uint64_t k : ip_ports_)
          out.push_back(IpSetElem{Ipv4Addr{static_cast<uint32_t>(k >> 24)}, 32, static_cast<uint8_t>(k >> 16), static_cast<uint16_t>(k)});
        break;
      case IpSetType::bitmap_port:
        for (size_t i = 0; i < ports_.size(); ++i)
          if (ports_[i]) out.push_back(IpSetElem{Ipv4Addr{}, 32, 0, static_cast<uint16_t>(first_port + i)});
        break;
      default: break;
    }
    std::sort(out.begin(), out.end(), [](const IpSetElem& a, const IpSetElem& b) {
      return std::tie(a.ip.v, a.cidr, a.proto, a.port) < std::tie(b.ip.v, b.cidr, b.proto, b.port);
    });
    return out;
  }

 private:
  static uint64_t key(const IpSetElem& e) { return uint64_t{e.ip.v} << 24 | uint64_t{e.proto} << 16 | e.port; }
  bool in_range(uint16_t p) const { return p >= first_port && p <= last_port && !ports_.empty(); }

  std::unordered_set<uint32_t> ips_;                                               // hash:ip
  std::map<uint8_t, std::unordered_map<uint32_t, bool>, std::greater<uint8_t>> nets_;  // hash:net: cidr -> net -> nomatch
  size_t net_count_ = 0;
  std::unordered_set<uint64_t> ip_ports_;                                          // hash:ip,port
  std::vector<bool> ports_;                                                        // bitmap:port, index port - first_port

 public:
  // bitmap:port: size the bitmap after first_port/last_port are set.
  void init_bitmap() {
    if (type == IpSetType::bitmap_port) ports_.assign(static_cast<size_t>(last_port - first_port) + 1, false);
  }
};

// What ip_set_test saw for one packet, for the trace.
struct IpSetTestResult {
  int ret = 0;                   // > 0 matched, 0 not (after --return-nomatch and error conversion)
  int kadt = 0;                  // the type's own answer: 1, 0, -1 (nomatch entry), -2 (no element: -EINVAL / out of range)
  IpSetElem key;                 // the packet's element
  IpSetElem found;               // the entry that decided (kadt 1 or -1)
  const char* why = nullptr;     // why there was no element to test (kadt -2), or why the set was skipped
};

// ip_set_test (ip_set_core.c) for xt_set: `dim` and `flags` as in struct xt_set_info (bit i =
// dimension i is src). A set whose dimension exceeds `dim`, or of another family, never matches.
IpSetTestResult ip_set_test(const IpSet& set, const Packet& pkt, uint8_t dim, uint8_t flags, bool return_nomatch);

// "1.2.3.0/24", "1.2.3.4,tcp:80", "80": an element as `ipset list` prints it.
std::string ip_set_elem_string(const IpSet& set, const IpSetElem& e);

}  // namespace kpath::kernel

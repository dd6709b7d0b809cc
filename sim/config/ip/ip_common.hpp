// Internal to sim/config/ip/: what iproute2's ip/ip_common.h and lib/utils.c give every object
// (the argument cursor with NEXT_ARG and matches(), the error wordings of invarg/duparg/nodev,
// the /etc/iproute2 name tables) plus the kernel side effects that cross objects: a device going
// down or away flushes routes (fib_sync_down_dev), an address going away flushes the routes that
// used it as prefsrc (fib_sync_down_addr), veth carrier follows both ends.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "sim/config/ip/ip.hpp"

namespace kpath::ip {

using kernel::Ipv4Addr;
using kernel::Prefix;

struct Ctx {
  ConfigSet& set;
  HostConfig* host;                  // the namespace the command applies to (after -n NS)
  const Command& cmd;
  std::vector<Diagnostic>& notes;
  const ExecInHost& exec;
  bool inet4_only = false;           // -4 / -f inet
  void note(SourceLoc loc, std::string msg) const;
  HostConfig& h() const { return *host; }
};

// Thrown by a parser that met an IPv6 address or prefix: ip_command turns it into a note and
// leaves the model untouched (kpath models IPv4 only). Parsers run before any change.
struct Inet6Skip {
  SourceLoc loc;
  std::string what;
};

// argv cursor with iproute2's conventions: `next_arg()` is NEXT_ARG() (the value of the current
// keyword, or "Command line is not complete" at the keyword), `is` is strcmp, `pre` is matches().
class Args {
 public:
  Args(const std::vector<Word>& words, size_t pos) : w_(words), i_(pos) {}
  bool done() const { return i_ >= w_.size(); }
  size_t left() const { return done() ? 0 : w_.size() - i_; }
  const Word& w() const { return w_[i_]; }
  const std::string& s() const { return w_[i_].text; }
  bool is(std::string_view kw) const { return s() == kw; }
  bool pre(std::string_view kw) const;
  void next() { ++i_; }
  const Word& next_arg();
  size_t pos() const { return i_; }
  const std::vector<Word>& words() const { return w_; }
  // The last word of the command (for errors about something missing at the end).
  const Word& last() const { return w_.empty() ? empty_ : w_.back(); }

 private:
  const std::vector<Word>& w_;
  size_t i_;
  Word empty_;
};

// iproute2 matches(): `arg` is a non-empty prefix of `full`.
bool matches(std::string_view arg, std::string_view full);

// lib/utils.c error wordings (exit paths), with kpath's "; expected ..." tail where it helps.
[[noreturn]] void fail(SourceLoc loc, std::string msg);
[[noreturn]] void invarg(const Word& w, std::string_view msg, std::string_view expected = {});
[[noreturn]] void duparg(const Word& w, std::string_view key);
[[noreturn]] void duparg2(const Word& w, std::string_view key, std::string_view expected = {});
[[noreturn]] void nodev(const Word& w);
[[noreturn]] void not_modelled(SourceLoc loc, std::string_view what);
// Kernel answers: errno text after "RTNETLINK answers: ", or an extack message ("Error: X.").
enum class Errno { EEXIST_, ESRCH_, ENOENT_, ENODEV_, ENETDOWN_, EINVAL_, EOPNOTSUPP_, EADDRNOTAVAIL_, EBUSY_, EPERM_, ENOBUFS_ };
[[noreturn]] void rtnl_error(SourceLoc loc, Errno e, std::string_view hint = {});
[[noreturn]] void extack(SourceLoc loc, std::string_view msg, std::string_view hint = {});

// Numbers as lib/utils.c reads them (strtoul/strtol base 0: 0x.. hex, 0.. octal).
std::optional<uint32_t> get_u32(std::string_view s);
std::optional<int64_t> get_integer(std::string_view s);   // int range
std::optional<uint64_t> strtoul_base(std::string_view s, int base);

// Addresses (lib/utils.c get_addr_1 / get_prefix_1): IPv4 octets are strtoul base 0 and may be
// abbreviated ("10" = 10.0.0.0); "default", "all", "any" are 0/0. IPv6 (a ':') → Inet6Skip.
struct InetPrefix {
  Ipv4Addr addr;
  uint8_t bitlen = 32;
  bool len_given = false;   // PREFIXLEN_SPECIFIED
  bool any = false;         // default/all/any
};
std::optional<Ipv4Addr> get_addr_ipv4(std::string_view s);
// get_prefix(): "Error: any valid prefix is expected rather than "X"." on failure.
InetPrefix get_prefix(const Ctx& c, const Word& w, bool family_known = false, std::string_view expected = {});
// get_addr(): "Error: inet address is expected rather than "X"." (family decided) on failure.
Ipv4Addr get_addr(const Ctx& c, const Word& w, bool family_known);

// Name tables (lib/rt_names.c with Debian's /etc/iproute2 files).
std::optional<uint32_t> rt_table_a2n(const HostConfig& h, std::string_view s);
std::optional<uint8_t> rtprot_a2n(std::string_view s);
std::optional<uint8_t> rtscope_a2n(std::string_view s);
std::optional<uint8_t> dsfield_a2n(std::string_view s);     // names or hex (strtoul base 16)
std::optional<int> rtntype_a2n(std::string_view s);
std::optional<uint32_t> group_a2n(std::string_view s);
std::optional<uint8_t> inet_proto_a2n(std::string_view s);
bool check_ifname(std::string_view s);                     // lib/utils.c check_ifname
bool dev_valid_name(std::string_view s);                   // net/core/dev.c dev_valid_name
std::string table_name(const HostConfig& h, uint32_t id);  // for messages

// ---- cross-object kernel side effects (implemented next to the object that owns them) ----

// ipaddress.cpp: __inet_del_ifa + fib_del_ifaddr + (last address) fib_disable_ip.
void inet_del_ifa(HostConfig& h, int ifindex, size_t idx, SourceLoc loc);
// inetdev_destroy: every address goes (device unregister, netns move).
void inetdev_destroy(HostConfig& h, int ifindex, SourceLoc loc);
// inet_insert_ifa for lo's 127.0.0.1/8 on NETDEV_UP (inetdev_event).
void inet_add_loopback(HostConfig& h, kernel::NetDevice& lo, SourceLoc loc);

// ip_fib.cpp (the FIB side of events):
// fib_sync_down_dev: nexthops on `ifindex` die (all of them with force, else all but host-scope
// ones); routes left without a live nexthop are flushed (error routes stay).
void fib_sync_down_dev(HostConfig& h, int ifindex, bool force);
// fib_sync_up: dead nexthops on `ifindex` come back (routes that survived); fib_add_ifaddr
// re-creates the device's kernel routes, so deletions recorded for it are forgotten.
void fib_sync_up(HostConfig& h, int ifindex);
// fib_sync_down_addr: routes of table main using `local` as prefsrc are flushed.
void fib_sync_down_addr(HostConfig& h, Ipv4Addr local);
// Kernel routes that fib_add_ifaddr would (re)create for this address are no longer deleted.
void forget_deleted_kernel_routes(HostConfig& h, int ifindex, std::optional<Ipv4Addr> local);

// iplink.cpp: netif_carrier for veth (both ends up) and bridges (a port with carrier).
void refresh_carriers(ConfigSet& set, HostConfig& h);
// The host a veth peer lives in (nullptr if gone).
HostConfig* peer_host(ConfigSet& set, HostConfig& h, const kernel::NetDevice& d);
// A namespace going away (ip netns del): every device is unregistered, veth peers elsewhere too.
void unregister_all(Ctx& c, HostConfig& h);

// Object entry points (argv at the word after the object).
void do_iplink(Ctx& c, Args a);
void do_ipaddr(Ctx& c, Args a);
void do_iproute(Ctx& c, Args a);
void do_iprule(Ctx& c, Args a);
void do_netns(Ctx& c, Args a);

}  // namespace kpath::ip

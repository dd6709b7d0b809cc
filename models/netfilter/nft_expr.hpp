// nf_tables expressions (net/netfilter/nft_*.c) as value types: what one rule of an nft chain
// holds after the nft importer has parsed it. A rule is a sequence of expressions evaluated in
// order (nft_do_chain): a match that fails, or a statement that cannot act (nft_tproxy without a
// socket, ct mark without a conntrack entry), ends the rule with NFT_BREAK — statements that
// already ran keep their effect — and a verdict statement ends the chain walk.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>
#include "models/inet.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

// A closed interval of key values: one value (lo == hi), a prefix, or an `a-b` range. Keys are
// compared as host-order integers (addresses as Ipv4Addr::v, ports, marks, protocol numbers).
struct NftRange {
  uint32_t lo = 0, hi = 0;
  constexpr bool contains(uint32_t v) const { return v >= lo && v <= hi; }
  constexpr auto operator<=>(const NftRange&) const = default;
};

// What a match loads into its register (nft_payload, nft_meta, nft_ct, nft_socket, nft_fib).
enum class NftKey : uint8_t {
  ip_saddr, ip_daddr, ip_protocol, ip_ttl, ip_length, ip_dscp,
  th_sport, th_dport, tcp_flags, icmp_type, icmp_code,
  meta_l4proto, meta_mark, meta_iif, meta_oif, meta_nfproto, meta_pkttype, meta_length,
  ct_state, ct_mark,
  socket_transparent, socket_mark, socket_wildcard,
  fib_saddr_type, fib_daddr_type,
  Count
};

// Per key: the expression kind (nft's expression name) and the kernel eval function a trace
// cites, in one reviewable table (like fib_props[]).
struct NftKeyInfo {
  std::string_view text;     // as nft prints it ("ip saddr"; th ports print with their protocol)
  std::string_view kernel;   // eval function
};
inline constexpr std::array<NftKeyInfo, static_cast<size_t>(NftKey::Count)> kNftKeys = {{
    {"ip saddr", "nft_payload_eval"},       {"ip daddr", "nft_payload_eval"},        {"ip protocol", "nft_payload_eval"},
    {"ip ttl", "nft_payload_eval"},         {"ip length", "nft_payload_eval"},       {"ip dscp", "nft_payload_eval"},
    {"th sport", "nft_payload_eval"},       {"th dport", "nft_payload_eval"},        {"tcp flags", "nft_payload_eval"},
    {"icmp type", "nft_payload_eval"},      {"icmp code", "nft_payload_eval"},
    {"meta l4proto", "nft_meta_get_eval"},  {"meta mark", "nft_meta_get_eval"},      {"meta iif", "nft_meta_get_eval"},
    {"meta oif", "nft_meta_get_eval"},      {"meta nfproto", "nft_meta_get_eval"},   {"meta pkttype", "nft_meta_get_eval"},
    {"meta length", "nft_meta_get_eval"},
    {"ct state", "nft_ct_get_eval"},        {"ct mark", "nft_ct_get_eval"},
    {"socket transparent", "nft_socket_eval"}, {"socket mark", "nft_socket_eval"}, {"socket wildcard", "nft_socket_eval"},
    {"fib saddr type", "nft_fib4_eval_type"},  {"fib daddr type", "nft_fib4_eval_type"},
}};
constexpr const NftKeyInfo& nft_key_info(NftKey k) { return kNftKeys[static_cast<size_t>(k)]; }

// ct state bits (NF_CT_STATE_BIT): invalid 1, established 2, related 4, new 8, untracked 64.
inline constexpr uint32_t NF_CT_STATE_INVALID_BIT = 1, NF_CT_STATE_ESTABLISHED_BIT = 2, NF_CT_STATE_RELATED_BIT = 4,
                          NF_CT_STATE_NEW_BIT = 8, NF_CT_STATE_UNTRACKED_BIT = 64;
inline constexpr uint8_t NFPROTO_IPV4 = 2, NFPROTO_IPV6 = 10;

enum class NftCmpOp : uint8_t { eq, neq, lt, gt, lte, gte };  // nft_cmp_ops

// A match: load `key`, apply `& mask` (nft_bitwise), compare (nft_cmp / nft_range / nft_lookup).
// eq/neq test membership in `values` (one value, a range, an anonymous set) or in the named
// set `set`; lt/gt/lte/gte compare with values[0].lo. A bitmask test such as
// `ct state established,related` is mask = the flags, neq {0}.
struct NftMatch {
  NftKey key = NftKey::meta_mark;
  uint8_t l4proto = 0;           // tcp/udp/icmp header fields: the protocol of nft's implicit
                                 // dependency (`tcp dport` = `meta l4proto tcp` + payload); 0 = th
  uint32_t mask = 0xffffffffu;
  NftCmpOp op = NftCmpOp::eq;
  std::vector<NftRange> values;
  int set = -1;                  // named set: index into the table's sets (resolved by the importer)
  std::string set_name;          // "" = no named set
};

// meta iifname / oifname: string compare, a trailing '*' matches a prefix.
struct NftIfname {
  bool out = false;
  bool neq = false;
  std::vector<std::string> names;
  int set = -1;
  std::string set_name;
};

// An IPv6-only expression in an inet table (`ip6 saddr ...`, `meta nfproto ipv6`-dependent
// payloads, `tproxy ip6 to ...`): its implicit `meta nfproto ipv6` dependency never holds for an
// IPv4 packet, so the rule never matches one.
struct NftIpv6Only {};

// meta mark set / ct mark set (nft_meta_set_eval, nft_ct_set_eval): target = (src & mask) ^ xor_.
struct NftSetMark {
  bool ct = false;               // target: skb->mark (false) or the conntrack mark
  enum class Src : uint8_t { imm, meta_mark, ct_mark } src = Src::imm;
  uint32_t mask = 0, xor_ = 0;   // imm: mask 0, xor_ = the value
};

// tproxy [ip] to [ADDR][:PORT] (nft_tproxy.c nft_tproxy_eval_v4): xt TPROXY's lookups, no mark,
// NFT_BREAK instead of NF_DROP, no verdict on success.
struct NftTproxy {
  Ipv4Addr addr;                 // 0 = nf_tproxy_laddr4 (the in-dev's primary address, else daddr)
  uint16_t port = 0;             // 0 = the packet's dport
};

struct NftVerdict {
  enum class Code : uint8_t { accept, drop, ret, jump, go_to, cont } code = Code::accept;
  std::string chain;             // jump/goto target
  int chain_index = -1;          // resolved by the importer
};

// reject [with icmp type T | with icmpx type T | with tcp reset] (nft_reject_ipv4.c): NF_DROP after
// sending the error.
struct NftReject {
  bool tcp_reset = false;
  uint8_t code = 3;              // ICMP_DEST_UNREACH code (port unreachable by default)
};

// dnat / snat / redirect / masquerade (nft_nat.c, nft_redir.c, nft_masq.c): NF_ACCEPT.
struct NftNat {
  enum class Kind : uint8_t { dnat, snat, redirect, masquerade } kind = Kind::dnat;
  bool has_addr = false;
  Ipv4Addr addr_min, addr_max;
  uint16_t port_min = 0, port_max = 0;  // 0 = keep
};

struct NftNotrack {};
struct NftCounter {};
struct NftLog { std::string prefix; };
// limit rate [over] N/unit: one explained packet always meets a full token bucket.
struct NftLimit { bool over = false; std::string rate; };

// KEY vmap { V : verdict, ... } (nft_lookup with a verdict map).
struct NftVmap {
  NftMatch key;                  // key, l4proto and mask; op/values unused
  std::vector<std::pair<NftRange, NftVerdict>> map;
};

using NftExprData = std::variant<NftMatch, NftIfname, NftIpv6Only, NftSetMark, NftTproxy, NftVerdict, NftReject, NftNat,
                                 NftNotrack, NftCounter, NftLog, NftLimit, NftVmap>;

struct NftExpr {
  NftExprData data;
  Origin origin;                 // first token of the expression
  std::string text;              // the expression as written ("tcp dport 80", "tproxy to :8080")
};

struct NftRule {
  Origin origin;                 // first token of the rule
  std::string text;              // the rule as written, whitespace collapsed, for traces
  std::vector<NftExpr> exprs;
  std::string comment;
};

// A named set of a table (nf_tables_api.c nft_set): elements as ranges, or strings for ifname sets.
struct NftSet {
  enum class Type : uint8_t { ipv4_addr, inet_service, inet_proto, mark, ifname, ipv6_addr } type = Type::ipv4_addr;
  std::string name;
  bool interval = false;
  std::vector<NftRange> elems;
  std::vector<std::string> names;
  Origin origin;
};

}  // namespace kpath::kernel

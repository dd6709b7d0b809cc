// x_tables data: ipt_entry's fixed part (struct ipt_ip), the matches and targets kpath models
// (one struct per xt extension, fields as in the kernel's xt_*_info), chains and tables.
// Importers build these; compile() resolves chain references; ipt_do_table evaluates them.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>
#include "models/fib/fib_rules.hpp"  // PortRange
#include "models/inet.hpp"
#include "models/origin.hpp"

namespace kpath::kernel {

enum NfHook : uint8_t { NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING, NF_INET_NUMHOOKS };
inline constexpr std::array<std::string_view, NF_INET_NUMHOOKS> kHookChainNames = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
inline constexpr std::array<std::string_view, NF_INET_NUMHOOKS> kHookNames = {
    "NF_INET_PRE_ROUTING", "NF_INET_LOCAL_IN", "NF_INET_FORWARD", "NF_INET_LOCAL_OUT", "NF_INET_POST_ROUTING"};

enum class XtTableId : uint8_t { raw, mangle, nat, filter, security, Count };
inline constexpr std::array<std::string_view, 5> kXtTableNames = {"raw", "mangle", "nat", "filter", "security"};
// enum nf_ip_hook_priorities
inline constexpr std::array<int, 5> kXtTablePriority = {-300, -150, -100, 0, 50};
// Which hooks each table registers (valid_hooks), bit per NfHook.
inline constexpr std::array<uint8_t, 5> kXtTableHooks = {
    (1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_OUT),                                          // raw
    0x1f,                                                                                           // mangle
    (1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_LOCAL_OUT) | (1 << NF_INET_POST_ROUTING),  // nat
    (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT),                    // filter
    (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT),                    // security
};

// struct ipt_ip
struct IptIp {
  Prefix src, dst;                 // len 0 = any
  bool inv_src = false, inv_dst = false;
  std::string iniface, outiface;   // "" = any; trailing '+' = prefix wildcard
  bool inv_in = false, inv_out = false;
  uint8_t proto = 0;               // 0 = all
  bool inv_proto = false;
  int8_t frag = 0;                 // 0 = any, 1 = -f (non-first fragments), -1 = ! -f
};

// ---- matches (xt_*.c) ----
struct XtTcpUdp {              // xt_tcpudp.c: implicit with -p tcp/udp and --sport/--dport
  uint8_t proto = 0;           // IPPROTO_TCP or IPPROTO_UDP
  PortRange spts{0, 0xffff}, dpts{0, 0xffff};
  bool inv_sport = false, inv_dport = false;
  uint8_t flg_mask = 0, flg_cmp = 0;  // --tcp-flags MASK COMP / --syn (SYN,RST,ACK,FIN SYN)
  bool inv_flags = false;
  uint8_t option = 0;          // --tcp-option N (0 = not used)
  bool inv_option = false;
};
struct XtMultiport {           // xt_multiport.c (revision 1: ranges)
  enum Flags : uint8_t { SOURCE, DESTINATION, EITHER } flags = DESTINATION;
  std::vector<PortRange> ports;
  bool invert = false;
};
struct XtMark { uint32_t mark = 0, mask = 0xffffffffu; bool invert = false; };          // xt_mark.c
struct XtConnmarkMatch { uint32_t mark = 0, mask = 0xffffffffu; bool invert = false; };  // xt_connmark.c
struct XtSocket {              // xt_socket.c revision 3
  bool transparent = false, nowildcard = false, restore_skmark = false;
};
struct XtConntrack {           // xt_conntrack.c, --ctstate only
  enum : uint8_t { INVALID = 1, NEW = 2, ESTABLISHED = 4, RELATED = 8, UNTRACKED = 16, SNAT = 32, DNAT = 64 };
  uint8_t state_mask = 0;
  bool invert = false;
  bool state_alias = false;    // written as `-m state --state` (libxt_state alias): printed that way
};
struct XtAddrtype {            // xt_addrtype.c: bit per RTN_* type
  uint16_t source = 0, dest = 0;
  bool inv_src = false, inv_dst = false;
  bool limit_iface_in = false, limit_iface_out = false;
};
struct XtIprange { bool has_src = false, has_dst = false; Ipv4Addr src_min, src_max, dst_min, dst_max; bool inv_src = false, inv_dst = false; };
struct XtIcmp { uint8_t type = 0xff, code_min = 0, code_max = 0xff; bool invert = false; };  // 0xff = any
struct XtComment { std::string comment; };
struct IpSet;                  // models/netfilter/ipset.hpp
struct XtSetInfo {             // struct xt_set_info: a set and the src/dst of each dimension
  std::string name;            // the set (the kernel keeps its index: rules follow `ipset rename`)
  uint8_t dim = 0;             // 0 = not used
  uint8_t flags = 0;           // bit i (1 << i) = dimension i (1-based) is src, else dst
  std::shared_ptr<const IpSet> set;  // the set's contents (bound when the config is loaded)
};
struct XtSetMatch {            // xt_set.c set_match_v4
  XtSetInfo match_set;
  bool invert = false;         // IPSET_INV_MATCH
  bool return_nomatch = false; // IPSET_FLAG_RETURN_NOMATCH
  bool skip_counter_update = false, skip_subcounter_update = false;  // ! --update-[sub]counters
};
struct XtLength { uint16_t min = 0, max = 0; bool invert = false; };                     // xt_length.c
struct XtPkttype { uint8_t pkttype = 0; bool invert = false; };                         // xt_pkttype.c (PACKET_*)
struct XtTtl { enum Mode : uint8_t { EQ, NE, LT, GT } mode = EQ; uint8_t ttl = 0; };     // ipt_ttl.c
struct XtTos { uint8_t value = 0, mask = 0xff; bool invert = false; };                  // xt_dscp.c tos_mt
struct XtDscp { uint8_t dscp = 0; bool invert = false; };                               // xt_dscp.c dscp_mt
struct XtLimit { uint32_t avg = 0, burst = 5; };                                        // xt_limit.c xt_rateinfo
struct XtStatistic {           // xt_statistic.c
  enum Mode : uint8_t { RANDOM, NTH } mode = RANDOM;
  bool invert = false;
  uint32_t probability = 0;    // random: p * 2^31 (lround)
  uint32_t every = 0, packet = 0, count = 0;  // nth: every is n-1; count = every - packet (initial counter)
};
struct XtOwner {               // xt_owner.c revision 1
  enum : uint8_t { UID = 1, GID = 2, SOCKET = 4, SUPPL_GROUPS = 8 };
  uint32_t uid_min = 0, uid_max = 0, gid_min = 0, gid_max = 0;
  uint8_t match = 0, invert = 0;
};
struct XtPhysdev {             // xt_physdev.c
  enum : uint8_t { IN = 1, OUT = 2, BRIDGED = 4, ISIN = 8, ISOUT = 16 };
  std::string physindev, physoutdev;
  uint8_t bitmask = 0, invert = 0;
};
struct XtMac { std::array<uint8_t, 6> srcaddr{}; bool invert = false; };                // xt_mac.c
struct XtRpfilter {            // ipt_rpfilter.c xt_rpfilter_info
  enum : uint8_t { LOOSE = 1, VALID_MARK = 2, ACCEPT_LOCAL = 4, INVERT = 8 };
  uint8_t flags = 0;
};
using XtMatchData = std::variant<XtTcpUdp, XtMultiport, XtMark, XtConnmarkMatch, XtSocket, XtConntrack, XtAddrtype, XtIprange, XtIcmp, XtComment,
                                 XtSetMatch, XtLength, XtPkttype, XtTtl, XtTos, XtDscp, XtLimit, XtStatistic, XtOwner, XtPhysdev, XtMac, XtRpfilter>;

struct XtMatch {
  XtMatchData data;
  Origin origin;               // position of "-m name" (or of the implicit option)
};

// ---- targets ----
enum class XtVerdict : uint8_t { ACCEPT, DROP, RETURN, CONTINUE };
struct XtStandard { XtVerdict verdict = XtVerdict::ACCEPT; };           // ACCEPT / DROP / RETURN
struct XtJump { std::string chain; bool is_goto = false; int chain_index = -1; };  // -j CHAIN / -g CHAIN
struct XtMarkTarget { uint32_t value = 0, mask = 0xffffffffu; };        // xt_MARK: mark = (mark & ~mask) ^ value
struct XtTproxy { uint32_t mark_value = 0, mark_mask = 0; Ipv4Addr laddr; uint16_t lport = 0; };  // xt_tproxy_target_info_v1
struct XtConnmarkTarget {      // xt_CONNMARK.c
  enum Mode : uint8_t { SET, SAVE, RESTORE } mode = SET;
  uint32_t ctmark = 0, ctmask = 0xffffffffu, nfmask = 0xffffffffu;
};
struct XtReject {              // ipt_REJECT.c
  enum With : uint8_t { NET_UNREACH, HOST_UNREACH, PROT_UNREACH, PORT_UNREACH, ECHOREPLY, NET_PROHIBITED, HOST_PROHIBITED, TCP_RESET, ADMIN_PROHIBITED } with = PORT_UNREACH;
};
struct XtLog {
  std::string prefix; uint8_t level = 4;
  uint8_t logflags = 0;        // XT_LOG_TCPSEQ 1, TCPOPT 2, IPOPT 4, UID 8, MACDECODE 0x20 (printing only)
};
struct XtNat {                 // DNAT / SNAT / REDIRECT / MASQUERADE (nf_nat range)
  enum Kind : uint8_t { DNAT, SNAT, REDIRECT, MASQUERADE } kind = DNAT;
  Ipv4Addr addr_min, addr_max; bool has_addr = false;
  uint16_t port_min = 0, port_max = 0;  // 0 = keep
  uint8_t range_flags = 0;     // NF_NAT_RANGE_*: MAP_IPS 1, PROTO_SPECIFIED 2, PROTO_RANDOM 4, PERSISTENT 8, PROTO_RANDOM_FULLY 16, PROTO_OFFSET 32
  uint16_t base_port = 0;      // DNAT A:p-q/base (with PROTO_OFFSET)
};
struct XtNotrack {};
struct XtCt {
  bool notrack = false;
  std::string zone_or_helper;  // the helper name if --helper was given, else the zone number ("" = neither)
  uint16_t zone = 0;           // --zone N
  std::string helper;          // --helper NAME
};
struct XtReturnMark {};        // placeholder for unmodelled-but-accepted targets (never produced today)
struct XtTosTarget { uint8_t value = 0, mask = 0; };    // xt_DSCP.c tos_tg: tos = (tos & ~mask) ^ value
struct XtDscpTarget { uint8_t dscp = 0; };              // xt_DSCP.c dscp_tg
struct XtTtlTarget { enum Mode : uint8_t { SET, INC, DEC } mode = SET; uint8_t ttl = 0; };  // xt_HL.c ttl_tg
struct XtTcpmss { uint16_t mss = 0; };                  // xt_TCPMSS.c; 0xffff = --clamp-mss-to-pmtu
struct XtClassify { uint32_t priority = 0; };           // xt_CLASSIFY.c: skb->priority
struct XtChecksum {};                                   // xt_CHECKSUM.c --checksum-fill
struct XtTrace {};                                      // xt_TRACE.c
struct XtAudit { enum Type : uint8_t { ACCEPT, DROP, REJECT } type = ACCEPT; };  // xt_AUDIT.c
struct XtNfqueue {             // xt_NFQUEUE.c revision 3
  uint16_t queuenum = 0, queues_total = 1;
  bool bypass = false, cpu_fanout = false;
};
struct XtSetTarget {           // xt_set.c set_target_v3
  XtSetInfo add_set, del_set, map_set;
  bool exist = false;
  uint32_t timeout = 0xffffffffu;  // UINT32_MAX = the set's default
  bool map_mark = false, map_prio = false, map_queue = false;
};
using XtTargetData = std::variant<XtStandard, XtJump, XtMarkTarget, XtTproxy, XtConnmarkTarget, XtReject, XtLog, XtNat, XtNotrack, XtCt,
                                  XtTosTarget, XtDscpTarget, XtTtlTarget, XtTcpmss, XtClassify, XtChecksum, XtTrace, XtAudit, XtNfqueue, XtSetTarget>;

struct XtTarget {
  XtTargetData data;
  Origin origin;               // position of "-j"/"-g"
};

struct IptEntry {
  IptIp ip;
  std::vector<XtMatch> matches;
  XtTarget target;             // no -j: XtStandard with CONTINUE (a counting rule)
  Origin origin;               // the whole rule (start of the command)
  std::string text;            // the rule as iptables -S would print it, for traces
};

struct XtChain {
  std::string name;
  bool builtin = false;
  XtVerdict policy = XtVerdict::ACCEPT;  // builtin chains only
  Origin policy_origin;
  std::vector<IptEntry> rules;
  Origin origin;               // -N line for user chains
};

struct XtTable {
  XtTableId id = XtTableId::filter;
  std::vector<XtChain> chains;  // builtin chains first, in hook order, then user chains
  int find_chain(std::string_view name) const {
    for (size_t i = 0; i < chains.size(); ++i) if (chains[i].name == name) return static_cast<int>(i);
    return -1;
  }
  // The builtin chain for a hook, or -1 when the table does not register that hook.
  int hook_chain(NfHook h) const { return (kXtTableHooks[static_cast<size_t>(id)] >> h) & 1 ? find_chain(kHookChainNames[h]) : -1; }
};
// A table with its built-in chains, all policies ACCEPT (a fresh iptables table).
XtTable xt_table_new(XtTableId id);

}  // namespace kpath::kernel

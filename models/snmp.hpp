// SNMP counters the IPv4 receive path touches, one X-macro list: enum, nstat name and the
// kernel MIB it mirrors come from one place (net/ipv4/proc.c: snmp4_ipstats_list, ...).
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace kpath::kernel {

// X(enum, nstat name, kernel MIB, doc)
#define KPATH_SNMP_COUNTERS(X)                                                                           \
  X(IpInReceives, "IpInReceives", "IPSTATS_MIB_INPKTS", "ip_rcv_core: every non-OTHERHOST packet")       \
  X(IpInHdrErrors, "IpInHdrErrors", "IPSTATS_MIB_INHDRERRORS", "bad header, checksum, TTL expiry")       \
  X(IpInAddrErrors, "IpInAddrErrors", "IPSTATS_MIB_INADDRERRORS", "ip_error, forwarding off, EHOSTUNREACH") \
  X(IpForwDatagrams, "IpForwDatagrams", "IPSTATS_MIB_OUTFORWDATAGRAMS", "ip_forward (6.7+ before FORWARD)") \
  X(IpInUnknownProtos, "IpInUnknownProtos", "IPSTATS_MIB_INUNKNOWNPROTOS", "no L4 handler")              \
  X(IpInDiscards, "IpInDiscards", "IPSTATS_MIB_INDISCARDS", "allocation failures")                        \
  X(IpInDelivers, "IpInDelivers", "IPSTATS_MIB_INDELIVERS", "handed to an L4 protocol")                  \
  X(IpOutRequests, "IpOutRequests", "IPSTATS_MIB_OUTREQUESTS", "locally generated packets")             \
  X(IpOutNoRoutes, "IpOutNoRoutes", "IPSTATS_MIB_OUTNOROUTES", "socket send path found no route")        \
  X(IpFragFails, "IpFragFails", "IPSTATS_MIB_FRAGFAILS", "DF set and too big")                            \
  X(IpFragOKs, "IpFragOKs", "IPSTATS_MIB_FRAGOKS", "fragmented on output")                               \
  X(IpFragCreates, "IpFragCreates", "IPSTATS_MIB_FRAGCREATES", "fragments created")                      \
  X(IpOutTransmits, "IpOutTransmits", "IPSTATS_MIB_OUTPKTS", "ip_finish_output2 (6.7+)")                 \
  X(IpExtInNoRoutes, "IpExtInNoRoutes", "IPSTATS_MIB_INNOROUTES", "ip_error with ENETUNREACH")           \
  X(IpExtInTruncatedPkts, "IpExtInTruncatedPkts", "IPSTATS_MIB_INTRUNCATEDPKTS", "tot_len > received")   \
  X(IpExtInCsumErrors, "IpExtInCsumErrors", "IPSTATS_MIB_CSUMERRORS", "bad IP header checksum")          \
  X(IpExtInBcastPkts, "IpExtInBcastPkts", "IPSTATS_MIB_INBCASTPKTS", "route type BROADCAST")             \
  X(IpExtInMcastPkts, "IpExtInMcastPkts", "IPSTATS_MIB_INMCASTPKTS", "route type MULTICAST")             \
  X(TcpExtIPReversePathFilter, "TcpExtIPReversePathFilter", "LINUX_MIB_IPRPFILTER", "rp_filter failure") \
  X(TcpExtListenDrops, "TcpExtListenDrops", "LINUX_MIB_LISTENDROPS", "SYN dropped by a listener (e.g. SYN-ACK unroutable)") \
  X(TcpInSegs, "TcpInSegs", "TCP_MIB_INSEGS", "segments reaching tcp_v4_rcv with pkt_type HOST")         \
  X(TcpOutSegs, "TcpOutSegs", "TCP_MIB_OUTSEGS", "segments sent, RST/SYN-ACK included")                  \
  X(TcpOutRsts, "TcpOutRsts", "TCP_MIB_OUTRSTS", "RSTs sent by TCP")                                     \
  X(TcpInErrs, "TcpInErrs", "TCP_MIB_INERRS", "malformed segments")                                      \
  X(TcpInCsumErrors, "TcpInCsumErrors", "TCP_MIB_CSUMERRORS", "bad TCP checksum")                        \
  X(UdpNoPorts, "UdpNoPorts", "UDP_MIB_NOPORTS", "no socket for a unicast datagram")                     \
  X(UdpIgnoredMulti, "UdpIgnoredMulti", "UDP_MIB_IGNOREDMULTI", "broadcast/multicast with no socket")    \
  X(UdpInErrors, "UdpInErrors", "UDP_MIB_INERRORS", "UDP errors")                                        \
  X(UdpInCsumErrors, "UdpInCsumErrors", "UDP_MIB_CSUMERRORS", "bad UDP checksum")                        \
  X(IcmpInMsgs, "IcmpInMsgs", "ICMP_MIB_INMSGS", "ICMP received")                                        \
  X(IcmpInErrors, "IcmpInErrors", "ICMP_MIB_INERRORS", "ICMP ignored or malformed")                      \
  X(IcmpInEchos, "IcmpInEchos", "ICMP_MIB_INECHOS", "echo requests received")                            \
  X(IcmpOutMsgs, "IcmpOutMsgs", "ICMP_MIB_OUTMSGS", "ICMP sent")                                         \
  X(IcmpOutDestUnreachs, "IcmpOutDestUnreachs", "ICMP_MIB_OUTDESTUNREACHS", "destination unreachable sent") \
  X(IcmpOutTimeExcds, "IcmpOutTimeExcds", "ICMP_MIB_OUTTIMEEXCDS", "time exceeded sent")                 \
  X(IcmpOutRedirects, "IcmpOutRedirects", "ICMP_MIB_OUTREDIRECTS", "redirects sent")                     \
  X(IcmpOutEchoReps, "IcmpOutEchoReps", "ICMP_MIB_OUTECHOREPS", "echo replies sent")                     \
  X(IcmpMsgInType8, "IcmpMsgInType8", "ICMP_MIB per type", "echo request received")                      \
  X(IcmpMsgOutType0, "IcmpMsgOutType0", "ICMP_MIB per type", "echo reply sent")                          \
  X(IcmpMsgOutType3, "IcmpMsgOutType3", "ICMP_MIB per type", "destination unreachable sent")             \
  X(IcmpMsgOutType5, "IcmpMsgOutType5", "ICMP_MIB per type", "redirect sent")                            \
  X(IcmpMsgOutType11, "IcmpMsgOutType11", "ICMP_MIB per type", "time exceeded sent")

enum class Snmp : uint8_t {
#define X(e, name, mib, doc) e,
  KPATH_SNMP_COUNTERS(X)
#undef X
      Count
};
inline constexpr size_t kSnmpCount = static_cast<size_t>(Snmp::Count);

inline constexpr std::array<std::string_view, kSnmpCount> kSnmpNames = {
#define X(e, name, mib, doc) name,
    KPATH_SNMP_COUNTERS(X)
#undef X
};
inline constexpr std::array<std::string_view, kSnmpCount> kSnmpDocs = {
#define X(e, name, mib, doc) doc,
    KPATH_SNMP_COUNTERS(X)
#undef X
};
constexpr std::string_view snmp_name(Snmp c) { return kSnmpNames[static_cast<size_t>(c)]; }

// Counter deltas of one packet (or totals of many). Fixed size: no allocation per packet.
template <typename T>
struct SnmpArray {
  std::array<T, kSnmpCount> v{};
  void inc(Snmp c, T n = 1) { v[static_cast<size_t>(c)] += n; }
  T get(Snmp c) const { return v[static_cast<size_t>(c)]; }
  template <typename U> void add(const SnmpArray<U>& o) {
    for (size_t i = 0; i < kSnmpCount; ++i) v[i] += o.v[i];
  }
  bool operator==(const SnmpArray&) const = default;
};
using SnmpDelta = SnmpArray<uint32_t>;
using SnmpTotals = SnmpArray<uint64_t>;

}  // namespace kpath::kernel

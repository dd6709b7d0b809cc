// IPv4 value types shared by the model and the importers: addresses in host byte order,
// prefixes, mark/mask pairs. Formatting mirrors iproute2 (dotted quad, "default" for /0 where
// the caller asks for it, hex marks).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <fmt/format.h>

namespace kpath::kernel {

struct Ipv4Addr {
  uint32_t v = 0;  // host byte order: 10.0.0.1 == 0x0a000001
  constexpr auto operator<=>(const Ipv4Addr&) const = default;
  constexpr bool is_zero() const { return v == 0; }
  constexpr bool is_multicast() const { return (v & 0xf0000000u) == 0xe0000000u; }     // ipv4_is_multicast
  constexpr bool is_lbcast() const { return v == 0xffffffffu; }                       // ipv4_is_lbcast
  constexpr bool is_loopback() const { return (v & 0xff000000u) == 0x7f000000u; }     // ipv4_is_loopback
  constexpr bool is_zeronet() const { return v == 0; }  // 5.3+: only 0.0.0.0 itself
  constexpr bool is_local_multicast() const { return (v & 0xffffff00u) == 0xe0000000u; }
};

constexpr uint32_t inet_make_mask(int len) { return len <= 0 ? 0u : (len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1)); }

struct Prefix {
  Ipv4Addr addr;
  uint8_t len = 0;
  constexpr auto operator<=>(const Prefix&) const = default;
  constexpr uint32_t mask() const { return inet_make_mask(len); }
  constexpr bool contains(Ipv4Addr a) const { return ((a.v ^ addr.v) & mask()) == 0; }
  constexpr Prefix canonical() const { return Prefix{Ipv4Addr{addr.v & mask()}, len}; }
  constexpr bool is_default() const { return len == 0; }
};

// A 32-bit value with a mask, as in fwmark V/M and --set-xmark V/M.
struct MarkMask {
  uint32_t value = 0;
  uint32_t mask = 0xffffffffu;
  constexpr auto operator<=>(const MarkMask&) const = default;
};

// Parsing with iproute2/iptables conventions: "10/8" pads missing octets with zeros
// (kernel-path.md §21.1), "default"/"any"/"all" are 0/0 where the caller allows it.
std::optional<Ipv4Addr> parse_ipv4(std::string_view s);          // strict dotted quad
std::optional<Ipv4Addr> parse_ipv4_abbrev(std::string_view s);   // "10", "10.1", "10.1.2" padded
std::optional<Prefix> parse_prefix(std::string_view s);          // A[/len], abbreviations allowed
std::optional<uint32_t> parse_u32(std::string_view s);           // decimal or 0x hex (strtoul base 0)

std::string to_string(Ipv4Addr a);
std::string to_string(const Prefix& p);   // "10.0.0.0/8", "1.2.3.4/32"

}  // namespace kpath::kernel

template <> struct fmt::formatter<kpath::kernel::Ipv4Addr> : fmt::formatter<std::string_view> {
  template <typename Ctx> auto format(kpath::kernel::Ipv4Addr a, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "{}.{}.{}.{}", a.v >> 24, (a.v >> 16) & 255, (a.v >> 8) & 255, a.v & 255);
  }
};
template <> struct fmt::formatter<kpath::kernel::Prefix> : fmt::formatter<std::string_view> {
  template <typename Ctx> auto format(const kpath::kernel::Prefix& p, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "{}/{}", p.addr, p.len);
  }
};

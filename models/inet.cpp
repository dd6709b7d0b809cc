#include "models/inet.hpp"
#include <charconv>

namespace kpath::kernel {

static bool parse_octets(std::string_view s, uint32_t out[4], int& n) {
  n = 0;
  size_t i = 0;
  while (true) {
    if (n == 4 || i >= s.size()) return false;
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v, 10);
    if (ec != std::errc() || p == s.data() + i || v > 255) return false;
    if (p - (s.data() + i) > 3) return false;
    out[n++] = v;
    i = static_cast<size_t>(p - s.data());
    if (i == s.size()) return true;
    if (s[i] != '.') return false;
    ++i;
  }
}

std::optional<Ipv4Addr> parse_ipv4(std::string_view s) {
  uint32_t o[4];
  int n;
  if (!parse_octets(s, o, n) || n != 4) return std::nullopt;
  return Ipv4Addr{(o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]};
}

std::optional<Ipv4Addr> parse_ipv4_abbrev(std::string_view s) {
  uint32_t o[4] = {0, 0, 0, 0};
  int n;
  if (!parse_octets(s, o, n) || n < 1) return std::nullopt;
  return Ipv4Addr{(o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]};
}

std::optional<uint32_t> parse_u32(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s.remove_prefix(2); }
  else if (s.size() > 1 && s[0] == '0') { base = 8; s.remove_prefix(1); }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > 0xffffffffull) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::optional<Prefix> parse_prefix(std::string_view s) {
  auto slash = s.find('/');
  auto a = parse_ipv4_abbrev(s.substr(0, slash));
  if (!a) return std::nullopt;
  uint8_t len = 32;
  if (slash != std::string_view::npos) {
    auto lens = s.substr(slash + 1);
    unsigned l = 0;
    auto [p, ec] = std::from_chars(lens.data(), lens.data() + lens.size(), l, 10);
    if (ec != std::errc() || p != lens.data() + lens.size() || lens.empty() || l > 32) {
      // iptables also accepts a dotted netmask: -s 10.0.0.0/255.0.0.0
      auto m = parse_ipv4(lens);
      if (!m) return std::nullopt;
      uint32_t mv = m->v, cnt = 0;
      while (mv & 0x80000000u) { ++cnt; mv <<= 1; }
      if (mv != 0) return std::nullopt;
      l = cnt;
    }
    len = static_cast<uint8_t>(l);
  }
  return Prefix{*a, len};
}

std::string to_string(Ipv4Addr a) { return fmt::format("{}", a); }
std::string to_string(const Prefix& p) { return fmt::format("{}", p); }

}  // namespace kpath::kernel

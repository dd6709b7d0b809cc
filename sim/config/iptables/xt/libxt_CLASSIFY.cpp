// CLASSIFY target (extensions/libxt_CLASSIFY.c): --set-class MAJOR:MINOR (hex, sscanf "%x:%x",
// TC_H_MAKE(major << 16, minor)), printed %04x:%04x. Kernel (xt_CLASSIFY.c): hooks OUTPUT,
// FORWARD and POSTROUTING; it sets skb->priority for the egress qdisc.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"

// Option tables use designated initializers; GCC 12 warns about every member left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kpath::xt {
namespace {

using kernel::XtClassify;

enum { O_SET_CLASS = 0 };
constexpr OptEntry kClassifyOpts[] = {
    {.name = "set-class", .id = O_SET_CLASS, .type = OptType::STRING, .flags = XTOPT_MAND, .expect = "MAJOR:MINOR in hex, e.g. 1:10"},
};

// sscanf("%x"): blanks, an optional sign and 0x, hex digits (unsigned int arithmetic)
bool scan_hex(std::string_view s, size_t& i, uint32_t& v) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < s.size() &&
      std::isxdigit(static_cast<unsigned char>(s[i + 2])))
    i += 2;
  const size_t start = i;
  v = 0;
  for (; i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i])); ++i)
    v = v * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(s[i])) ? s[i] - '0' : std::tolower(s[i]) - 'a' + 10);
  if (neg) v = ~v + 1;
  return i > start;
}

void classify_parse(OptCall& cb, kernel::XtTargetData& d) {
  auto& info = std::get<XtClassify>(d);
  xtables_option_parse(cb);
  size_t i = 0;
  uint32_t major = 0, minor = 0;
  const std::string_view a = cb.arg;
  if (!scan_hex(a, i, major) || i >= a.size() || a[i] != ':' || !scan_hex(a, ++i, minor))
    cb.error(fmt::format("Bad class value \"{}\"", cb.arg));
  info.priority = ((major << 16) & 0xffff0000u) | (minor & 0xffffu);
}

void classify_save(const kernel::XtTargetData& d, const kernel::IptIp&, std::string& out) {
  const auto& c = std::get<XtClassify>(d);
  out += fmt::format(" --set-class {:04x}:{:04x}", c.priority >> 16, c.priority & 0xffff);
}

}  // namespace

extern const TargetExt kClassifyTarget = {
    .name = "CLASSIFY",
    .opts = kClassifyOpts,
    .kreg = {.hooks = (1 << kernel::NF_INET_LOCAL_OUT) | (1 << kernel::NF_INET_FORWARD) | (1 << kernel::NF_INET_POST_ROUTING)},
    .init = [] { return kernel::XtTargetData{XtClassify{}}; },
    .parse = classify_parse,
    .save = classify_save,
    .summary = "CLASSIFY: --set-class MAJOR:MINOR (OUTPUT/FORWARD/POSTROUTING)",
};

}  // namespace kpath::xt

#include "models/devinet.hpp"

namespace kpath::kernel {
std::optional<DevConfKey> devconf_key(std::string_view name) {
  for (size_t i = 0; i < kDevConfCount; ++i)
    if (kDevConfNames[i] == name) return static_cast<DevConfKey>(i);
  return std::nullopt;
}
}  // namespace kpath::kernel

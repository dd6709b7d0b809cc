#include "models/net.hpp"
#include <algorithm>

namespace kpath::kernel {

std::optional<NetSysctlKey> net_sysctl_key(std::string_view name) {
  for (size_t i = 0; i < kNetSysctlCount; ++i)
    if (kNetSysctlNames[i] == name) return static_cast<NetSysctlKey>(i);
  return std::nullopt;
}

void Net::reindex() {
  int maxi = 0;
  for (auto& d : devices) maxi = std::max(maxi, d.ifindex);
  dev_index_.assign(static_cast<size_t>(maxi) + 1, -1);
  for (size_t i = 0; i < devices.size(); ++i) dev_index_[devices[i].ifindex] = static_cast<int>(i);
}

}  // namespace kpath::kernel

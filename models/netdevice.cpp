#include "models/netdevice.hpp"

namespace kpath::kernel {
std::string_view dev_kind_name(DevKind k) {
  switch (k) {
    case DevKind::loopback: return "loopback";
    case DevKind::veth: return "veth";
    case DevKind::dummy: return "dummy";
    case DevKind::bridge: return "bridge";
    case DevKind::ifb: return "ifb";
    case DevKind::other: return "other";
  }
  return "other";
}
}  // namespace kpath::kernel

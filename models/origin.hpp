// Where a config object came from. The model carries it without interpreting it; the sim
// layer maps file_id to a path when it renders ("story.sh:12:1").
#pragma once
#include <cstdint>

namespace kpath::kernel {
struct Origin {
  uint32_t file_id = 0;  // 0 = no source (kernel-created object)
  uint32_t line = 0;
  uint32_t col = 0;
  constexpr bool known() const { return file_id != 0; }
  constexpr auto operator<=>(const Origin&) const = default;
};
}  // namespace kpath::kernel

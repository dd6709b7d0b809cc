// Renderers of an Explanation: text for people, JSON for tools (same records).
#pragma once
#include <string>
#include <nlohmann/json.hpp>
#include "sim/core/diag.hpp"
#include "sim/engine/explain.hpp"

namespace kpath {
std::string render_text(const Explanation& e, const FileTable& files, const kernel::Net& net);
nlohmann::json render_json(const Explanation& e, const FileTable& files, const kernel::Net& net);
}  // namespace kpath

#include "sim/core/diag.hpp"
#include <fmt/format.h>
#include <sstream>

namespace kpath {

uint32_t FileTable::add(std::string path, const std::string& text) {
  File f{std::move(path), {}};
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) f.lines.push_back(line);
  files.push_back(std::move(f));
  return static_cast<uint32_t>(files.size() - 1);
}

std::string FileTable::line_text(SourceLoc loc) const {
  if (loc.file_id == 0 || loc.file_id >= files.size()) return "";
  const auto& f = files[loc.file_id];
  if (loc.line == 0 || loc.line > f.lines.size()) return "";
  return f.lines[loc.line - 1];
}

std::string FileTable::where(SourceLoc loc) const {
  if (loc.file_id == 0) return "<kernel>";
  if (loc.col) return fmt::format("{}:{}:{}", path(loc.file_id), loc.line, loc.col);
  return fmt::format("{}:{}", path(loc.file_id), loc.line);
}

}  // namespace kpath

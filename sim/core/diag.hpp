// Source locations, diagnostics and Result<T>: errors at the boundary carry file:line:column
// and what was expected (STYLE.md rule 10).
#pragma once
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>
#include "models/origin.hpp"

namespace kpath {

using SourceLoc = kernel::Origin;

// Maps SourceLoc::file_id to a path and keeps each file's lines for quoting.
struct FileTable {
  struct File { std::string path; std::vector<std::string> lines; };
  std::vector<File> files{File{"<kernel>", {}}};  // id 0 = no file
  uint32_t add(std::string path, const std::string& text);
  const std::string& path(uint32_t id) const { return files.at(id < files.size() ? id : 0).path; }
  // The source text of a line ("" when unknown).
  std::string line_text(SourceLoc loc) const;
  // "file:line:col" (or "file:line" when col is 0)
  std::string where(SourceLoc loc) const;
};

struct Diagnostic {
  enum class Severity { error, warning, note };
  Severity severity = Severity::error;
  SourceLoc loc;
  std::string message;
};

// Thrown by importers and the compiler; caught at the CLI boundary (exit 2).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(SourceLoc loc, std::string msg) : std::runtime_error(msg), loc_(loc) {}
  SourceLoc loc() const { return loc_; }
 private:
  SourceLoc loc_;
};

// Value or diagnostic, like absl::StatusOr. value() throws for tests and the boundary.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(Diagnostic d) : v_(std::move(d)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const Diagnostic& error() const { return std::get<1>(v_); }
  T& value() & {
    if (!ok()) throw ConfigError(error().loc, error().message);
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!ok()) throw ConfigError(error().loc, error().message);
    return std::move(std::get<0>(v_));
  }
  T* operator->() { return &value(); }
 private:
  std::variant<T, Diagnostic> v_;
};

}  // namespace kpath

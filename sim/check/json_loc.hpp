// A JSON reader that keeps where every value and key came from (STYLE.md rule 20: strict input,
// errors with file:line:column). nlohmann_json 3.11 reports no positions for values, so input
// files kpath users write by hand (expectations) are read with this small parser and converted
// by hand-written from_json functions that reject unknown keys and wrong types at their place.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "sim/core/diag.hpp"

namespace kpath {

struct JsonNode {
  enum class Kind : uint8_t { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  size_t offset = 0;           // byte offset of the value's first character in the text
  bool boolean = false;
  std::string text;            // string value (unescaped), or the number as written
  bool plain_string = true;    // the string had no escapes: offset + 1 + i is character i
  std::vector<JsonNode> items; // array elements
  struct Member;
  std::vector<Member> members; // object members, in file order

  const JsonNode* find(std::string_view key) const;
  static std::string_view kind_name(Kind k);
};
struct JsonNode::Member {
  std::string key;
  size_t key_offset = 0;       // offset of the key's opening quote
  JsonNode value;
};

// A parsed document: the text, the FileTable id it was registered under, the root.
class JsonDoc {
 public:
  // Parses `text` (registered as `file_id`); throws ConfigError at the offending character.
  JsonDoc(std::string text, uint32_t file_id);
  const JsonNode& root() const { return root_; }
  uint32_t file_id() const { return file_id_; }
  // Line and column (1-based, columns in bytes like the caret printer) of a text offset.
  SourceLoc loc(size_t offset) const;
  SourceLoc loc(const JsonNode& n) const { return loc(n.offset); }
  [[noreturn]] void fail(size_t offset, const std::string& msg) const { throw ConfigError(loc(offset), msg); }
  [[noreturn]] void fail(const JsonNode& n, const std::string& msg) const { fail(n.offset, msg); }

  // Typed accessors: each fails at the value with "expected ..." when the type is wrong.
  const std::string& as_string(const JsonNode& n, std::string_view what, std::string_view alternatives = {}) const;
  uint64_t as_uint(const JsonNode& n, std::string_view what, uint64_t max) const;
  bool as_bool(const JsonNode& n, std::string_view what) const;
  const std::vector<JsonNode::Member>& as_object(const JsonNode& n, std::string_view what, std::string_view alternatives = {}) const;
  const std::vector<JsonNode>& as_array(const JsonNode& n, std::string_view what) const;
  // Rejects a member whose key is not in `allowed`, naming the allowed keys.
  void check_keys(const JsonNode& obj, std::initializer_list<std::string_view> allowed, std::string_view where) const;

 private:
  std::string text_;
  uint32_t file_id_;
  std::vector<size_t> line_starts_;
  JsonNode root_;
};

}  // namespace kpath

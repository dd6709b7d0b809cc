#include "sim/check/json_loc.hpp"
#include <fmt/format.h>
#include <algorithm>

namespace kpath {

const JsonNode* JsonNode::find(std::string_view key) const {
  for (auto& m : members) if (m.key == key) return &m.value;
  return nullptr;
}

std::string_view JsonNode::kind_name(Kind k) {
  switch (k) {
    case Kind::null: return "null";
    case Kind::boolean: return "a boolean";
    case Kind::number: return "a number";
    case Kind::string: return "a string";
    case Kind::array: return "an array";
    case Kind::object: return "an object";
  }
  return "?";
}

namespace {

// RFC 8259 recursive descent; depth-limited so hostile input cannot exhaust the stack.
class Parser {
 public:
  Parser(const std::string& s, const JsonDoc& doc) : s_(s), doc_(doc) {}

  JsonNode document() {
    skip_ws();
    if (eof()) doc_.fail(pos_, "empty JSON document; expected an object like {\"cases\": [...]}");
    JsonNode n = value(0);
    skip_ws();
    if (!eof()) doc_.fail(pos_, fmt::format("unexpected {} after the JSON value; expected the end of the file", describe()));
    return n;
  }

 private:
  const std::string& s_;
  const JsonDoc& doc_;
  size_t pos_ = 0;

  bool eof() const { return pos_ >= s_.size(); }
  char at() const { return eof() ? '\0' : s_[pos_]; }
  void skip_ws() {
    while (!eof() && (at() == ' ' || at() == '\t' || at() == '\n' || at() == '\r')) ++pos_;
  }
  std::string describe() const {
    if (eof()) return "end of file";
    const unsigned char c = static_cast<unsigned char>(at());
    if (c < 0x20) return fmt::format("control character 0x{:02x}", c);
    return fmt::format("\"{}\"", s_.substr(pos_, 1));
  }
  [[noreturn]] void expected(std::string_view what) const { doc_.fail(pos_, fmt::format("unexpected {}; expected {}", describe(), what)); }

  JsonNode value(int depth) {
    if (depth > 128) doc_.fail(pos_, "JSON nested too deeply (more than 128 levels)");
    JsonNode n;
    n.offset = pos_;
    switch (at()) {
      case '{': object(n, depth); break;
      case '[': array(n, depth); break;
      case '"': n.kind = JsonNode::Kind::string; n.text = string(n.plain_string); break;
      case 't': literal("true"); n.kind = JsonNode::Kind::boolean; n.boolean = true; break;
      case 'f': literal("false"); n.kind = JsonNode::Kind::boolean; break;
      case 'n': literal("null"); n.kind = JsonNode::Kind::null; break;
      default:
        if (at() == '-' || (at() >= '0' && at() <= '9')) { n.kind = JsonNode::Kind::number; n.text = number(); break; }
        expected("a JSON value (object, array, string, number, true, false or null)");
    }
    return n;
  }

  void literal(std::string_view w) {
    if (s_.compare(pos_, w.size(), w) != 0) expected("a JSON value (object, array, string, number, true, false or null)");
    pos_ += w.size();
  }

  void object(JsonNode& n, int depth) {
    n.kind = JsonNode::Kind::object;
    ++pos_;
    skip_ws();
    if (at() == '}') { ++pos_; return; }
    for (;;) {
      skip_ws();
      if (at() != '"') expected(n.members.empty() ? "a key in double quotes or \"}\"" : "a key in double quotes");
      JsonNode::Member m;
      m.key_offset = pos_;
      bool plain = true;
      m.key = string(plain);
      for (auto& o : n.members)
        if (o.key == m.key) doc_.fail(m.key_offset, fmt::format("duplicate key \"{}\" (first at line {})", m.key, doc_.loc(o.key_offset).line));
      skip_ws();
      if (at() != ':') expected(fmt::format("\":\" after the key \"{}\"", m.key));
      ++pos_;
      skip_ws();
      m.value = value(depth + 1);
      n.members.push_back(std::move(m));
      skip_ws();
      if (at() == ',') { ++pos_; continue; }
      if (at() == '}') { ++pos_; return; }
      expected("\",\" or \"}\"");
    }
  }

  void array(JsonNode& n, int depth) {
    n.kind = JsonNode::Kind::array;
    ++pos_;
    skip_ws();
    if (at() == ']') { ++pos_; return; }
    for (;;) {
      skip_ws();
      n.items.push_back(value(depth + 1));
      skip_ws();
      if (at() == ',') { ++pos_; continue; }
      if (at() == ']') { ++pos_; return; }
      expected("\",\" or \"]\"");
    }
  }

  static void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) { out += static_cast<char>(0xc0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3f)); }
    else if (cp < 0x10000) { out += static_cast<char>(0xe0 | (cp >> 12)); out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f)); out += static_cast<char>(0x80 | (cp & 0x3f)); }
    else { out += static_cast<char>(0xf0 | (cp >> 18)); out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f)); out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f)); out += static_cast<char>(0x80 | (cp & 0x3f)); }
  }

  uint32_t hex4() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = at();
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else expected("4 hex digits after \\u");
      ++pos_;
    }
    return v;
  }

  std::string string(bool& plain) {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (eof()) doc_.fail(pos_, "unterminated string; expected a closing \"");
      const char c = at();
      if (c == '"') { ++pos_; return out; }
      if (static_cast<unsigned char>(c) < 0x20) expected("a closing \" (control characters must be escaped, e.g. \\n)");
      if (c != '\\') { out += c; ++pos_; continue; }
      plain = false;
      ++pos_;
      const char e = at();
      ++pos_;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (at() != '\\' || pos_ + 1 >= s_.size() || s_[pos_ + 1] != 'u') expected("a low surrogate \\uDC00-\\uDFFF");
            pos_ += 2;
            const uint32_t lo = hex4();
            if (lo < 0xdc00 || lo > 0xdfff) doc_.fail(pos_ - 6, "expected a low surrogate \\uDC00-\\uDFFF");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          utf8(out, cp);
          break;
        }
        default:
          --pos_;
          expected("an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
      }
    }
  }

  std::string number() {
    const size_t start = pos_;
    if (at() == '-') ++pos_;
    if (at() == '0') ++pos_;
    else if (at() >= '1' && at() <= '9') while (at() >= '0' && at() <= '9') ++pos_;
    else expected("a digit");
    if (at() == '.') {
      ++pos_;
      if (!(at() >= '0' && at() <= '9')) expected("a digit after \".\"");
      while (at() >= '0' && at() <= '9') ++pos_;
    }
    if (at() == 'e' || at() == 'E') {
      ++pos_;
      if (at() == '+' || at() == '-') ++pos_;
      if (!(at() >= '0' && at() <= '9')) expected("a digit in the exponent");
      while (at() >= '0' && at() <= '9') ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }
};

}  // namespace

JsonDoc::JsonDoc(std::string text, uint32_t file_id) : text_(std::move(text)), file_id_(file_id) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  Parser p(text_, *this);
  root_ = p.document();
}

SourceLoc JsonDoc::loc(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based
  const size_t col = offset - line_starts_[line - 1] + 1;
  return SourceLoc{file_id_, static_cast<uint32_t>(line), static_cast<uint32_t>(col)};
}

const std::string& JsonDoc::as_string(const JsonNode& n, std::string_view what, std::string_view alternatives) const {
  if (n.kind != JsonNode::Kind::string) fail(n, fmt::format("{} must be a string{}, not {}", what, alternatives, JsonNode::kind_name(n.kind)));
  return n.text;
}

uint64_t JsonDoc::as_uint(const JsonNode& n, std::string_view what, uint64_t max) const {
  if (n.kind != JsonNode::Kind::number) fail(n, fmt::format("{} must be a number, not {}", what, JsonNode::kind_name(n.kind)));
  if (n.text.find_first_of(".eE") != std::string::npos || n.text[0] == '-')
    fail(n, fmt::format("{} must be a whole number 0-{}, not {}", what, max, n.text));
  if (n.text.size() > 20) fail(n, fmt::format("{} is out of range; expected 0-{}", what, max));
  uint64_t v = 0;
  for (char c : n.text) {
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) fail(n, fmt::format("{} is out of range: {}; expected 0-{}", what, n.text, max));
    v = v * 10 + d;
  }
  return v;
}

bool JsonDoc::as_bool(const JsonNode& n, std::string_view what) const {
  if (n.kind != JsonNode::Kind::boolean) fail(n, fmt::format("{} must be true or false, not {}", what, JsonNode::kind_name(n.kind)));
  return n.boolean;
}

const std::vector<JsonNode::Member>& JsonDoc::as_object(const JsonNode& n, std::string_view what, std::string_view alternatives) const {
  if (n.kind != JsonNode::Kind::object) fail(n, fmt::format("{} must be an object{}, not {}", what, alternatives, JsonNode::kind_name(n.kind)));
  return n.members;
}

const std::vector<JsonNode>& JsonDoc::as_array(const JsonNode& n, std::string_view what) const {
  if (n.kind != JsonNode::Kind::array) fail(n, fmt::format("{} must be an array, not {}", what, JsonNode::kind_name(n.kind)));
  return n.items;
}

void JsonDoc::check_keys(const JsonNode& obj, std::initializer_list<std::string_view> allowed, std::string_view where) const {
  for (auto& m : obj.members) {
    if (std::find(allowed.begin(), allowed.end(), m.key) != allowed.end()) continue;
    std::string list;
    for (auto k : allowed) list += (list.empty() ? "" : ", ") + std::string(k);
    fail(m.key_offset, fmt::format("unknown key \"{}\" in {}; expected one of: {}", m.key, where, list));
  }
}

}  // namespace kpath

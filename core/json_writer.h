// Streaming JSON output into a caller-owned std::string.
//
// The writer only appends: it never clears or shrinks `out`, so a caller that
// reuses one string per connection (clear() between responses keeps its
// capacity) allocates nothing in steady state. Integers are formatted with
// std::to_chars, without allocation.
//
// Output is always valid UTF-8: bytes in keys and strings that are not
// well-formed UTF-8 are replaced by U+FFFD, one per maximal invalid subpart
// (see core/utf8.h). Escaping: `"` `\` and control characters (the short
// forms \b \f \n \r \t, else \u00XX), DEL as \u007f, and U+2028/U+2029 as
// \u2028/\u2029 so the output is also safe inside a JavaScript string.
//
// Not thread-safe; a writer and its string belong to one thread. The writer
// holds a reference to `out`, which must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keel::core {

// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string& out, std::string_view s);

class JsonWriter {
 public:
  // Deepest nesting of objects and arrays the writer tracks. It uses a fixed
  // bit stack, no heap; nesting deeper is a programming error (asserted in
  // debug builds; release builds keep writing but commas may be wrong).
  static constexpr int kMaxDepth = 64;

  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  // Commas between values and members are inserted automatically. Inside an
  // object, each value must be preceded by Key(). The caller keeps Begin/End
  // balanced; the writer does not check document structure beyond commas.
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Bool(bool v);
  void Null();
  // Appends `json` as one value without checking it; it must already be valid
  // JSON text (e.g. a stored, pre-encoded user document).
  void Raw(std::string_view json);

  // Current nesting depth: 0 at top level.
  int depth() const { return depth_; }

 private:
  // Writes the separator a new value needs at the current position.
  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);

  std::string& out_;
  int depth_ = 0;
  // Bit d set: the container at depth d (1-based) already holds a member.
  uint64_t has_member_ = 0;
  // Set by Key(): the next value follows a ':' and needs no comma.
  bool after_key_ = false;
};

}  // namespace keel::core

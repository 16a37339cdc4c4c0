// A small JSON reader for checking API answers in integration tests.
//
// Strict RFC 8259: one value, nothing after it but whitespace; strings must
// be valid UTF-8 without raw control characters; \uXXXX escapes (surrogate
// pairs included) become UTF-8; an object with a repeated key is an error
// (keel must never send one). Written for clarity, not speed. Values are
// plain data: copyable, no shared state, usable from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keel::integration {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  // The value `text` holds, or nullopt with the reason in *error.
  static std::optional<JsonValue> Parse(std::string_view text, std::string* error = nullptr);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool boolean() const { return boolean_; }
  // kString: the unescaped UTF-8 text. kNumber: the number as written.
  const std::string& text() const { return text_; }
  // kNumber written as an integer that fits int64_t; otherwise nullopt.
  std::optional<int64_t> AsInt() const;
  const std::vector<JsonValue>& items() const { return items_; }           // kArray
  const std::vector<std::pair<std::string, JsonValue>>& members() const {  // kObject
    return members_;
  }

  // The member named `key` of an object; nullptr if absent or not an object.
  const JsonValue* Find(std::string_view key) const;
  // A member's string (or integer); nullopt if absent or of another type.
  std::optional<std::string> GetString(std::string_view key) const;
  std::optional<int64_t> GetInt(std::string_view key) const;

 private:
  friend class JsonParser;

  Type type_ = Type::kNull;
  bool boolean_ = false;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

}  // namespace keel::integration

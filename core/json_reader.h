// Reading JSON request bodies: a thin layer over simdjson's On-Demand parser
// that yields the members of a top-level object one at a time, each already
// read into a plain value with typed accessors whose errors name the field
// ("email must be a string").
//
//   core::JsonReader& reader = worker_json_reader;  // one per worker thread
//   if (core::Status s = reader.ParseObject(body, padded); !s.ok()) return s;
//   core::JsonField f;
//   while (reader.NextField(f)) {
//     if (f.name() == "email") { auto r = f.GetString(); ... }
//     else return f.Unknown();
//   }
//   if (!reader.status().ok()) return reader.status();
//
// Every error is Status::InvalidArgument with a message fit for a 400 body,
// except a failed allocation inside the parser (Status::Unavailable).
//
// Validation: the whole body is checked, whether or not the caller looks at
// a member: JSON syntax, UTF-8, string escapes (lone surrogates are errors),
// number syntax, no trailing content, nesting at most kMaxNesting. Numbers
// that do not fit a double (1e999) are rejected. Duplicate keys are passed
// through in order; rejecting them is the caller's choice.
//
// Lifetime: names and string values are std::string_views into the reader's
// parser (the unescaped copies simdjson makes); they stay valid until the
// next ParseObject() or the reader's destruction, and never point into the
// body, so the body may be released after parsing. The body itself must stay
// alive and unchanged until NextField() has returned false.
//
// Threads: a reader is used by one thread at a time. Memory: the parser's
// buffers and the padding scratch grow to the largest body seen (rounded up
// to a power of two) and are reused, so steady-state parsing does not
// allocate. Only error Statuses allocate (their message), and a number
// whose exponent has more than 19 digits (simdjson refuses those, so the
// reader checks the token itself, on a copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/status.h"

namespace keel::core {

enum class JsonType : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

// One member of the parsed top-level object. A plain value: copying it and
// calling accessors repeatedly is fine. Views live as described above.
class JsonField {
 public:
  std::string_view name() const { return name_; }
  JsonType type() const { return type_; }
  bool is_null() const { return type_ == JsonType::kNull; }

  // The unescaped string. Error: "<name> must be a string". The value may
  // contain any code point, including U+0000 (from \u0000).
  Result<std::string_view> GetString() const;
  // Errors: "<name> must be an integer" (not a number, or has a fraction or
  // exponent), "<name> is out of range" (an integer beyond int64).
  Result<int64_t> GetInt64() const;
  // Error: "<name> must be a boolean".
  Result<bool> GetBool() const;

  // InvalidArgument("unknown field: <name>"), for rejecting unexpected keys.
  Status Unknown() const;

 private:
  friend class JsonReader;
  enum class Number : uint8_t { kInteger, kNotInteger, kOutOfRange };

  Status TypeError(std::string_view what) const;

  std::string_view name_;
  JsonType type_ = JsonType::kNull;
  Number number_ = Number::kInteger;
  bool bool_ = false;
  int64_t int_ = 0;
  std::string_view string_;
};

class JsonReader {
 public:
  // Bytes that must be readable after a body for the in-place (no copy)
  // parse; equal to simdjson::SIMDJSON_PADDING (checked in the .cc).
  static constexpr size_t kPadding = 64;
  // Deepest nesting of arrays/objects accepted, counting the top level.
  static constexpr int kMaxNesting = 32;

  JsonReader();
  ~JsonReader();
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  // Starts reading `body`, whose top level must be an object ("body must be
  // a JSON object" otherwise). With `body_padded` the caller promises that
  // kPadding readable bytes (any content) follow body.data() + body.size():
  // the body is parsed in place. Otherwise it is first copied into a reused
  // padded scratch buffer. Errors found later are reported by NextField.
  Status ParseObject(std::string_view body, bool body_padded);

  // Reads the next member into `field` and returns true; returns false at
  // the end of the object or on an error, after which status() tells which.
  // Returns false at once if ParseObject failed or was not called.
  bool NextField(JsonField& field);

  // OK while reading and after a clean end; the error otherwise.
  const Status& status() const { return status_; }

  // Calls fn(const JsonField&) -> Status for each member; stops at and
  // returns the first non-OK Status, from fn or from the reader.
  template <typename Fn>
  Status ForEachField(Fn&& fn) {
    JsonField field;
    while (NextField(field)) {
      Status s = fn(static_cast<const JsonField&>(field));
      if (!s.ok()) return s;
    }
    return status_;
  }

 private:
  struct Impl;  // keeps simdjson.h (30k lines) out of every includer

  std::unique_ptr<Impl> impl_;
  Status status_;
};

}  // namespace keel::core

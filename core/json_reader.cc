#include "core/json_reader.h"

#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace keel::core {

namespace od = simdjson::ondemand;
using simdjson::error_code;

static_assert(JsonReader::kPadding == simdjson::SIMDJSON_PADDING,
              "JsonReader::kPadding must match simdjson's padding");

namespace {

// Field names in messages come from the client; cap them so an error body
// stays small. Cut on a code point boundary so the message stays UTF-8.
std::string_view ShortName(std::string_view name) {
  constexpr size_t kMaxShown = 64;
  if (name.size() <= kMaxShown) return name;
  size_t n = kMaxShown;
  while (n > 0 && (static_cast<uint8_t>(name[n]) & 0xC0) == 0x80) --n;
  return name.substr(0, n);
}

Status ErrorFor(error_code e) {
  switch (e) {
    case simdjson::EMPTY:
      return Status::InvalidArgument("body must be a JSON object");
    case simdjson::UTF8_ERROR:
      return Status::InvalidArgument("body is not valid UTF-8");
    case simdjson::DEPTH_ERROR:
      return Status::InvalidArgument("body is nested too deeply");
    case simdjson::MEMALLOC:
    case simdjson::CAPACITY:
      return Status::Unavailable("out of memory parsing JSON");
    default:
      return Status::InvalidArgument("body is not valid JSON");
  }
}

// True for a JSON number token (RFC 8259 section 6) whose value is a finite
// double: "-0.5e-3", not "01", "1.", "+1" or "1e999".
bool IsFiniteJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.' && (++i, !digits())) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  if (i != t.size()) return false;
  const std::string copy(t);  // strtod wants a terminated string
  return std::isfinite(std::strtod(copy.c_str(), nullptr));
}

// Reads (validates) a number as a double. simdjson 3.0 refuses any exponent
// of more than 19 digits, even "1.5e0000000000000000000001" (15) or
// "1e-99999999999999999999" (0). RFC 8259 lets a parser limit a number's
// range, not its spelling, so such a token gets a second, slower look here:
// valid syntax with a finite value passes. The value stays unread, which
// the iterators skip; callers only need to know that it is valid.
error_code ReadDouble(od::value& v) {
  double d;
  const error_code e = v.get_double().get(d);
  if (e != simdjson::NUMBER_ERROR) return e;
  std::string_view token = v.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                            token.back() == '\r')) {
    token.remove_suffix(1);
  }
  return IsFiniteJsonNumber(token) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
}

error_code SkipValue(od::value& v, int depth);

error_code SkipObject(od::object& obj, int depth) {
  od::object_iterator it, end;
  if (auto e = obj.begin().get(it)) return e;
  if (auto e = obj.end().get(end)) return e;
  for (; it != end; ++it) {
    od::field field;
    if (auto e = (*it).get(field)) return e;
    std::string_view key;  // unescaping validates the key's escapes
    if (auto e = field.unescaped_key().get(key)) return e;
    if (auto e = SkipValue(field.value(), depth)) return e;
  }
  return simdjson::SUCCESS;
}

error_code SkipArray(od::array& arr, int depth) {
  od::array_iterator it, end;
  if (auto e = arr.begin().get(it)) return e;
  if (auto e = arr.end().get(end)) return e;
  for (; it != end; ++it) {
    od::value element;
    if (auto e = (*it).get(element)) return e;
    if (auto e = SkipValue(element, depth)) return e;
  }
  return simdjson::SUCCESS;
}

// Consumes `v` completely. On-Demand would otherwise skip an unread value by
// counting brackets, without checking what is inside; reading everything
// makes "the body is valid JSON" true whatever the caller looks at. `depth`
// is the nesting level of `v` itself (the top-level object is 1).
error_code SkipValue(od::value& v, int depth) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  switch (type) {
    case od::json_type::object: {
      if (depth > JsonReader::kMaxNesting) return simdjson::DEPTH_ERROR;
      od::object obj;
      if (auto e = v.get_object().get(obj)) return e;
      return SkipObject(obj, depth + 1);
    }
    case od::json_type::array: {
      if (depth > JsonReader::kMaxNesting) return simdjson::DEPTH_ERROR;
      od::array arr;
      if (auto e = v.get_array().get(arr)) return e;
      return SkipArray(arr, depth + 1);
    }
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s);
    }
    case od::json_type::number:
      return ReadDouble(v);
    case od::json_type::boolean: {
      bool b;
      return v.get_bool().get(b);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

size_t RoundUpCapacity(size_t n) { return std::bit_ceil(n < 4096 ? size_t{4096} : n); }

}  // namespace

struct JsonReader::Impl {
  od::parser parser;
  od::document doc;
  od::object object;
  od::object_iterator it;
  od::object_iterator end;
  // Padded copy of a body that has no readable bytes after it.
  std::string scratch;
  bool active = false;   // a parse is in progress and may yield fields
  bool started = false;  // `it` points at a member already returned

  error_code Start(std::string_view body, bool body_padded);
  error_code Read(JsonField& field);
  error_code Finish();
};

error_code JsonReader::Impl::Start(std::string_view body, bool body_padded) {
  // An empty view may have a null data(); never hand that to simdjson.
  if (body.empty()) return simdjson::EMPTY;
  // simdjson allocates for exactly the body's size when it grows; growing in
  // powers of two instead keeps reallocation rare as sizes creep upward.
  if (body.size() > parser.capacity()) {
    if (auto e = parser.allocate(RoundUpCapacity(body.size()), parser.max_depth())) return e;
  }
  simdjson::padded_string_view json;
  if (body_padded) {
    json = simdjson::padded_string_view(body.data(), body.size(), body.size() + kPadding);
  } else {
    const size_t need = body.size() + kPadding;
    if (scratch.capacity() < need) scratch.reserve(RoundUpCapacity(need));
    // The padding's content does not matter to simdjson; resize only makes
    // the bytes part of the string so reading them is defined.
    scratch.resize(need);
    std::memcpy(scratch.data(), body.data(), body.size());
    json = simdjson::padded_string_view(scratch.data(), body.size(), need);
  }
  if (auto e = parser.iterate(json).get(doc)) return e;
  if (auto e = doc.get_object().get(object)) return e;
  if (auto e = object.begin().get(it)) return e;
  return object.end().get(end);
}

error_code JsonReader::Impl::Read(JsonField& field) {
  od::field member;
  if (auto e = (*it).get(member)) return e;
  if (auto e = member.unescaped_key().get(field.name_)) return e;
  od::value& v = member.value();
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  field.string_ = {};
  switch (type) {
    case od::json_type::string:
      field.type_ = JsonType::kString;
      return v.get_string().get(field.string_);
    case od::json_type::number: {
      field.type_ = JsonType::kNumber;
      field.number_ = JsonField::Number::kInteger;
      if (v.get_int64().get(field.int_) == simdjson::SUCCESS) return simdjson::SUCCESS;
      // A failed get_int64 leaves the value unread. simdjson reports both
      // "1.5" and "9223372036854775808" as INCORRECT_TYPE, so ask whether
      // the text has integer syntax, then read it as a double to validate
      // it and move past it.
      bool integer_syntax = false;
      if (auto e = v.is_integer().get(integer_syntax)) return e;
      field.number_ =
          integer_syntax ? JsonField::Number::kOutOfRange : JsonField::Number::kNotInteger;
      return ReadDouble(v);
    }
    case od::json_type::boolean:
      field.type_ = JsonType::kBool;
      return v.get_bool().get(field.bool_);
    case od::json_type::null:
      field.type_ = JsonType::kNull;
      return SkipValue(v, 2);
    case od::json_type::object:
      field.type_ = JsonType::kObject;
      return SkipValue(v, 2);
    case od::json_type::array:
      field.type_ = JsonType::kArray;
      return SkipValue(v, 2);
  }
  return simdjson::TAPE_ERROR;
}

// Called when the object has no more members: anything but the end of the
// input after the closing brace is an error.
error_code JsonReader::Impl::Finish() {
  const char* trailing = nullptr;
  const error_code e = doc.current_location().get(trailing);
  if (e == simdjson::OUT_OF_BOUNDS) return simdjson::SUCCESS;
  return e ? e : simdjson::TRAILING_CONTENT;
}

JsonReader::JsonReader() : impl_(std::make_unique<Impl>()) {}
JsonReader::~JsonReader() = default;

Status JsonReader::ParseObject(std::string_view body, bool body_padded) {
  impl_->active = false;
  impl_->started = false;
  status_ = Status::Ok();
  const error_code e = impl_->Start(body, body_padded);
  if (e == simdjson::INCORRECT_TYPE) {
    status_ = Status::InvalidArgument("body must be a JSON object");
  } else if (e) {
    status_ = ErrorFor(e);
  } else {
    impl_->active = true;
  }
  return status_;
}

bool JsonReader::NextField(JsonField& field) {
  if (!impl_->active) return false;
  // Same order as a range-for over an On-Demand object: advance past the
  // previous member, test for the end, then read the member.
  if (impl_->started) ++impl_->it;
  impl_->started = true;
  error_code e = simdjson::SUCCESS;
  if (impl_->it != impl_->end) {
    e = impl_->Read(field);
    if (e == simdjson::SUCCESS) return true;
  } else {
    e = impl_->Finish();
  }
  impl_->active = false;
  if (e) status_ = ErrorFor(e);
  return false;
}

Status JsonField::TypeError(std::string_view what) const {
  std::string msg(ShortName(name_));
  msg.append(what);
  return Status::InvalidArgument(msg);
}

Result<std::string_view> JsonField::GetString() const {
  if (type_ != JsonType::kString) return TypeError(" must be a string");
  return string_;
}

Result<int64_t> JsonField::GetInt64() const {
  if (type_ != JsonType::kNumber || number_ == Number::kNotInteger) {
    return TypeError(" must be an integer");
  }
  if (number_ == Number::kOutOfRange) return TypeError(" is out of range");
  return int_;
}

Result<bool> JsonField::GetBool() const {
  if (type_ != JsonType::kBool) return TypeError(" must be a boolean");
  return bool_;
}

Status JsonField::Unknown() const {
  std::string msg("unknown field: ");
  msg.append(ShortName(name_));
  return Status::InvalidArgument(msg);
}

}  // namespace keel::core

// Fuzzes JSON in and out: core::JsonReader, every request-body validator in
// api/validation.h, and core::JsonWriter.
//
// Input: the low two bits of byte 0 pick the mode, bit 2 says whether the
// body is parsed in place (padded) or copied; the rest is the payload.
//   0  validators: the payload is a request body given to ParseSignUp,
//      ParseUserPut, ParseUserPatch, ParseLogin, ParsePasswordChange and
//      ParseRefreshToken. What they accept must pass the field rules, and
//      a body that is not acceptable JSON must fail them all.
//   1  reader: JsonReader accepts the payload exactly when the reference
//      checker (json_reference.h) does; every string it yields is UTF-8;
//      the members written back with JsonWriter parse to the same values.
//   2  writer strings: the payload, written as a key and as a string, is
//      valid UTF-8 and reads back as itself (invalid UTF-8 as U+FFFD).
//   3  writer integers: 8-byte groups of the payload written with Int and
//      Uint read back as the same numbers.
// Every error message must be UTF-8 too, since it goes into a 400 body.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "api/validation.h"
#include "core/json_reader.h"
#include "core/json_writer.h"
#include "core/utf8.h"
#include "http/request.h"
#include "tests/fuzz/check.h"
#include "tests/fuzz/json_reference.h"

namespace {

using keel::core::JsonField;
using keel::core::JsonReader;
using keel::core::JsonType;
using keel::core::JsonWriter;
using keel::core::Status;

using keel::fuzz::Check;

void CheckError(const Status& s) {
  Check(!s.message().empty(), "error without a message");
  Check(keel::core::IsValidUtf8(s.message()), "error message is not UTF-8", s.message());
}

template <typename T>
bool Accepted(const keel::core::Result<T>& r) {
  if (!r.ok()) CheckError(r.status());
  return r.ok();
}

bool Valid(const Status& s) { return s.ok(); }

// A body with room after it, as the session provides when it can.
struct Body {
  std::string storage;
  std::string_view view;
  Body(std::string_view payload, bool padded) {
    storage.assign(payload);
    storage.append(padded ? JsonReader::kPadding : 0, 'x');
    view = std::string_view(storage.data(), payload.size());
  }
};

void FuzzValidators(std::string_view payload, bool padded) {
  Body body(payload, padded);
  static const keel::http::Header kJson[] = {{"Content-Type", "application/json"}};
  // The body parsers use the worker's reader, as a served request would.
  static JsonReader worker_reader;
  keel::http::Request req;
  req.json = &worker_reader;
  req.headers = kJson;
  req.body = body.view;
  req.body_padded = padded;
  Check(keel::api::IsJsonContentType(req), "application/json refused");
  const bool json_ok = keel::fuzz::IsAcceptableJsonObject(payload, JsonReader::kMaxNesting);
  namespace api = keel::api;

  // The field rules on their own, on raw bytes (the parsers only hand
  // them decoded JSON strings).
  if (Valid(api::ValidateEmail(payload))) {
    Check(payload.size() <= 254 && payload.find('@') != std::string_view::npos &&
              payload.find('@') == payload.rfind('@'),
          "ValidateEmail accepted a bad address", payload);
  }
  if (Valid(api::ValidateName(payload)))
    Check(keel::core::IsValidUtf8(payload), "ValidateName accepted bad UTF-8", payload);
  if (Status s = api::ValidateRole(payload); !s.ok()) CheckError(s);
  if (Status s = api::ValidatePassword(payload); !s.ok()) CheckError(s);

  auto signup = api::ParseSignUp(req);
  if (Accepted(signup)) {
    const api::SignUpBody& b = signup.value();
    Check(Valid(api::ValidateEmail(b.email)) && Valid(api::ValidateName(b.name)) &&
              Valid(api::ValidatePassword(b.password)),
          "sign-up accepted a bad field");
  }
  auto put = api::ParseUserPut(req);
  if (Accepted(put)) {
    const api::UserChanges& c = put.value();
    Check(c.email && c.name, "PUT accepted without email and name");
    Check(Valid(api::ValidateEmail(*c.email)) && Valid(api::ValidateName(*c.name)),
          "PUT accepted a bad field");
    Check(!c.role || Valid(api::ValidateRole(*c.role)), "PUT accepted a bad role");
  }
  auto patch = api::ParseUserPatch(req);
  if (Accepted(patch)) {
    const api::UserChanges& c = patch.value();
    Check(!c.email || Valid(api::ValidateEmail(*c.email)), "PATCH accepted a bad email");
    Check(!c.name || Valid(api::ValidateName(*c.name)), "PATCH accepted a bad name");
    Check(!c.role || Valid(api::ValidateRole(*c.role)), "PATCH accepted a bad role");
  }
  auto login = api::ParseLogin(req);
  bool login_ok = Accepted(login);
  auto password = api::ParsePasswordChange(req);
  if (Accepted(password)) {
    Check(Valid(api::ValidatePassword(password.value().new_password, "new_password")),
          "password change accepted a bad new_password");
  }
  auto refresh = api::ParseRefreshToken(req);
  bool refresh_ok = Accepted(refresh);
  if (!json_ok) {
    Check(!signup.ok() && !put.ok() && !patch.ok() && !login_ok && !password.ok() && !refresh_ok,
          "a validator accepted a body that is not acceptable JSON", payload);
  }
}

// One member as read, copied out of the reader.
struct Member {
  std::string name;
  JsonType type;
  std::string text;      // strings
  int64_t number = 0;    // integers
  bool integer = false;  // GetInt64 succeeded
  bool boolean = false;
  bool operator==(const Member&) const = default;
};

// Reads every member, trying every accessor. Returns false when the reader
// refused the text.
bool ReadAll(JsonReader& reader, std::string_view text, bool padded, std::vector<Member>& out) {
  out.clear();
  Status s = reader.ParseObject(text, padded);
  if (!s.ok()) {
    CheckError(s);
    return false;
  }
  JsonField f;
  while (reader.NextField(f)) {
    Check(keel::core::IsValidUtf8(f.name()), "member name is not UTF-8", f.name());
    Member m;
    m.name = f.name();
    m.type = f.type();
    auto str = f.GetString();
    auto num = f.GetInt64();
    auto boolean = f.GetBool();
    Check(str.ok() == (m.type == JsonType::kString), "GetString disagrees with type()");
    Check(boolean.ok() == (m.type == JsonType::kBool), "GetBool disagrees with type()");
    Check(!num.ok() || m.type == JsonType::kNumber, "GetInt64 succeeded on a non-number");
    if (str.ok()) {
      Check(keel::core::IsValidUtf8(str.value()), "string value is not UTF-8", str.value());
      m.text = str.value();
    } else {
      CheckError(str.status());
    }
    if (num.ok()) {
      m.integer = true;
      m.number = num.value();
    } else {
      CheckError(num.status());
    }
    if (boolean.ok()) m.boolean = boolean.value();
    CheckError(f.Unknown());
    out.push_back(std::move(m));
  }
  if (!reader.status().ok()) {
    CheckError(reader.status());
    return false;
  }
  return true;
}

void FuzzReader(std::string_view payload, bool padded) {
  static JsonReader reader, again;
  Body body(payload, padded);
  std::vector<Member> members;
  const bool accepted = ReadAll(reader, body.view, padded, members);
  const bool expected = keel::fuzz::IsAcceptableJsonObject(payload, JsonReader::kMaxNesting);
  if (accepted != expected) {
    Check(false,
          accepted ? "JsonReader accepted what the reference refuses"
                   : "JsonReader refused what the reference accepts",
          payload);
  }
  if (!accepted) return;

  // Write back what can be written exactly (no fractions, no containers).
  std::string out;
  JsonWriter w(out);
  std::vector<Member> kept;
  w.BeginObject();
  for (const Member& m : members) {
    if (m.type == JsonType::kNumber && !m.integer) continue;
    if (m.type == JsonType::kObject || m.type == JsonType::kArray) continue;
    w.Key(m.name);
    switch (m.type) {
      case JsonType::kString:
        w.String(m.text);
        break;
      case JsonType::kNumber:
        w.Int(m.number);
        break;
      case JsonType::kBool:
        w.Bool(m.boolean);
        break;
      default:
        w.Null();
        break;
    }
    kept.push_back(m);
  }
  w.EndObject();
  Check(w.depth() == 0, "writer depth not back to 0");
  Check(keel::core::IsValidUtf8(out), "JsonWriter output is not UTF-8", out);
  std::vector<Member> reread;
  Check(ReadAll(again, out, false, reread), "JsonWriter output does not parse", out);
  Check(reread == kept, "members changed through JsonWriter", out);
}

// What JsonWriter promises for bytes that are not UTF-8: one U+FFFD per
// maximal invalid subpart.
std::string Sanitized(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    keel::core::Utf8Sequence seq = keel::core::DecodeUtf8(s);
    Check(seq.length >= 1 && seq.length <= s.size(), "DecodeUtf8 length out of range");
    if (seq.valid) {
      out.append(s.substr(0, seq.length));
    } else {
      out.append("\xEF\xBF\xBD");
    }
    s.remove_prefix(seq.length);
  }
  return out;
}

void FuzzWriterStrings(std::string_view payload) {
  static JsonReader reader;
  std::string out;
  keel::core::AppendJsonString(out, payload);
  Check(keel::core::IsValidUtf8(out), "AppendJsonString output is not UTF-8", out);
  for (unsigned char c : out) Check(c >= 0x20 && c != 0x7F, "raw control byte in output", out);
  Check(out.find("\xE2\x80\xA8") == std::string::npos &&
            out.find("\xE2\x80\xA9") == std::string::npos,
        "raw U+2028/U+2029 in output", out);
  const std::string expected = Sanitized(payload);
  if (keel::core::IsValidUtf8(payload)) Check(expected == payload, "Sanitized changed valid UTF-8");

  // The second key must differ from the first: duplicates are the
  // reader's caller's business.
  const std::string_view other = expected == "nested" ? "nested2" : "nested";
  std::string doc;
  JsonWriter w(doc);
  w.BeginObject();
  w.Key(payload);
  w.String(payload);
  w.Key(other);
  w.BeginArray();
  w.String(payload);
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  Check(w.depth() == 0, "writer depth not back to 0");
  std::vector<Member> members;
  Check(ReadAll(reader, doc, false, members), "JsonWriter output does not parse", doc);
  Check(members.size() == 2, "wrong member count", doc);
  Check(members[0].name == expected && members[0].text == expected, "string did not round-trip",
        doc);
  Check(members[1].type == JsonType::kArray, "nested array lost", doc);
}

void FuzzWriterIntegers(std::string_view payload) {
  static JsonReader reader;
  while (payload.size() >= 8) {
    uint64_t u;
    std::memcpy(&u, payload.data(), 8);
    payload.remove_prefix(8);
    const auto i = static_cast<int64_t>(u);
    std::string doc;
    JsonWriter w(doc);
    w.BeginObject();
    w.Key("i");
    w.Int(i);
    w.Key("u");
    w.Uint(u);
    w.EndObject();
    std::vector<Member> members;
    Check(ReadAll(reader, doc, false, members) && members.size() == 2, "integers do not parse",
          doc);
    Check(members[0].integer && members[0].number == i, "Int did not round-trip", doc);
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      Check(members[1].integer && members[1].number == i, "Uint did not round-trip", doc);
    } else {
      Check(!members[1].integer && members[1].type == JsonType::kNumber,
            "Uint past int64 read as an int64", doc);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool padded = (data[0] & 4) != 0;
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] & 3) {
    case 0:
      FuzzValidators(payload, padded);
      break;
    case 1:
      FuzzReader(payload, padded);
      break;
    case 2:
      FuzzWriterStrings(payload);
      break;
    default:
      FuzzWriterIntegers(payload);
      break;
  }
  return 0;
}

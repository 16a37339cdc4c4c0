#include "core/json_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace keel::core {
namespace {

// Parses `body` (copied, or in place from a padded buffer) and returns every
// member, or the first error.
Result<std::vector<JsonField>> ReadAll(JsonReader& reader, std::string_view body,
                                       bool padded = false) {
  std::string storage;
  if (padded) {
    storage.assign(body);
    storage.append(JsonReader::kPadding, 'x');  // garbage after the body is fine
    body = std::string_view(storage.data(), body.size());
  }
  if (Status s = reader.ParseObject(body, padded); !s.ok()) return s;
  std::vector<JsonField> fields;
  JsonField field;
  while (reader.NextField(field)) fields.push_back(field);
  if (!reader.status().ok()) return reader.status();
  return fields;
}

std::string ErrorOf(std::string_view body) {
  JsonReader reader;
  auto r = ReadAll(reader, body);
  return r.ok() ? "<ok>" : r.status().message();
}

TEST(JsonReader, ReadsMembersOfEveryType) {
  JsonReader reader;
  auto r = ReadAll(reader, R"({"email":"ada@example.com","age":36,"admin":true,"note":null,)"
                           R"("tags":["x",{"y":[]}],"meta":{"k":1.5},"ratio":0.25})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& f = r.value();
  ASSERT_EQ(f.size(), 7u);

  EXPECT_EQ(f[0].name(), "email");
  EXPECT_EQ(f[0].type(), JsonType::kString);
  EXPECT_EQ(f[0].GetString().value(), "ada@example.com");

  EXPECT_EQ(f[1].name(), "age");
  EXPECT_EQ(f[1].type(), JsonType::kNumber);
  EXPECT_EQ(f[1].GetInt64().value(), 36);

  EXPECT_EQ(f[2].type(), JsonType::kBool);
  EXPECT_TRUE(f[2].GetBool().value());

  EXPECT_EQ(f[3].name(), "note");
  EXPECT_TRUE(f[3].is_null());

  EXPECT_EQ(f[4].type(), JsonType::kArray);
  EXPECT_EQ(f[5].type(), JsonType::kObject);
  EXPECT_EQ(f[6].type(), JsonType::kNumber);
  EXPECT_EQ(f[6].name(), "ratio");
}

TEST(JsonReader, EmptyObjectHasNoMembers) {
  JsonReader reader;
  auto r = ReadAll(reader, " { } ");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r.value().empty());
}

TEST(JsonReader, AcceptsWhitespaceAroundTokens) {
  JsonReader reader;
  auto r = ReadAll(reader, " \t\r\n{ \"a\" : [ ] , \"b\" :\n{ } }\n\t\r ");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[1].name(), "b");
}

TEST(JsonReader, UnescapesNamesAndStrings) {
  JsonReader reader;
  auto r = ReadAll(reader, R"({"na\u006de":"a\nb\u00e9\"\\\/ \ud83d\ude00","z\u0000":"\u0000"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[0].name(), "name");
  EXPECT_EQ(r.value()[0].GetString().value(), "a\nb\xC3\xA9\"\\/ \xF0\x9F\x98\x80");
  EXPECT_EQ(r.value()[1].name(), std::string_view("z\0", 2));
  EXPECT_EQ(r.value()[1].GetString().value(), std::string_view("\0", 1));
}

TEST(JsonReader, ParsesInPlaceWhenPadded) {
  // In place means the parser reads the caller's bytes: a change made after
  // ParseObject (illegal for real callers) shows up in the value.
  std::string buffer = R"({"name":"abc"})";
  const size_t size = buffer.size();
  buffer.append(JsonReader::kPadding, '\0');
  JsonReader reader;
  ASSERT_TRUE(reader.ParseObject(std::string_view(buffer.data(), size), true).ok());
  buffer[9] = 'X';
  JsonField field;
  ASSERT_TRUE(reader.NextField(field));
  EXPECT_EQ(field.GetString().value(), "Xbc");
}

TEST(JsonReader, CopiesWhenNotPadded) {
  std::string buffer = R"({"name":"abc"})";
  JsonReader reader;
  ASSERT_TRUE(reader.ParseObject(buffer, false).ok());
  buffer[9] = 'X';
  JsonField field;
  ASSERT_TRUE(reader.NextField(field));
  EXPECT_EQ(field.GetString().value(), "abc");
}

TEST(JsonReader, PaddedBodyIgnoresBytesAfterIt) {
  JsonReader reader;
  // The bytes after the body look like more JSON; only `size` bytes count.
  const std::string buffer = std::string(R"({"a":1})") + R"(,"b":2})" + std::string(64, ' ');
  ASSERT_TRUE(reader.ParseObject(std::string_view(buffer.data(), 7), true).ok());
  JsonField field;
  ASSERT_TRUE(reader.NextField(field));
  EXPECT_EQ(field.name(), "a");
  EXPECT_FALSE(reader.NextField(field));
  EXPECT_TRUE(reader.status().ok()) << reader.status().message();
}

TEST(JsonReader, ViewsOutliveTheBody) {
  JsonReader reader;
  std::vector<JsonField> fields;
  {
    std::string body = R"({"email":"ada@example.com","name":"Ada"})";
    auto r = ReadAll(reader, body);
    ASSERT_TRUE(r.ok());
    fields = r.value();
    body.assign(body.size(), '#');
  }
  EXPECT_EQ(fields[0].name(), "email");
  EXPECT_EQ(fields[0].GetString().value(), "ada@example.com");
  EXPECT_EQ(fields[1].GetString().value(), "Ada");
}

TEST(JsonReader, RejectsNonObjectTopLevel) {
  for (std::string_view body : {"[]", "[1,2]", "1", "\"s\"", "null", "true", "", "   "}) {
    EXPECT_EQ(ErrorOf(body), "body must be a JSON object") << body;
  }
  JsonReader reader;
  EXPECT_EQ(reader.ParseObject(std::string_view(), true).message(), "body must be a JSON object");
}

TEST(JsonReader, RejectsMalformedJson) {
  const std::string_view bad[] = {
      "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\":1", "{\"a\":1}}",
      "{\"a\":1} x", "{\"a\":1}{}", "{'a':1}", "{a:1}", "{\"a\":tru}", "{\"a\":nul}",
      "{\"a\":nullx}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":\"\\x\"}",
      "{\"a\":\"\\ud800\"}", "{\"a\\ud800\":1}", "{\"a\":\"unterminated}",
      // Errors inside values the caller never looks at are still found.
      "{\"a\":[1,}", "{\"a\":[1 2]}", "{\"a\":{\"b\":}}", "{\"a\":{\"b\":1,}}", "{\"a\":[\"\\q\"]}",
      "{\"a\":[tru]}", "{\"a\":{\"b\":[01]}}",
      "{\"a\":\"x\x01y\"}",                                    // raw control character in a string
      "{\"a\":\"\\udc00\"}",                                   // lone low surrogate escape
      "{\"a\":1e999}",                                         // does not fit a double
      "{\"a\":[-1e999]}", std::string_view("{\"a\":1}\0", 8),  // NUL is not whitespace
  };
  for (std::string_view body : bad) {
    const std::string err = ErrorOf(body);
    EXPECT_NE(err, "<ok>") << body;
    EXPECT_TRUE(err.rfind("body ", 0) == 0) << body << " -> " << err;
  }
}

// simdjson alone refuses exponents of more than 19 digits (found by
// tests/fuzz, regressions/json/long-exponent*).
TEST(JsonReader, AcceptsLongExponents) {
  JsonReader reader;
  auto r =
      ReadAll(reader, R"({"a":1.5e0000000000000000000000000000000001,"b":-0e42242222222220113322,)"
                      R"("c":[1e-99999999999999999999],"d":{"e":0E+00000000000000000000000}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 4u);
  EXPECT_EQ(r.value()[0].type(), JsonType::kNumber);
  EXPECT_EQ(r.value()[0].GetInt64().status().message(), "a must be an integer");
  EXPECT_EQ(r.value()[1].type(), JsonType::kNumber);
  EXPECT_EQ(r.value()[2].type(), JsonType::kArray);
  for (std::string_view bad :
       {R"({"a":1e99999999999999999999})", R"({"a":[-1e+00000000000000000000999]})",
        R"({"a":1e999999999999999999999x})", R"({"a":01e99999999999999999999})"}) {
    EXPECT_NE(ErrorOf(bad), "<ok>") << bad;
  }
}

TEST(JsonReader, RejectsInvalidUtf8) {
  EXPECT_EQ(ErrorOf("{\"a\":\"\xFF\"}"), "body is not valid UTF-8");
  EXPECT_EQ(ErrorOf("{\"a\":\"\xED\xA0\x80\"}"), "body is not valid UTF-8");
  EXPECT_EQ(ErrorOf("{\"\xC0\x80\":1}"), "body is not valid UTF-8");
}

TEST(JsonReader, LimitsNesting) {
  auto nested = [](int levels) {
    // `levels` counts the top-level object.
    std::string s = "{\"a\":";
    s.append(levels - 1, '[');
    s.append(levels - 1, ']');
    s += '}';
    return s;
  };
  EXPECT_EQ(ErrorOf(nested(JsonReader::kMaxNesting)), "<ok>");
  EXPECT_EQ(ErrorOf(nested(JsonReader::kMaxNesting + 1)), "body is nested too deeply");
  EXPECT_EQ(ErrorOf(nested(5000)), "body is nested too deeply");
}

TEST(JsonReader, TypedAccessorsNameTheField) {
  JsonReader reader;
  auto r = ReadAll(reader, R"({"email":42,"age":"x","admin":"yes","n":null,"f":1.5,"e":1e3})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& f = r.value();
  EXPECT_EQ(f[0].GetString().status().message(), "email must be a string");
  EXPECT_EQ(f[0].GetString().status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(f[1].GetInt64().status().message(), "age must be an integer");
  EXPECT_EQ(f[2].GetBool().status().message(), "admin must be a boolean");
  EXPECT_EQ(f[3].GetString().status().message(), "n must be a string");
  EXPECT_EQ(f[4].GetInt64().status().message(), "f must be an integer");
  EXPECT_EQ(f[5].GetInt64().status().message(), "e must be an integer");
  EXPECT_EQ(f[0].Unknown().message(), "unknown field: email");
}

TEST(JsonReader, ReadsInt64Range) {
  JsonReader reader;
  auto r = ReadAll(reader, R"({"min":-9223372036854775808,"max":9223372036854775807,)"
                           R"("over":9223372036854775808,"under":-9223372036854775809,)"
                           R"("huge":123456789012345678901234567890,"zero":-0})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& f = r.value();
  EXPECT_EQ(f[0].GetInt64().value(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(f[1].GetInt64().value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(f[2].GetInt64().status().message(), "over is out of range");
  EXPECT_EQ(f[3].GetInt64().status().message(), "under is out of range");
  EXPECT_FALSE(f[4].GetInt64().ok());
  EXPECT_EQ(f[5].GetInt64().value(), 0);
}

TEST(JsonReader, ShortensLongNamesInErrors) {
  const std::string name(300, 'n');
  JsonReader reader;
  auto r = ReadAll(reader, "{\"" + name + "\":1}");
  ASSERT_TRUE(r.ok());
  const std::string msg = r.value()[0].GetString().status().message();
  EXPECT_EQ(msg, std::string(64, 'n') + " must be a string");
}

TEST(JsonReader, PassesDuplicateKeysThrough) {
  JsonReader reader;
  auto r = ReadAll(reader, R"({"a":1,"a":2})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[1].GetInt64().value(), 2);
}

TEST(JsonReader, ForEachFieldStopsAtFirstError) {
  JsonReader reader;
  ASSERT_TRUE(reader.ParseObject(R"({"email":"a@b.c","bogus":1,"name":"x"})", false).ok());
  std::vector<std::string> seen;
  Status s = reader.ForEachField([&](const JsonField& f) -> Status {
    seen.emplace_back(f.name());
    if (f.name() == "email" || f.name() == "name") return Status::Ok();
    return f.Unknown();
  });
  EXPECT_EQ(s.message(), "unknown field: bogus");
  EXPECT_EQ(seen, (std::vector<std::string>{"email", "bogus"}));

  ASSERT_TRUE(reader.ParseObject(R"({"a":1,})", false).ok());
  s = reader.ForEachField([](const JsonField&) { return Status::Ok(); });
  EXPECT_EQ(s.message(), "body is not valid JSON");
}

TEST(JsonReader, NextFieldWithoutParseReturnsFalse) {
  JsonReader reader;
  JsonField field;
  EXPECT_FALSE(reader.NextField(field));
  EXPECT_TRUE(reader.status().ok());

  // After a failed parse, too.
  EXPECT_FALSE(reader.ParseObject("[1]", false).ok());
  EXPECT_FALSE(reader.NextField(field));
}

TEST(JsonReader, StopsAfterEndAndAfterError) {
  JsonReader reader;
  ASSERT_TRUE(reader.ParseObject(R"({"a":1})", false).ok());
  JsonField field;
  EXPECT_TRUE(reader.NextField(field));
  EXPECT_FALSE(reader.NextField(field));
  EXPECT_FALSE(reader.NextField(field));
  EXPECT_TRUE(reader.status().ok());

  ASSERT_TRUE(reader.ParseObject(R"({"a":1 "b":2})", false).ok());
  EXPECT_TRUE(reader.NextField(field));
  EXPECT_FALSE(reader.NextField(field));
  EXPECT_FALSE(reader.status().ok());
  EXPECT_FALSE(reader.NextField(field));
}

TEST(JsonReader, ReusesOneReaderAcrossManyParses) {
  JsonReader reader;
  for (int i = 0; i < 3000; ++i) {
    const std::string name = "user" + std::to_string(i);
    // Sizes vary so buffers must grow, then get reused.
    const std::string padding(static_cast<size_t>(i % 257), ' ');
    const std::string body = "{\"id\":" + std::to_string(i) + "," + padding + "\"name\":\"" + name +
                             "\",\"active\":" + (i % 2 ? "true" : "false") + "}";
    const bool padded = i % 3 == 0;
    if (i % 7 == 0) {
      auto bad = ReadAll(reader, body + ",", padded);
      ASSERT_FALSE(bad.ok()) << i;
    }
    auto r = ReadAll(reader, body, padded);
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().message();
    ASSERT_EQ(r.value().size(), 3u);
    EXPECT_EQ(r.value()[0].GetInt64().value(), i);
    EXPECT_EQ(r.value()[1].GetString().value(), name);
    EXPECT_EQ(r.value()[2].GetBool().value(), i % 2 == 1);
  }
}

}  // namespace
}  // namespace keel::core

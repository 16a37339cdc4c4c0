#include "core/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "core/utf8.h"

namespace keel::core {
namespace {

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// Decodes a JSON string literal with simdjson, independently of our code.
std::string ParseJsonString(const std::string& json) {
  static simdjson::ondemand::parser parser;  // reused: allocation per call is slow
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  std::string_view value;
  if (parser.iterate(padded).get(doc) || doc.get_string().get(value)) return "<parse error>";
  return std::string(value);
}

TEST(JsonString, CopiesPlainText) {
  EXPECT_EQ(Quote(""), R"("")");
  EXPECT_EQ(Quote("hello, world"), R"("hello, world")");
  EXPECT_EQ(Quote("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
}

TEST(JsonString, EscapesQuoteAndBackslash) {
  EXPECT_EQ(Quote("a\"b"), R"("a\"b")");
  EXPECT_EQ(Quote("a\\b"), R"("a\\b")");
  EXPECT_EQ(Quote("\"\\\"\\"), R"("\"\\\"\\")");
}

TEST(JsonString, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    std::string expected;
    switch (c) {
      case '\b':
        expected = "\\b";
        break;
      case '\f':
        expected = "\\f";
        break;
      case '\n':
        expected = "\\n";
        break;
      case '\r':
        expected = "\\r";
        break;
      case '\t':
        expected = "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        expected = "\\u00";
        expected += kHex[c >> 4];
        expected += kHex[c & 0xF];
      }
    }
    const std::string input(1, static_cast<char>(c));
    EXPECT_EQ(Quote(input), "\"" + expected + "\"") << "char " << c;
  }
  EXPECT_EQ(Quote(std::string_view("\0", 1)), R"("\u0000")");
  EXPECT_EQ(Quote("\x1F"), R"("\u001f")");
}

TEST(JsonString, EscapesDelAndLineSeparators) {
  EXPECT_EQ(Quote("\x7F"), R"("\u007f")");
  EXPECT_EQ(Quote("a\xE2\x80\xA8z"), R"("a\u2028z")");
  EXPECT_EQ(Quote("a\xE2\x80\xA9z"), R"("a\u2029z")");
  // Neighbours of U+2028/9 are left alone.
  EXPECT_EQ(Quote("\xE2\x80\xA7\xE2\x80\xAA"), "\"\xE2\x80\xA7\xE2\x80\xAA\"");
}

TEST(JsonString, EscapesInsideLongRuns) {
  // Each special byte at every offset of the 8-byte words scanned at once,
  // surrounded by plain text.
  const std::pair<std::string_view, std::string_view> specials[] = {
      {"\"", "\\\""},           {"\\", "\\\\"},           {"\n", "\\n"},
      {"\x1F", "\\u001f"},      {"\x7F", "\\u007f"},      {"\xE2\x80\xA8", "\\u2028"},
      {"\xFF", "\xEF\xBF\xBD"}, {"\xC3\xA9", "\xC3\xA9"},
  };
  for (const auto& [raw, escaped] : specials) {
    for (size_t pos = 0; pos < 17; ++pos) {
      std::string input(17, 'x');
      input.replace(pos, 1, raw);
      std::string expected = "\"" + input + "\"";
      expected.replace(pos + 1, raw.size(), escaped);
      EXPECT_EQ(Quote(input), expected) << testing::PrintToString(raw) << " at " << pos;
    }
  }
}

TEST(JsonString, ReplacesInvalidUtf8) {
  const std::string r = "\xEF\xBF\xBD";                       // U+FFFD
  EXPECT_EQ(Quote("a\x80z"), "\"a" + r + "z\"");              // lone continuation
  EXPECT_EQ(Quote("\xC0\x80"), "\"" + r + r + "\"");          // overlong NUL
  EXPECT_EQ(Quote("\xED\xA0\x80"), "\"" + r + r + r + "\"");  // surrogate U+D800
  EXPECT_EQ(Quote("\xE2\x82"), "\"" + r + "\"");              // truncated, at end
  EXPECT_EQ(Quote("\xE2\x82z"), "\"" + r + "z\"");            // truncated, mid-string
  EXPECT_EQ(Quote("\xF5\x80\x80\x80"), "\"" + r + r + r + r + "\"");
  EXPECT_EQ(Quote("\xFF"), "\"" + r + "\"");
  EXPECT_EQ(Quote("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // > U+10FFFF
  // A replacement does not swallow the valid text around it.
  EXPECT_EQ(Quote("\xC3\xA9\x80\xC3\xA9"), "\"\xC3\xA9" + r + "\xC3\xA9\"");
}

TEST(JsonString, AppendsWithoutClearing) {
  std::string out = "prefix:";
  AppendJsonString(out, "v");
  EXPECT_EQ(out, R"(prefix:"v")");
}

TEST(JsonString, OutputIsValidUtf8ForRandomBytes) {
  std::mt19937 rng(20260101);
  std::uniform_int_distribution<int> len(0, 40);
  std::uniform_int_distribution<int> byte(0, 255);
  // Bias toward bytes that form (or almost form) multi-byte sequences.
  std::uniform_int_distribution<int> tricky(0x7F, 0xF5);
  std::string input;
  std::string out;
  for (int i = 0; i < 5000; ++i) {
    input.clear();
    const int n = len(rng);
    for (int j = 0; j < n; ++j) {
      input.push_back(static_cast<char>(j % 3 == 0 ? tricky(rng) : byte(rng)));
    }
    out.clear();
    AppendJsonString(out, input);
    ASSERT_TRUE(IsValidUtf8(out)) << testing::PrintToString(input);
    ASSERT_GE(out.size(), 2u);
    EXPECT_EQ(out.front(), '"');
    EXPECT_EQ(out.back(), '"');
    // Output never carries a raw control character, DEL or U+2028/9.
    for (unsigned char c : out)
      ASSERT_TRUE(c >= 0x20 && c != 0x7F) << testing::PrintToString(input);
    EXPECT_EQ(out.find("\xE2\x80\xA8"), std::string::npos);
    EXPECT_EQ(out.find("\xE2\x80\xA9"), std::string::npos);
    // Valid input survives a round trip through a real JSON parser.
    if (IsValidUtf8(input)) {
      ASSERT_EQ(ParseJsonString(out), input) << testing::PrintToString(input);
    }
  }
}

TEST(JsonWriter, WritesNestedDocumentWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("id");
  w.Int(1);
  w.Key("tags");
  w.BeginArray();
  w.String("a");
  w.String("b");
  w.BeginArray();
  w.EndArray();
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.Key("ok");
  w.Bool(true);
  w.Key("no");
  w.Bool(false);
  w.Key("none");
  w.Null();
  w.Key("raw");
  w.Raw(R"({"x":[1,2]})");
  w.Key("nested");
  w.BeginObject();
  w.Key("k");
  w.Uint(7);
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(out, R"({"id":1,"tags":["a","b",[],{}],"ok":true,"no":false,"none":null,)"
                 R"("raw":{"x":[1,2]},"nested":{"k":7}})");
  EXPECT_EQ(w.depth(), 0);
}

TEST(JsonWriter, EmptyContainersAndTopLevelScalars) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  w.EndArray();
  EXPECT_EQ(out, "[]");

  std::string scalar;
  JsonWriter s(scalar);
  s.String("x");
  EXPECT_EQ(scalar, R"("x")");
}

TEST(JsonWriter, EscapesKeysAndValues) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("a\"b\n");
  w.String("\x01\xFF");
  w.EndObject();
  EXPECT_EQ(out, "{\"a\\\"b\\n\":\"\\u0001\xEF\xBF\xBD\"}");
}

TEST(JsonWriter, WritesIntegerExtremes) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  w.Int(std::numeric_limits<int64_t>::min());
  w.Int(std::numeric_limits<int64_t>::max());
  w.Int(0);
  w.Int(-1);
  w.Uint(std::numeric_limits<uint64_t>::max());
  w.Uint(0);
  w.EndArray();
  EXPECT_EQ(out, "[-9223372036854775808,9223372036854775807,0,-1,18446744073709551615,0]");
}

TEST(JsonWriter, AppendsToExistingContent) {
  std::string out = "HTTP body: ";
  JsonWriter w(out);
  w.BeginObject();
  w.Key("status");
  w.String("ok");
  w.EndObject();
  EXPECT_EQ(out, R"(HTTP body: {"status":"ok"})");
}

TEST(JsonWriter, TracksMaxDepth) {
  std::string out;
  JsonWriter w(out);
  for (int i = 0; i < JsonWriter::kMaxDepth; ++i) {
    w.BeginArray();
    w.Int(i);
  }
  EXPECT_EQ(w.depth(), JsonWriter::kMaxDepth);
  for (int i = 0; i < JsonWriter::kMaxDepth; ++i) w.EndArray();
  std::string expected;
  for (int i = 0; i < JsonWriter::kMaxDepth; ++i) {
    if (i > 0) expected += ',';
    expected += '[' + std::to_string(i);
  }
  expected.append(JsonWriter::kMaxDepth, ']');
  EXPECT_EQ(out, expected);
}

TEST(JsonWriter, ReusedStringKeepsCapacity) {
  std::string out;
  out.reserve(256);
  const size_t cap = out.capacity();
  for (int i = 0; i < 100; ++i) {
    out.clear();
    JsonWriter w(out);
    w.BeginObject();
    w.Key("message");
    w.String("Hello, World!");
    w.EndObject();
  }
  EXPECT_EQ(out, R"({"message":"Hello, World!"})");
  EXPECT_EQ(out.capacity(), cap);
}

}  // namespace
}  // namespace keel::core

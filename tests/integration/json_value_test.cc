// The test-side JSON reader: it must reject what keel must never send, or
// the API tests built on it could pass on broken output.
#include "json_value.h"

#include <gtest/gtest.h>

namespace keel::integration {
namespace {

TEST(JsonValue, ReadsNestedValues) {
  auto v = JsonValue::Parse(R"( {"a":[1,-2.5e3,true,null],"b":{"c":"d"},"n":42} )");
  ASSERT_TRUE(v);
  ASSERT_TRUE(v->is_object());
  const JsonValue* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->is_array());
  ASSERT_EQ(a->items().size(), 4u);
  EXPECT_EQ(a->items()[0].AsInt(), 1);
  EXPECT_EQ(a->items()[1].text(), "-2.5e3");
  EXPECT_FALSE(a->items()[1].AsInt());
  EXPECT_TRUE(a->items()[2].boolean());
  EXPECT_TRUE(a->items()[3].is_null());
  EXPECT_EQ(v->Find("b")->GetString("c"), "d");
  EXPECT_EQ(v->GetInt("n"), 42);
  EXPECT_FALSE(v->GetString("n"));
  EXPECT_FALSE(v->GetInt("missing"));
}

TEST(JsonValue, UnescapesStrings) {
  auto v = JsonValue::Parse(R"("a\"b\\c\/d\n\u00e9\u65e5\ud83d\ude00")");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->text(), "a\"b\\c/d\n\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80");
  auto raw = JsonValue::Parse("\"\xC3\xA9\xF0\x9F\x98\x80\"");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->text(), "\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonValue, RejectsMalformedText) {
  const std::string kBad[] = {
      "",
      "{",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "01",
      "1.",
      "-",
      "tru",
      "\"\\x\"",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"a\nb\"",
      "\"\xFF\"",
      "\"\xC0\xAF\"",
      "\"\xED\xA0\x80\"",
      "{\"a\":1,\"a\":2}",
      "1 2",
      "{\"a\":1}}",
      "'a'",
  };
  for (const std::string& text : kBad) {
    std::string error;
    EXPECT_FALSE(JsonValue::Parse(text, &error)) << ::testing::PrintToString(text);
  }
}

TEST(JsonValue, StopsAtADepthLimit) {
  EXPECT_FALSE(JsonValue::Parse(std::string(1000, '[') + std::string(1000, ']')));
  EXPECT_TRUE(JsonValue::Parse(std::string(10, '[') + std::string(10, ']')));
}

}  // namespace
}  // namespace keel::integration

#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace keel::core {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  const std::string_view good[] = {
      "",
      "plain ascii, long enough to use the word-at-a-time path",
      std::string_view("nul\0inside", 10),
      "\x7F",
      "\xC2\x80",                                       // U+0080, smallest 2-byte
      "\xDF\xBF",                                       // U+07FF
      "\xE0\xA0\x80",                                   // U+0800, smallest 3-byte
      "\xED\x9F\xBF",                                   // U+D7FF, just below surrogates
      "\xEE\x80\x80",                                   // U+E000, just above surrogates
      "\xEF\xBF\xBD",                                   // U+FFFD
      "\xEF\xBF\xBF",                                   // U+FFFF
      "\xF0\x90\x80\x80",                               // U+10000, smallest 4-byte
      "\xF4\x8F\xBF\xBF",                               // U+10FFFF, the last code point
      "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 end",  // é € 😀
      "12345678\xC3\xA9",                               // multibyte right after a full ASCII word
  };
  for (std::string_view s : good) EXPECT_TRUE(IsValidUtf8(s)) << testing::PrintToString(s);
}

TEST(Utf8, RejectsMalformedText) {
  const std::string_view bad[] = {
      "\x80",                      // lone continuation byte
      "abc\xBF",                   // continuation after ASCII
      "\xC0\x80",                  // overlong NUL
      "\xC1\xBF",                  // overlong U+007F
      "\xE0\x80\x80",              // overlong 3-byte
      "\xE0\x9F\xBF",              // overlong U+07FF
      "\xF0\x80\x80\x80",          // overlong 4-byte
      "\xF0\x8F\xBF\xBF",          // overlong U+FFFF
      "\xED\xA0\x80",              // U+D800 surrogate
      "\xED\xBF\xBF",              // U+DFFF surrogate
      "\xED\xA0\xBD\xED\xB8\x80",  // CESU-8 surrogate pair
      "\xF4\x90\x80\x80",          // U+110000
      "\xF5\x80\x80\x80",          // F5 lead
      "\xFE",
      "\xFF",
      "\xC3",                  // truncated 2-byte
      "\xE2\x82",              // truncated 3-byte
      "\xF0\x9F\x98",          // truncated 4-byte
      "\xE2\x82x",             // interrupted 3-byte
      "\xC3\xA9\xA9",          // extra continuation
      "0123456789abcdef\x80",  // error after whole ASCII words
  };
  for (std::string_view s : bad) EXPECT_FALSE(IsValidUtf8(s)) << testing::PrintToString(s);
}

TEST(Utf8, DecodesCodePoints) {
  Utf8Sequence seq = DecodeUtf8("A");
  EXPECT_TRUE(seq.valid);
  EXPECT_EQ(seq.code_point, 0x41u);
  EXPECT_EQ(seq.length, 1);

  seq = DecodeUtf8("\xE2\x80\xA8rest");
  EXPECT_TRUE(seq.valid);
  EXPECT_EQ(seq.code_point, 0x2028u);
  EXPECT_EQ(seq.length, 3);

  seq = DecodeUtf8("\xF4\x8F\xBF\xBF");
  EXPECT_TRUE(seq.valid);
  EXPECT_EQ(seq.code_point, 0x10FFFFu);
  EXPECT_EQ(seq.length, 4);
}

TEST(Utf8, ReportsMaximalInvalidSubpart) {
  struct Case {
    std::string_view input;
    int length;
  };
  const Case cases[] = {
      {"\x80", 1},
      {"\xC0\x80", 1},
      {"\xF5\x80", 1},
      {"\xE2\x82", 2},
      {"\xE2\x82x", 2},
      {"\xE2x", 1},
      {"\xED\xA0\x80", 1},  // A0 cannot follow ED, so
                            // only ED is the subpart
      {"\xF0\x9F\x98", 3},
      {"\xF0\x9F\x98x", 3},
      {"\xF4\x90", 1},
  };
  for (const Case& c : cases) {
    const Utf8Sequence seq = DecodeUtf8(c.input);
    EXPECT_FALSE(seq.valid) << testing::PrintToString(c.input);
    EXPECT_EQ(seq.length, c.length) << testing::PrintToString(c.input);
  }
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("caf\xC3\xA9"), 4u);
  EXPECT_EQ(CountCodePoints("\xF0\x9F\x98\x80"), 1u);
  // Long enough to go through the word loop with sequences crossing words.
  std::string s;
  for (int i = 0; i < 50; ++i) s += "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  EXPECT_EQ(CountCodePoints(s), 200u);
}

}  // namespace
}  // namespace keel::core

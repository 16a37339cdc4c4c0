#include "core/ascii.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keel::core {
namespace {

TEST(Ascii, TrimOwsRemovesSpacesAndTabsOnly) {
  EXPECT_EQ(TrimOws(" \t a b \t "), "a b");
  EXPECT_EQ(TrimOws("\r\na\n"), "\r\na\n");
  EXPECT_EQ(TrimOws(" \t "), "");
  EXPECT_EQ(TrimOws(""), "");
}

TEST(Ascii, CaseFoldsOnlyAsciiLetters) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_FALSE(EqualsIgnoreCase("host", "hosts"));
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\x89", "\xc3\xa9"));  // É and é differ: not ASCII
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));                // 0x5b vs 0x7b: not letters
  EXPECT_EQ(LowerAsciiCopy("Bob@Example.COM \xc3\x89"), "bob@example.com \xc3\x89");
  EXPECT_EQ(UpperAscii('q'), 'Q');
  EXPECT_EQ(UpperAscii('-'), '-');
}

TEST(Ascii, LowerAsciiIntoReusesTheString) {
  std::string out(64, 'x');
  const char* before = out.data();
  LowerAsciiInto("ABC", &out);
  EXPECT_EQ(out, "abc");
  EXPECT_EQ(out.data(), before);
}

TEST(Ascii, ListElementsAreTrimmedAndEmptyOnesSkipped) {
  std::vector<std::string> seen;
  EXPECT_TRUE(ForEachListElement(" a ,, b\t,c ,", [&](std::string_view e) {
    seen.emplace_back(e);
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  seen.clear();
  EXPECT_FALSE(ForEachListElement("a, stop, c", [&](std::string_view e) {
    seen.emplace_back(e);
    return e != "stop";
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "stop"}));
}

TEST(Ascii, RetryAfterIsAtLeastOneSecond) {
  char buf[kRetryAfterBytes];
  EXPECT_EQ(FormatRetryAfter(0, buf), "1");
  EXPECT_EQ(FormatRetryAfter(900, buf), "900");
  EXPECT_EQ(FormatRetryAfter(4294967295u, buf), "4294967295");
}

}  // namespace
}  // namespace keel::core

#include "http/trace_context.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace keel::http {
namespace {

constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

bool Parses(std::string_view v) {
  Traceparent t;
  return ParseTraceparent(v, &t);
}

TEST(Traceparent, ParsesTheSpecExample) {
  Traceparent t;
  ASSERT_TRUE(ParseTraceparent(kValid, &t));
  EXPECT_EQ(std::string(t.trace_id, 32), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::string(t.parent_id, 16), "00f067aa0ba902b7");
  EXPECT_EQ(t.flags, 1);
  ASSERT_TRUE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &t));
  EXPECT_EQ(t.flags, 0);
}

TEST(Traceparent, Versions) {
  // ff is forbidden; the version must be two lower-case hex digits.
  EXPECT_FALSE(Parses("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(Parses("0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(Parses("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  // Version 00 is exactly 55 characters.
  EXPECT_FALSE(Parses(std::string(kValid) + "-"));
  EXPECT_FALSE(Parses(std::string(kValid) + "-extra"));
  // A later version is read by its version-00 prefix; more fields must
  // follow a dash.
  EXPECT_TRUE(Parses("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_TRUE(Parses("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future"));
  EXPECT_FALSE(Parses("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"));
}

TEST(Traceparent, AllZeroIdsAreInvalid) {
  EXPECT_FALSE(Parses("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(Parses("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
}

TEST(Traceparent, Lengths) {
  EXPECT_FALSE(Parses(""));
  EXPECT_FALSE(Parses(kValid.substr(0, 54)));
  EXPECT_FALSE(Parses("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"));    // 31
  EXPECT_FALSE(Parses("00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01"));  // 33
  EXPECT_FALSE(Parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01"));
  EXPECT_FALSE(Parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"));
  EXPECT_FALSE(Parses("00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"));
}

TEST(Traceparent, HexMustBeLowerCase) {
  EXPECT_FALSE(Parses("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(Parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01"));
  EXPECT_FALSE(Parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A"));
  EXPECT_FALSE(Parses("00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01"));
}

TEST(Traceparent, FormatsWhatItParses) {
  Traceparent t;
  ASSERT_TRUE(ParseTraceparent(kValid, &t));
  char out[kTraceparentBytes];
  FormatTraceparent(t.trace_id, t.parent_id, t.flags, out);
  EXPECT_EQ(std::string_view(out, sizeof out), kValid);
}

TEST(RequestId, Validation) {
  EXPECT_TRUE(IsValidRequestId("a"));
  EXPECT_TRUE(IsValidRequestId("AZaz09._:-"));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'x')));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'x')));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("quote\""));
  EXPECT_FALSE(IsValidRequestId("slash/"));
  EXPECT_FALSE(IsValidRequestId("new\nline"));
  EXPECT_FALSE(IsValidRequestId("caf\xc3\xa9"));
}

TEST(IdSource, RequestIdsAreValidAndDistinct) {
  IdSource ids(42);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    char buf[kMaxRequestIdBytes];
    size_t n = ids.NextRequestId(buf);
    std::string id(buf, n);
    EXPECT_TRUE(IsValidRequestId(id)) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
  // Another worker (another seed) has another prefix.
  IdSource other(43);
  char a[kMaxRequestIdBytes], b[kMaxRequestIdBytes];
  ids.NextRequestId(a);
  other.NextRequestId(b);
  EXPECT_NE(std::string_view(a, 16), std::string_view(b, 16));
}

TEST(IdSource, RandomHexIsLowerHexAndMakesValidTraces) {
  IdSource ids(1);
  char trace[32], span[16];
  ids.RandomHex(trace, 16);
  ids.RandomHex(span, 8);
  char out[kTraceparentBytes];
  FormatTraceparent(trace, span, 0, out);
  EXPECT_TRUE(Parses(std::string_view(out, sizeof out))) << std::string_view(out, sizeof out);
}

}  // namespace
}  // namespace keel::http

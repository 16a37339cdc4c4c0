#include "http/request.h"

#include <gtest/gtest.h>

namespace keel::http {
namespace {

TEST(FormatAddress, FormatsIpv4AndIpv6) {
  char out[48];
  const char v4[] = {127, 0, 0, 1};
  EXPECT_EQ(FormatAddress(std::string_view(v4, 4), out), "127.0.0.1");
  char v6[16] = {};
  v6[15] = 1;
  EXPECT_EQ(FormatAddress(std::string_view(v6, 16), out), "::1");
}

TEST(FormatAddress, RejectsOtherSizes) {
  char out[48];
  EXPECT_EQ(FormatAddress("abc", out), "");
  EXPECT_EQ(FormatAddress("", out), "");
}

TEST(EqualsIgnoreCase, ComparesLettersOnlyWithoutCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_TRUE(EqualsIgnoreCase("HOST", "host"));
  EXPECT_FALSE(EqualsIgnoreCase("host", "hosts"));
  // '@' (0x40) and '`' (0x60) differ only in the case bit but are not letters.
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));
}

TEST(Request, FindsTheFirstHeaderOfAName) {
  Header headers[] = {{"Host", "a"}, {"X-Thing", "1"}, {"x-thing", "2"}};
  Request req;
  req.headers = headers;
  EXPECT_EQ(req.Find("x-THING"), "1");
  EXPECT_TRUE(req.Has("HOST"));
  EXPECT_FALSE(req.Has("Origin"));
  EXPECT_EQ(req.Find("Origin"), "");
}

}  // namespace
}  // namespace keel::http

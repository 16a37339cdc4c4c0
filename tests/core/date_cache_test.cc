#include "core/date_cache.h"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

namespace keel::core {
namespace {

std::string Imf(std::time_t t) {
  char out[29];
  FormatImfFixdate(t, out);
  return std::string(out, sizeof out);
}

std::string Rfc3339(std::time_t t) {
  char out[20];
  FormatRfc3339(t, out);
  return std::string(out, sizeof out);
}

TEST(DateCache, FormatsTheEpoch) {
  EXPECT_EQ(Imf(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(Rfc3339(0), "1970-01-01T00:00:00Z");
}

TEST(DateCache, FormatsTheRfcExample) {
  // The example date of RFC 9110 section 5.6.7.
  EXPECT_EQ(Imf(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(Rfc3339(784111777), "1994-11-06T08:49:37Z");
}

TEST(DateCache, FormatsLeapDays) {
  EXPECT_EQ(Imf(951825600), "Tue, 29 Feb 2000 12:00:00 GMT");  // a century leap year
  EXPECT_EQ(Rfc3339(951825600), "2000-02-29T12:00:00Z");
  EXPECT_EQ(Imf(1709251199), "Thu, 29 Feb 2024 23:59:59 GMT");
  EXPECT_EQ(Rfc3339(1709251199), "2024-02-29T23:59:59Z");
  // One second later is March.
  EXPECT_EQ(Imf(1709251200), "Fri, 01 Mar 2024 00:00:00 GMT");
  EXPECT_EQ(Rfc3339(1709251200), "2024-03-01T00:00:00Z");
}

TEST(DateCache, FormatsPastThe32BitRollover) {
  EXPECT_EQ(Imf(2147483648), "Tue, 19 Jan 2038 03:14:08 GMT");
  EXPECT_EQ(Rfc3339(2147483648), "2038-01-19T03:14:08Z");
}

TEST(DateCache, HeaderBlockCarriesServerAndDate) {
  DateCache cache;
  ASSERT_TRUE(cache.Update(784111777));
  EXPECT_EQ(cache.header_block(), "Server: keel\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  EXPECT_EQ(cache.imf_fixdate(), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(cache.rfc3339(), "1994-11-06T08:49:37Z");
  EXPECT_EQ(cache.now(), 784111777);
}

TEST(DateCache, UpdateReformatsOnlyWhenTheSecondChanges) {
  DateCache cache;
  ASSERT_TRUE(cache.Update(784111777));
  EXPECT_FALSE(cache.Update(784111777));
  EXPECT_EQ(cache.rfc3339(), "1994-11-06T08:49:37Z");
  EXPECT_TRUE(cache.Update(784111778));
  EXPECT_EQ(cache.imf_fixdate(), "Sun, 06 Nov 1994 08:49:38 GMT");
  EXPECT_EQ(cache.rfc3339(), "1994-11-06T08:49:38Z");
  EXPECT_EQ(cache.header_block(), "Server: keel\r\nDate: Sun, 06 Nov 1994 08:49:38 GMT\r\n");
}

TEST(DateCache, StartsWithTheCurrentTime) {
  std::time_t before = std::time(nullptr);
  DateCache cache;
  std::time_t after = std::time(nullptr);
  EXPECT_GE(cache.now(), before);
  EXPECT_LE(cache.now(), after);
  EXPECT_EQ(cache.imf_fixdate(), Imf(cache.now()));
  EXPECT_EQ(cache.rfc3339(), Rfc3339(cache.now()));
}

}  // namespace
}  // namespace keel::core

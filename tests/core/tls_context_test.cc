#include "core/tls_context.h"

#include <gtest/gtest.h>

#include <cstring>

namespace keel::core {
namespace {

using Found = TicketKeyRing::Found;

bool SameName(const TicketKeyRing::Key& a, const TicketKeyRing::Key& b) {
  return std::memcmp(a.name, b.name, sizeof a.name) == 0;
}

TEST(TicketKeyRing, SealsWithOneKeyUntilTheIntervalPasses) {
  TicketKeyRing ring(3600);
  TicketKeyRing::Key first = ring.ForSealing(1000);
  TicketKeyRing::Key later = ring.ForSealing(1000 + 3599);
  EXPECT_TRUE(SameName(first, later));
  TicketKeyRing::Key opened;
  EXPECT_EQ(ring.ForOpening(first.name, 1000 + 3599, &opened), Found::kCurrent);
  EXPECT_EQ(std::memcmp(opened.aes, first.aes, sizeof first.aes), 0);
  EXPECT_EQ(std::memcmp(opened.hmac, first.hmac, sizeof first.hmac), 0);
}

TEST(TicketKeyRing, RotatesHourlyAndKeepsThePreviousKeyForOpeningOnly) {
  TicketKeyRing ring(3600);
  TicketKeyRing::Key first = ring.ForSealing(0);
  TicketKeyRing::Key second = ring.ForSealing(3600);
  EXPECT_FALSE(SameName(first, second));
  TicketKeyRing::Key opened;
  // A ticket sealed with the previous key still opens, and asks for renewal.
  EXPECT_EQ(ring.ForOpening(first.name, 3600, &opened), Found::kPrevious);
  EXPECT_EQ(ring.ForOpening(second.name, 3600, &opened), Found::kCurrent);
  // One more rotation and the first key is gone.
  TicketKeyRing::Key third = ring.ForSealing(7200);
  EXPECT_FALSE(SameName(second, third));
  EXPECT_EQ(ring.ForOpening(first.name, 7200, &opened), Found::kNone);
  EXPECT_EQ(ring.ForOpening(second.name, 7200, &opened), Found::kPrevious);
}

TEST(TicketKeyRing, OpeningRotatesTooSoAnIdleServerDropsStaleKeys) {
  TicketKeyRing ring(3600);
  TicketKeyRing::Key first = ring.ForSealing(0);
  TicketKeyRing::Key opened;
  // Two intervals with no ticket issued: the old key is not even "previous".
  EXPECT_EQ(ring.ForOpening(first.name, 7200, &opened), Found::kNone);
}

TEST(TicketKeyRing, UnknownNamesAreNotFound) {
  TicketKeyRing ring(3600);
  ring.ForSealing(0);
  unsigned char name[16] = {};
  TicketKeyRing::Key opened;
  EXPECT_EQ(ring.ForOpening(name, 1, &opened), Found::kNone);
}

TEST(TlsContext, CreateNamesTheMissingFile) {
  TlsConfig config;
  config.cert_file = "/nonexistent/cert.pem";
  config.key_file = "/nonexistent/key.pem";
  Result<std::unique_ptr<TlsContext>> tls = TlsContext::Create(config);
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.status().message().find("--tls-cert /nonexistent/cert.pem"), std::string::npos)
      << tls.status().message();
}

}  // namespace
}  // namespace keel::core

// The stored record formats: round trips, and damage reported as
// Corruption rather than read past the end.
#include "storage/user_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace keel::storage {
namespace {

using Code = core::Status::Code;

UserRecord SampleUser() {
  UserRecord u;
  u.id = 99;  // not stored: the key carries it
  u.email = "Zoë@example.com";
  u.name = "Zoë";
  u.role = "admin";
  u.created_at = -5;  // negative survives the unsigned encoding
  u.updated_at = 1700000000;
  u.revision = 0x0102030405060708ull;
  u.token_version = 3;
  return u;
}

TEST(UserCodec, RoundTripsEveryField) {
  std::string stored;
  ASSERT_TRUE(EncodeUser(SampleUser(), "{\"id\":99}", &stored).ok());
  EXPECT_EQ(stored[0], 1);  // format byte
  UserRecord out;
  ASSERT_TRUE(DecodeUser(stored, &out).ok());
  UserRecord in = SampleUser();
  EXPECT_EQ(out.email, in.email);
  EXPECT_EQ(out.name, in.name);
  EXPECT_EQ(out.role, in.role);
  EXPECT_EQ(out.created_at, in.created_at);
  EXPECT_EQ(out.updated_at, in.updated_at);
  EXPECT_EQ(out.revision, in.revision);
  EXPECT_EQ(out.token_version, in.token_version);

  std::string_view json;
  uint64_t revision = 0;
  ASSERT_TRUE(DecodeUserJson(stored, &json, &revision).ok());
  EXPECT_EQ(json, "{\"id\":99}");
  EXPECT_EQ(revision, in.revision);
}

TEST(UserCodec, EmptyFieldsRoundTrip) {
  std::string stored;
  ASSERT_TRUE(EncodeUser(UserRecord{}, "", &stored).ok());
  UserRecord out = SampleUser();
  ASSERT_TRUE(DecodeUser(stored, &out).ok());
  EXPECT_TRUE(out.email.empty());
  EXPECT_TRUE(out.name.empty());
  EXPECT_TRUE(out.role.empty());
  std::string_view json = "x";
  uint64_t revision = 1;
  ASSERT_TRUE(DecodeUserJson(stored, &json, &revision).ok());
  EXPECT_TRUE(json.empty());
  EXPECT_EQ(revision, 0u);
}

TEST(UserCodec, DamageIsCorruption) {
  std::string stored;
  ASSERT_TRUE(EncodeUser(SampleUser(), "{}", &stored).ok());
  UserRecord out;
  std::string_view json;
  uint64_t revision;
  for (size_t cut : {size_t{0}, size_t{10}, size_t{47}, stored.size() - 1}) {
    EXPECT_EQ(DecodeUser(stored.substr(0, cut), &out).code(), Code::kCorruption) << cut;
    EXPECT_EQ(DecodeUserJson(stored.substr(0, cut), &json, &revision).code(), Code::kCorruption);
  }
  EXPECT_EQ(DecodeUser(stored + "x", &out).code(), Code::kCorruption);
  std::string other_format = stored;
  other_format[0] = 2;
  EXPECT_EQ(DecodeUser(other_format, &out).code(), Code::kCorruption);
  std::string huge_len = stored;
  huge_len[7] = '\x7f';  // email length far past the end
  EXPECT_EQ(DecodeUser(huge_len, &out).code(), Code::kCorruption);
}

TEST(UserCodec, RejectsOverlongRole) {
  UserRecord u = SampleUser();
  u.role = std::string(256, 'r');
  std::string stored;
  EXPECT_EQ(EncodeUser(u, "{}", &stored).code(), Code::kInvalidArgument);
}

TEST(SessionCodec, RoundTripsAndDetectsDamage) {
  SessionRecord in;
  in.user_id = 12345678901ull;
  in.family = std::string("\x00\xff\x10", 3) + std::string(13, 'f');
  in.expires_at = 1800000000;
  in.ends_at = 1800000500;
  in.used = true;
  std::string stored;
  ASSERT_TRUE(EncodeSession(in, &stored).ok());
  SessionRecord out;
  ASSERT_TRUE(DecodeSession(stored, &out).ok());
  EXPECT_EQ(out.user_id, in.user_id);
  EXPECT_EQ(out.family, in.family);
  EXPECT_EQ(out.expires_at, in.expires_at);
  EXPECT_EQ(out.ends_at, in.ends_at);
  EXPECT_TRUE(out.used);
  EXPECT_EQ(DecodeSession(stored.substr(0, 20), &out).code(), Code::kCorruption);
  EXPECT_EQ(DecodeSession(stored.substr(0, stored.size() - 1), &out).code(), Code::kCorruption);
  stored[0] = 9;
  EXPECT_EQ(DecodeSession(stored, &out).code(), Code::kCorruption);
}

// Sessions stored before --session-max-age (format 1, a 24-byte header)
// still decode, and end when they expire: they cannot slide on.
TEST(SessionCodec, ReadsFormatOneAsEndingAtItsExpiry) {
  std::string v1(24, '\0');
  v1[0] = 1;
  v1[2] = 2;
  v1[8] = 7;                         // user id 7
  v1[16] = static_cast<char>(0x10);  // expires_at 16
  v1 += "ff";
  SessionRecord out;
  ASSERT_TRUE(DecodeSession(v1, &out).ok());
  EXPECT_EQ(out.user_id, 7u);
  EXPECT_EQ(out.expires_at, 16);
  EXPECT_EQ(out.ends_at, 16);
  EXPECT_EQ(out.family, "ff");
}

}  // namespace
}  // namespace keel::storage

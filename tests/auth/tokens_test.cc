#include "auth/tokens.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace keel::auth {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

bool Decodes(std::string_view text) { return Base64UrlDecode(text).ok(); }

// RFC 4648 section 10, with the padding removed.
TEST(Base64Url, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, DecodesRfc4648Vectors) {
  EXPECT_EQ(Base64UrlDecode("").value(), "");
  EXPECT_EQ(Base64UrlDecode("Zg").value(), "f");
  EXPECT_EQ(Base64UrlDecode("Zm8").value(), "fo");
  EXPECT_EQ(Base64UrlDecode("Zm9v").value(), "foo");
  EXPECT_EQ(Base64UrlDecode("Zm9vYg").value(), "foob");
  EXPECT_EQ(Base64UrlDecode("Zm9vYmE").value(), "fooba");
  EXPECT_EQ(Base64UrlDecode("Zm9vYmFy").value(), "foobar");
}

// Standard base64 of fb ff bf is "+/+/"; the URL alphabet uses '-' and '_'.
TEST(Base64Url, UsesTheUrlAlphabet) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_-_").value(), "\xfb\xff\xbf");
  EXPECT_EQ(Base64UrlDecode("-_8").value(), "\xfb\xff");
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(decoded.ok()) << n;
    EXPECT_EQ(decoded.value(), bytes) << n;
    bytes += static_cast<char>(n * 37 + 255);
  }
}

TEST(Base64Url, RejectsPadding) {
  EXPECT_FALSE(Decodes("Zg=="));
  EXPECT_FALSE(Decodes("Zg="));
  EXPECT_FALSE(Decodes("Zm8="));
  EXPECT_FALSE(Decodes("Zm9v===="));
  EXPECT_FALSE(Decodes("="));
}

TEST(Base64Url, RejectsTheStandardAlphabetsExtraCharacters) {
  EXPECT_FALSE(Decodes("+_-_"));
  EXPECT_FALSE(Decodes("-/-_"));
  EXPECT_FALSE(Decodes("+/+/"));
}

TEST(Base64Url, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_FALSE(Decodes("Zm9v Yg"));
  EXPECT_FALSE(Decodes("Zm9v\n"));
  EXPECT_FALSE(Decodes("Zm9v."));
  EXPECT_FALSE(Decodes(std::string_view("Zm\0v", 4)));
  EXPECT_FALSE(Decodes("Zm9\xc3\xa9"));
}

TEST(Base64Url, RejectsImpossibleLengths) {
  EXPECT_FALSE(Decodes("Z"));
  EXPECT_FALSE(Decodes("Zm9vY"));
}

// "Zh" has the same first byte as "Zg" but nonzero unused bits: a second
// spelling of "f" that a strict decoder refuses.
TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  EXPECT_FALSE(Decodes("Zh"));
  EXPECT_FALSE(Decodes("Zm9"));
  EXPECT_TRUE(Decodes("Zm8"));
}

TEST(Base64Url, DecodeToReplacesTheOutput) {
  std::string out = "previous content that is longer";
  ASSERT_TRUE(Base64UrlDecodeTo("Zm9v", out));
  EXPECT_EQ(out, "foo");
  EXPECT_FALSE(Base64UrlDecodeTo("Zm9v=", out));
}

TEST(RandomBytes, HasTheRequestedSizeAndVaries) {
  EXPECT_EQ(RandomBytes(0).size(), 0u);
  EXPECT_EQ(RandomBytes(17).size(), 17u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(NewRefreshToken, Is43UrlSafeCharactersOf32Bytes) {
  const std::string token = NewRefreshToken();
  ASSERT_EQ(token.size(), 43u);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_"),
            std::string::npos);
  auto bytes = Base64UrlDecode(token);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes.value().size(), 32u);
}

TEST(NewRefreshToken, IsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(NewRefreshToken()).second);
}

// Expected values from Python's hashlib.blake2b(data, digest_size=32).
TEST(HashToken, IsBlake2b256) {
  EXPECT_EQ(Hex(HashToken("abc")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  EXPECT_EQ(Hex(HashToken("")), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

TEST(HashToken, Is32BytesDeterministicAndDistinct) {
  const std::string token = NewRefreshToken();
  EXPECT_EQ(HashToken(token).size(), 32u);
  EXPECT_EQ(HashToken(token), HashToken(token));
  EXPECT_NE(HashToken(token), HashToken(NewRefreshToken()));
  EXPECT_NE(HashToken(token), token);
}

}  // namespace
}  // namespace keel::auth

#include "auth/tokens.h"

#include <sodium.h>

#include <cstdint>

#include "auth/sodium_init.h"

namespace keel::auth {

namespace {

// libsodium is not built with sanitizers and an empty std::string_view may
// have a null data(); hand it a real pointer either way.
const char* DataOf(std::string_view s) { return s.empty() ? "" : s.data(); }

}  // namespace

// Base64url is written here rather than with sodium_bin2base64 and
// sodium_base642bin: libsodium's codec is constant-time, which costs about
// 6 ns a byte, and every authenticated request decodes a whole token. The
// bytes decoded here (JWT header, payload, MAC) are not secret; the MAC is
// compared in constant time after decoding.
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// 0..63 for the alphabet, 0xff for everything else ('=', '+', '/', ...).
struct DecodeTable {
  uint8_t value[256];
  constexpr DecodeTable() : value() {
    for (int i = 0; i < 256; ++i) value[i] = 0xff;
    for (int i = 0; i < 64; ++i)
      value[static_cast<unsigned char>(kAlphabet[i])] = static_cast<uint8_t>(i);
  }
};
constexpr DecodeTable kDecode;

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  std::string out;
  out.resize((n / 3) * 4 + (n % 3 == 0 ? 0 : n % 3 + 1));
  char* o = out.data();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t{in[i]} << 16;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8);
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
  }
  return out;
}

// Strict RFC 4648 section 5 without padding: only the 64 alphabet
// characters; a length of 4k+1 is impossible; the unused low bits of the
// last character must be zero, so every byte string has exactly one
// encoding (no malleable tokens).
bool Base64UrlDecodeTo(std::string_view text, std::string& out) {
  const size_t n = text.size();
  if (n % 4 == 1) return false;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  out.resize(n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
  char* o = out.data();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t a = kDecode.value[in[i]], b = kDecode.value[in[i + 1]],
                   c = kDecode.value[in[i + 2]], d = kDecode.value[in[i + 3]];
    if ((a | b | c | d) & 0x80) return false;
    const uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>((v >> 8) & 0xff);
    *o++ = static_cast<char>(v & 0xff);
  }
  const size_t rest = n - i;
  if (rest >= 2) {
    const uint32_t a = kDecode.value[in[i]], b = kDecode.value[in[i + 1]];
    const uint32_t c = rest == 3 ? kDecode.value[in[i + 2]] : 0;
    if ((a | b | c) & 0x80) return false;
    const uint32_t v = (a << 18) | (b << 12) | (c << 6);
    *o++ = static_cast<char>(v >> 16);
    if (rest == 3) {
      *o++ = static_cast<char>((v >> 8) & 0xff);
      if (v & 0xff) return false;  // non-canonical: unused bits set
    } else if (v & 0xffff) {
      return false;
    }
  }
  return true;
}

core::Result<std::string> Base64UrlDecode(std::string_view text) {
  std::string out;
  if (!Base64UrlDecodeTo(text, out)) return core::Status::InvalidArgument("invalid base64url");
  return out;
}

std::string RandomBytes(size_t n) {
  EnsureSodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string NewRefreshToken() { return Base64UrlEncode(RandomBytes(32)); }

std::string HashToken(std::string_view token) {
  EnsureSodium();
  std::string out(crypto_generichash_BYTES, '\0');
  static_assert(crypto_generichash_BYTES == 32, "stored token hashes are 32 bytes");
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(DataOf(token)), token.size(), nullptr,
                     0);
  return out;
}

}  // namespace keel::auth

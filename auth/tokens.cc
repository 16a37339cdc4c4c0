#include "auth/tokens.h"

#include <sodium.h>

#include "auth/sodium_init.h"

namespace keel::auth {

namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

// libsodium is not built with sanitizers and an empty std::string_view may
// have a null data(); hand it a real pointer either way.
const char* DataOf(std::string_view s) { return s.empty() ? "" : s.data(); }

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  // The encoded length libsodium reports counts the terminating NUL.
  const size_t with_nul = sodium_base64_encoded_len(bytes.size(), kVariant);
  std::string out(with_nul, '\0');
  sodium_bin2base64(out.data(), with_nul, reinterpret_cast<const unsigned char*>(DataOf(bytes)),
                    bytes.size(), kVariant);
  out.resize(with_nul - 1);
  return out;
}

bool Base64UrlDecodeTo(std::string_view text, std::string& out) {
  // The no-padding variant already treats '=' as outside the alphabet; the
  // explicit check keeps the rule visible and independent of that detail.
  if (text.find('=') != std::string_view::npos) return false;
  // Four characters carry three bytes; a lone trailing character carries
  // none and is rejected below by libsodium (it leaves unused bits).
  out.resize(text.size() / 4 * 3 + 2);
  size_t len = 0;
  // With a null b64_end, libsodium fails unless it consumed the whole input,
  // so any stray character ('+', '/', whitespace) is an error; it also
  // rejects a final character whose unused bits are not zero (non-canonical).
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), DataOf(text),
                        text.size(), nullptr, &len, nullptr, kVariant) != 0) {
    return false;
  }
  out.resize(len);
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

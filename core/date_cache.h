// Formats the current time at most once a second instead of once a response.
//
// Each worker owns one DateCache and calls UpdateNow() from its 250 ms tick
// (and once at start); Update re-formats only when the second changed, so
// the text is at most a tick behind the clock. The views it returns stay
// valid until the next Update on the same thread. Loop thread only.
#pragma once

#include <ctime>
#include <string_view>

namespace keel::core {

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 IMF-fixdate) into out[29].
void FormatImfFixdate(std::time_t t, char out[29]);
// "2026-01-01T00:00:00Z" (RFC 3339, UTC) into out[20].
void FormatRfc3339(std::time_t t, char out[20]);

class DateCache {
 public:
  DateCache();
  // Re-formats if the second changed. Returns true when it did.
  bool Update(std::time_t now);
  void UpdateNow() { Update(std::time(nullptr)); }

  std::time_t now() const { return now_; }
  // "Server: keel\r\nDate: <IMF-fixdate>\r\n": the block every response carries.
  std::string_view header_block() const { return {block_, kBlockLen}; }
  std::string_view imf_fixdate() const { return {block_ + kDateOffset, 29}; }
  std::string_view rfc3339() const { return {rfc3339_, 20}; }

 private:
  static constexpr size_t kDateOffset = 20;  // strlen("Server: keel\r\nDate: ")
  static constexpr size_t kBlockLen = kDateOffset + 29 + 2;

  std::time_t now_ = -1;
  char block_[kBlockLen];
  char rfc3339_[20];
};

}  // namespace keel::core

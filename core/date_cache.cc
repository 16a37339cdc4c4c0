#include "core/date_cache.h"

#include <cstring>

namespace keel::core {
namespace {

constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr char kPrefix[] = "Server: keel\r\nDate: ";

void Put2(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

void Put4(char* p, int v) {
  Put2(p, v / 100);
  Put2(p + 2, v % 100);
}

}  // namespace

// Hand-formatted rather than strftime: strftime honours the locale, and
// IMF-fixdate must be English whatever LANG says.
void FormatImfFixdate(std::time_t t, char out[29]) {
  std::tm tm;
  gmtime_r(&t, &tm);
  std::memcpy(out, kDays[tm.tm_wday], 3);
  out[3] = ',';
  out[4] = ' ';
  Put2(out + 5, tm.tm_mday);
  out[7] = ' ';
  std::memcpy(out + 8, kMonths[tm.tm_mon], 3);
  out[11] = ' ';
  Put4(out + 12, tm.tm_year + 1900);
  out[16] = ' ';
  Put2(out + 17, tm.tm_hour);
  out[19] = ':';
  Put2(out + 20, tm.tm_min);
  out[22] = ':';
  Put2(out + 23, tm.tm_sec);
  std::memcpy(out + 25, " GMT", 4);
}

void FormatRfc3339(std::time_t t, char out[20]) {
  std::tm tm;
  gmtime_r(&t, &tm);
  Put4(out, tm.tm_year + 1900);
  out[4] = '-';
  Put2(out + 5, tm.tm_mon + 1);
  out[7] = '-';
  Put2(out + 8, tm.tm_mday);
  out[10] = 'T';
  Put2(out + 11, tm.tm_hour);
  out[13] = ':';
  Put2(out + 14, tm.tm_min);
  out[16] = ':';
  Put2(out + 17, tm.tm_sec);
  out[19] = 'Z';
}

DateCache::DateCache() {
  std::memcpy(block_, kPrefix, kDateOffset);
  block_[kBlockLen - 2] = '\r';
  block_[kBlockLen - 1] = '\n';
  UpdateNow();
}

bool DateCache::Update(std::time_t now) {
  if (now == now_) return false;
  now_ = now;
  FormatImfFixdate(now, block_ + kDateOffset);
  FormatRfc3339(now, rfc3339_);
  return true;
}

}  // namespace keel::core

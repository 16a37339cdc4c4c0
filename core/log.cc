#include "core/log.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <string>

#include "core/date_cache.h"
#include "core/json_writer.h"

namespace keel::core {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kText)};

constexpr const char* kNames[] = {"error", "warn", "info", "debug"};

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

void SetLogFormat(LogFormat format) { g_format.store(static_cast<int>(format)); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed);
}

void Log(LogLevel level, const char* fmt, ...) {
  char line[1024];
  char ts[20];
  FormatRfc3339(std::time(nullptr), ts);
  if (g_format.load(std::memory_order_relaxed) == static_cast<int>(LogFormat::kJson)) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int m = std::vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = m < 0 ? 0 : std::min(static_cast<size_t>(m), sizeof msg - 1);
    std::string json;
    JsonWriter w(json);
    w.BeginObject();
    w.Key("time");
    w.String(std::string_view(ts, 20));
    w.Key("level");
    w.String(kNames[static_cast<int>(level)]);
    w.Key("msg");
    w.String(std::string_view(msg, len));
    w.EndObject();
    json += '\n';
    ssize_t w2 = ::write(STDERR_FILENO, json.data(), json.size());
    (void)w2;
    return;
  }
  int n = std::snprintf(line, sizeof line, "%.20s keel %s: ", ts, kNames[static_cast<int>(level)]);
  va_list ap;
  va_start(ap, fmt);
  int m = std::vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
  va_end(ap);
  size_t len = static_cast<size_t>(n) + (m < 0 ? 0 : static_cast<size_t>(m));
  if (len > sizeof line - 2) len = sizeof line - 2;
  line[len++] = '\n';
  ssize_t w = ::write(STDERR_FILENO, line, len);
  (void)w;  // nowhere left to report a failed log write
}

}  // namespace keel::core

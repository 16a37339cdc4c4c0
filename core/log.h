// Minimal leveled logging to stderr, one line per call, safe from any thread
// (each line is formatted into a local buffer and written with one write(2),
// so lines from different workers do not interleave). Logging is for the cold
// path: startup, shutdown, errors. Never log passwords or tokens.
//
// Two formats: text ("2026-01-01T00:00:00Z keel info: message") and JSON,
// one object per line: {"time":"...","level":"info","msg":"..."}, the
// message escaped (--log-format json).
#pragma once

#include <string_view>

namespace keel::core {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

void SetLogLevel(LogLevel level);

enum class LogFormat { kText = 0, kJson = 1 };
// Parses "text" or "json". Returns false on anything else.
void SetLogFormat(LogFormat format);
bool LogEnabled(LogLevel level);

void Log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

#define KEEL_LOG(level, ...)                                                    \
  do {                                                                          \
    if (::keel::core::LogEnabled(level)) ::keel::core::Log(level, __VA_ARGS__); \
  } while (0)
#define LOG_ERROR(...) KEEL_LOG(::keel::core::LogLevel::kError, __VA_ARGS__)
#define LOG_WARN(...) KEEL_LOG(::keel::core::LogLevel::kWarn, __VA_ARGS__)
#define LOG_INFO(...) KEEL_LOG(::keel::core::LogLevel::kInfo, __VA_ARGS__)
#define LOG_DEBUG(...) KEEL_LOG(::keel::core::LogLevel::kDebug, __VA_ARGS__)

}  // namespace keel::core

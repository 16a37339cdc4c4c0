#include "http/status_line.h"

#include <array>
#include <string>

namespace keel::http {
namespace {

struct Reason {
  int code;
  const char* text;
};

constexpr Reason kReasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {301, "Moved Permanently"},
    {304, "Not Modified"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {417, "Expectation Failed"},
    {422, "Unprocessable Content"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {503, "Service Unavailable"},
    {505, "HTTP Version Not Supported"},
    {507, "Insufficient Storage"},
};

struct Tables {
  std::array<std::string_view, 600> reasons;
  std::array<std::string, 600> lines;

  Tables() {
    reasons.fill("Unknown");
    for (const Reason& r : kReasons) reasons[r.code] = r.text;
    for (int code = 100; code < 600; ++code) {
      lines[code] = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reasons[code]) + "\r\n";
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  if (status < 100 || status >= 600) return "Unknown";
  return GetTables().reasons[status];
}

std::string_view StatusLine(int status) {
  if (status < 100 || status >= 600) status = 500;
  return GetTables().lines[status];
}

}  // namespace keel::http

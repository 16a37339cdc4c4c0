// Precomputed status lines ("HTTP/1.1 404 Not Found\r\n") and reason phrases,
// built once at startup so writing a response copies bytes and formats
// nothing.
#pragma once

#include <string_view>

namespace keel::http {

// Reason phrase for `status`; "Unknown" for codes Keel never sends.
std::string_view ReasonPhrase(int status);
// "HTTP/1.1 <code> <reason>\r\n" for 100..599.
std::string_view StatusLine(int status);

}  // namespace keel::http

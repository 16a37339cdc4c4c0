// The house error format, shared by every error Keel sends:
// {"error":"Not Found","code":404,"message":"...","request_id":"...",
//  "timestamp":"2026-01-01T00:00:00Z"}
#pragma once

#include <string>
#include <string_view>

namespace keel::http {

// Appends the JSON error body to `out`. `message` is escaped (and any invalid
// UTF-8 replaced), so it may carry user input safely. "request_id" is left
// out when `request_id` is empty.
void AppendErrorBody(std::string& out, int status, std::string_view message,
                     std::string_view timestamp, std::string_view request_id = {});

}  // namespace keel::http

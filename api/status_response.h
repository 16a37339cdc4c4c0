// Turning a core::Status into an HTTP answer in the house format.
#pragma once

#include "core/status.h"
#include "http/response.h"

namespace keel::api {

int HttpStatusFor(const core::Status& s);
// Sends the status's HTTP code with its message. A 500 (I/O error or
// corruption) is logged at error level and its message replaced by a
// generic one so internals do not leak; every 503 (Busy: a full queue;
// Unavailable) adds "Retry-After: 1"; 401 goes through SendUnauthorized.
void SendStatus(http::Response& res, const core::Status& s);
// 429 with Retry-After: `seconds` (at least 1).
void SendRetryLater(http::Response& res, uint32_t seconds, std::string_view message);
// 401 with WWW-Authenticate, for a missing or unusable bearer token.
void SendUnauthorized(http::Response& res, std::string_view message, bool token_was_sent);

}  // namespace keel::api

// Turning a core::Status into an HTTP answer in the house format.
#pragma once

#include "core/status.h"
#include "http/response.h"

namespace keel::api {

int HttpStatusFor(const core::Status& s);
// Sends the status's HTTP code with its message. Server-side failures
// (5xx) are logged; their message is replaced by a generic one so internals
// do not leak. Busy (a full queue) adds Retry-After.
void SendStatus(http::Response& res, const core::Status& s);
// 401 with WWW-Authenticate, for a missing or unusable bearer token.
// 429 with Retry-After: `seconds` (at least 1).
void SendRetryLater(http::Response& res, uint32_t seconds, std::string_view message);
void SendUnauthorized(http::Response& res, std::string_view message, bool token_was_sent);

}  // namespace keel::api

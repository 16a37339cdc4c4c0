#include "api/status_response.h"


#include "core/ascii.h"

#include "core/log.h"

namespace keel::api {

using Code = core::Status::Code;

int HttpStatusFor(const core::Status& s) {
  switch (s.code()) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
    case Code::kConflict:
      return 409;
    case Code::kFailedPrecondition:
      return 412;
    case Code::kPermissionDenied:
      return 403;
    case Code::kUnauthenticated:
      return 401;
    case Code::kResourceExhausted:
      return 507;
    case Code::kBusy:
    case Code::kUnavailable:
      return 503;
    case Code::kIoError:
    case Code::kCorruption:
      return 500;
  }
  return 500;
}

void SendStatus(http::Response& res, const core::Status& s) {
  int code = HttpStatusFor(s);
  if (code == 401) {
    SendUnauthorized(res, s.message(), true);
    return;
  }
  if (code == 503) res.AddHeader("Retry-After", "1");
  if (code == 500) {
    LOG_ERROR("request failed: %s", s.message().c_str());
    res.SendError(500, "internal error; the server logged the details");
    return;
  }
  res.SendError(code, s.message());
}

void SendUnauthorized(http::Response& res, std::string_view message, bool token_was_sent) {
  // RFC 6750 section 3: a request without credentials gets the bare
  // challenge; a bad token gets error="invalid_token".
  res.AddHeader("WWW-Authenticate", token_was_sent
                                        ? "Bearer realm=\"keel\", error=\"invalid_token\""
                                        : "Bearer realm=\"keel\"");
  res.SendError(401, message);
}

void SendRetryLater(http::Response& res, uint32_t seconds, std::string_view message) {
  char buf[core::kRetryAfterBytes];
  res.AddHeader("Retry-After", core::FormatRetryAfter(seconds, buf));
  res.SendError(429, message);
}

}  // namespace keel::api

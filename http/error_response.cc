#include "http/error_response.h"

#include "core/json_writer.h"
#include "http/status_line.h"

namespace keel::http {

void AppendErrorBody(std::string& out, int status, std::string_view message,
                     std::string_view timestamp, std::string_view request_id) {
  core::JsonWriter w(out);
  w.BeginObject();
  w.Key("error");
  w.String(ReasonPhrase(status));
  w.Key("code");
  w.Int(status);
  w.Key("message");
  w.String(message);
  if (!request_id.empty()) {
    w.Key("request_id");
    w.String(request_id);
  }
  w.Key("timestamp");
  w.String(timestamp);
  w.EndObject();
}

}  // namespace keel::http

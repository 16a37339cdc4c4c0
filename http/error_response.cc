#include "http/error_response.h"

#include "core/json_writer.h"
#include "http/status_line.h"

namespace keel::http {

void AppendErrorBody(std::string& out, int status, std::string_view message,
                     std::string_view timestamp) {
  core::JsonWriter w(out);
  w.BeginObject();
  w.Key("error");
  w.String(ReasonPhrase(status));
  w.Key("code");
  w.Int(status);
  w.Key("message");
  w.String(message);
  w.Key("timestamp");
  w.String(timestamp);
  w.EndObject();
}

}  // namespace keel::http

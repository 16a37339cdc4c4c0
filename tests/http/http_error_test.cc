#include "http/http_error.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "core/buffer.h"
#include "core/buffer_pool.h"
#include "http/request_record.h"
#include "http/response.h"
#include "http/trace_context.h"

namespace keel::http {
namespace {

constexpr std::string_view kDate = "Server: keel\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
constexpr std::string_view kTimestamp = "1994-11-06T08:49:37Z";

// What a handler's Response::SendError writes for the same status and
// message on a connection that is closing.
std::string ViaResponse(int status, std::string_view message, RequestRecord* record = nullptr) {
  core::BufferPool pool(64 * 1024);
  core::Buffer out;
  out.Attach(&pool);
  std::string scratch;
  Response res;
  Response::Context c;
  c.out = &out;
  c.scratch = &scratch;
  c.date_block = kDate;
  c.timestamp = kTimestamp;
  c.keep_alive = false;
  c.record = record;
  res.Reset(c);
  res.SendError(status, message);
  std::string text(out.view());
  out.Release();
  return text;
}

std::string Prebuilt(HttpError e, const RequestRecord* record = nullptr) {
  core::BufferPool pool(64 * 1024);
  core::Buffer out;
  out.Attach(&pool);
  AppendErrorAnswer(out, e, kDate, kTimestamp, record);
  std::string text(out.view());
  out.Release();
  return text;
}

// The prebuilt answers are byte for byte what the general path would have
// written, for every error: clients cannot tell them apart.
TEST(HttpError, PrebuiltAnswersMatchTheGeneralPath) {
  for (int i = 1; i < static_cast<int>(HttpError::kCount); ++i) {
    auto e = static_cast<HttpError>(i);
    const HttpErrorInfo& info = Describe(e);
    ASSERT_GE(info.status, 400) << i;
    ASSERT_FALSE(info.message.empty()) << i;
    EXPECT_EQ(Prebuilt(e), ViaResponse(info.status, info.message)) << i;
  }
}

RequestRecord RecordWithId(std::string_view id) {
  RequestRecord r;
  std::memcpy(r.request_id, id.data(), id.size());
  r.request_id_len = static_cast<uint8_t>(id.size());
  IdSource ids(7);
  char trace[32], span[16];
  ids.RandomHex(trace, 16);
  ids.RandomHex(span, 8);
  FormatTraceparent(trace, span, 1, r.traceparent);
  return r;
}

// With a request id they still match: X-Request-Id and traceparent in the
// head, "request_id" in the body, and a Content-Length that counts it.
TEST(HttpError, PrebuiltAnswersWithRequestIdMatchTheGeneralPath) {
  for (std::string_view id :
       {std::string_view("a"), std::string_view("0123456789abcdef-0000000000000001"),
        std::string_view("x.y_z:1-2")}) {
    RequestRecord prebuilt = RecordWithId(id);
    RequestRecord general = prebuilt;
    for (int i = 1; i < static_cast<int>(HttpError::kCount); ++i) {
      auto e = static_cast<HttpError>(i);
      const HttpErrorInfo& info = Describe(e);
      std::string a = Prebuilt(e, &prebuilt);
      EXPECT_EQ(a, ViaResponse(info.status, info.message, &general)) << i;
      EXPECT_NE(a.find("X-Request-Id: " + std::string(id) + "\r\n"), std::string::npos);
      EXPECT_NE(a.find("\"request_id\":\"" + std::string(id) + "\""), std::string::npos);
      EXPECT_NE(a.find("traceparent: 00-"), std::string::npos);
    }
  }
}

TEST(HttpError, NoneHasNoStatus) {
  EXPECT_EQ(Describe(HttpError::kNone).status, 0);
  EXPECT_EQ(Describe(HttpError::kNone).message, "");
}

}  // namespace
}  // namespace keel::http

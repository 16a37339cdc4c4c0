#include "http/http_error.h"

#include <gtest/gtest.h>

#include <string>

#include "core/buffer.h"
#include "core/buffer_pool.h"
#include "http/response.h"

namespace keel::http {
namespace {

constexpr std::string_view kDate = "Server: keel\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
constexpr std::string_view kTimestamp = "1994-11-06T08:49:37Z";

// What a handler's Response::SendError writes for the same status and
// message on a connection that is closing.
std::string ViaResponse(int status, std::string_view message) {
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
  res.Reset(c);
  res.SendError(status, message);
  std::string text(out.view());
  out.Release();
  return text;
}

std::string Prebuilt(HttpError e) {
  core::BufferPool pool(64 * 1024);
  core::Buffer out;
  out.Attach(&pool);
  AppendErrorAnswer(out, e, kDate, kTimestamp);
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

TEST(HttpError, NoneHasNoStatus) {
  EXPECT_EQ(Describe(HttpError::kNone).status, 0);
  EXPECT_EQ(Describe(HttpError::kNone).message, "");
}

}  // namespace
}  // namespace keel::http

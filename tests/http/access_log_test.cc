#include "http/access_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace keel::http {
namespace {

RequestRecord Sample(uint64_t n) {
  RequestRecord r;
  std::string id = "req-" + std::to_string(n);
  std::memcpy(r.request_id, id.data(), id.size());
  r.request_id_len = static_cast<uint8_t>(id.size());
  std::memset(r.traceparent, 'a', sizeof r.traceparent);
  r.method = Method::kGet;
  r.route = "/api/users/{id}";
  std::string path(300, 'p');  // longer than the 256 bytes kept
  r.path_len = RequestRecord::kMaxLoggedBytes;
  std::memcpy(r.path, path.data(), r.path_len);
  r.status = 200;
  return r;
}

// A sink that stops reading: lines beyond what the pipe and the worker's
// buffer hold are dropped and counted, and Write never waits.
TEST(AccessLog, DropsAndCountsWhenTheSinkStalls) {
  char dir[] = "/tmp/keel-log-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string fifo = std::string(dir) + "/sink";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> drain{false};
  std::atomic<size_t> lines_read{0};
  std::thread reader([&] {
    int fd = ::open(fifo.c_str(), O_RDONLY);  // meets the log's open
    while (!drain.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
      for (ssize_t i = 0; i < n; ++i) lines_read += buf[i] == '\n';
    }
    ::close(fd);
  });
  auto log = AccessLog::Open(fifo, 1);
  ASSERT_TRUE(log.ok()) << log.status().message();
  AccessLog::Worker* w = log.value()->worker(0);
  constexpr uint64_t kLines = 20000;  // ~10 MB: far more than pipe + buffer
  for (uint64_t i = 0; i < kLines; ++i) w->Write(Sample(i));
  EXPECT_GT(w->dropped(), 0u);
  EXPECT_EQ(w->written() + w->dropped(), kLines);
  EXPECT_EQ(log.value()->dropped(), w->dropped());
  drain = true;
  uint64_t written = w->written();
  log.value().reset();  // flushes, closes: the reader sees EOF
  reader.join();
  EXPECT_EQ(lines_read.load(), written);
  ::unlink(fifo.c_str());
  ::rmdir(dir);
}

TEST(AccessLog, LinesAreJsonWithCappedPath) {
  char dir[] = "/tmp/keel-log-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string file = std::string(dir) + "/access.log";
  {
    auto log = AccessLog::Open(file, 2);
    ASSERT_TRUE(log.ok());
    RequestRecord r = Sample(7);
    r.user_id = 42;
    r.start_ns = 1000;
    r.end_ns = 5000;
    log.value()->worker(1)->Write(r);
  }
  FILE* f = std::fopen(file.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char line[4096] = {};
  ASSERT_NE(std::fgets(line, sizeof line, f), nullptr);
  std::fclose(f);
  std::string s(line);
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(s.rfind("{\"time\":\"", 0), 0u) << s;
  EXPECT_NE(s.find("\"request_id\":\"req-7\""), std::string::npos) << s;
  EXPECT_NE(s.find("\"route\":\"/api/users/{id}\""), std::string::npos);
  EXPECT_NE(s.find("\"path\":\"" + std::string(256, 'p') + "\""), std::string::npos);
  EXPECT_NE(s.find("\"duration_us\":4,\"user_id\":42,"), std::string::npos) << s;
  ::unlink(file.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace keel::http

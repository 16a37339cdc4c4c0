#include "http/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/date_cache.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "http/request.h"

namespace keel::http {
namespace {

constexpr auto kWriterPeriod = std::chrono::milliseconds(50);

int OpenFile(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

}  // namespace

AccessLog::Worker::Worker(AccessLog* log) : log_(log) {
  line_.reserve(2048);
  pending_.reserve(kWorkerBufferBytes);
}

void AccessLog::Worker::FormatTime(char* out) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);  // vDSO: no system call
  if (ts.tv_sec != cached_second_) {
    char full[20];
    core::FormatRfc3339(ts.tv_sec, full);  // "...T00:00:00Z"
    std::memcpy(cached_prefix_, full, 19);
    cached_second_ = ts.tv_sec;
  }
  std::memcpy(out, cached_prefix_, 19);
  int ms = static_cast<int>(ts.tv_nsec / 1000000);
  out[19] = '.';
  out[20] = static_cast<char>('0' + ms / 100);
  out[21] = static_cast<char>('0' + ms / 10 % 10);
  out[22] = static_cast<char>('0' + ms % 10);
  out[23] = 'Z';
}

void AccessLog::Worker::Write(const RequestRecord& r) {
  std::string& line = line_;
  line.clear();
  char time[24];
  FormatTime(time);
  char remote[46];
  std::string_view remote_text = FormatAddress({r.remote, r.remote_len}, remote);
  core::JsonWriter w(line);
  w.BeginObject();
  w.Key("time");
  w.String({time, sizeof time});
  w.Key("request_id");
  w.String(r.request_id_view());
  w.Key("trace_id");
  w.String(r.trace_id());
  w.Key("span_id");
  w.String(r.span_id());
  w.Key("remote");
  w.String(remote_text);
  w.Key("method");
  w.String(MethodName(r.method));
  w.Key("route");
  w.String(r.route);
  w.Key("path");
  w.String({r.path, r.path_len});
  w.Key("status");
  w.Int(r.status);
  w.Key("bytes_in");
  w.Uint(r.bytes_in);
  w.Key("bytes_out");
  w.Uint(r.bytes_out);
  w.Key("duration_us");
  w.Uint(r.end_ns >= r.start_ns ? (r.end_ns - r.start_ns) / 1000 : 0);
  if (r.user_id != 0) {
    w.Key("user_id");
    w.Uint(r.user_id);
  }
  w.Key("user_agent");
  w.String({r.user_agent, r.user_agent_len});
  w.EndObject();
  line += '\n';

  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.size() + line.size() > kWorkerBufferBytes) {
      dropped_.Add();
      return;
    }
    pending_ += line;
    wake = pending_.size() > kWorkerBufferBytes / 2;
  }
  lines_.Add();
  if (wake) log_->WakeWriter();
}

core::Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path,
                                                         unsigned workers) {
  int fd = STDOUT_FILENO;
  if (path != "-") {
    fd = OpenFile(path);
    if (fd < 0) {
      return core::Status::IoError("--access-log " + path + ": " + std::strerror(errno));
    }
  }
  return std::unique_ptr<AccessLog>(new AccessLog(path, fd, workers == 0 ? 1 : workers));
}

AccessLog::AccessLog(std::string path, int fd, unsigned workers) : path_(std::move(path)), fd_(fd) {
  for (unsigned i = 0; i < workers; ++i)
    workers_.push_back(std::unique_ptr<Worker>(new Worker(this)));
  thread_ = std::thread([this] { Run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (fd_ != STDOUT_FILENO && fd_ >= 0) ::close(fd_);
}

void AccessLog::WakeWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  wake_.notify_one();
}

void AccessLog::Reopen() {
  reopen_.store(true);
  WakeWriter();
}

uint64_t AccessLog::dropped() const {
  uint64_t n = 0;
  for (const auto& w : workers_) n += w->dropped();
  return n;
}

void AccessLog::WriteAll(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report it but the diagnostic log, which may be the same sink
    done += static_cast<size_t>(n);
  }
}

void AccessLog::Run() {
  // The writer's own buffer, swapped with each worker's full one: both keep
  // their capacity, so the swaps allocate nothing.
  std::string batch;
  batch.reserve(kWorkerBufferBytes);
  for (;;) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, kWriterPeriod, [this] { return stopping_ || woken_; });
      woken_ = false;
      stopping = stopping_;
    }
    if (reopen_.exchange(false) && path_ != "-") {
      int fd = OpenFile(path_);
      if (fd < 0) {
        LOG_ERROR("--access-log %s: cannot reopen: %s", path_.c_str(), std::strerror(errno));
      } else {
        ::close(fd_);
        fd_ = fd;
      }
    }
    for (auto& w : workers_) {
      {
        std::lock_guard<std::mutex> lock(w->mu_);
        batch.swap(w->pending_);
      }
      WriteAll(batch);
      batch.clear();
    }
    if (stopping) return;
  }
}

}  // namespace keel::http

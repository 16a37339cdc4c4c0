// keel speaks systemd's notify protocol (Type=notify in
// deploy/systemd/keel.service): READY=1 once it listens, STOPPING=1 when a
// signal starts the drain.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test_server.h"

namespace keel::integration {
namespace {

// The service manager's end: a datagram socket bound in a temp dir.
class NotifyListener {
 public:
  NotifyListener() {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    path_ = dir_.path() + "/notify";
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    bound_ =
        dir_.ok() && fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifyListener() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }

  bool ok() const { return bound_; }
  const std::string& path() const { return path_; }

  // The next datagram within `timeout`, or "<none>".
  std::string Receive(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "<none>";
    char buf[256];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n < 0 ? "<none>" : std::string(buf, static_cast<size_t>(n));
  }

 private:
  TempDir dir_;
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(ServiceNotify, ReadyAfterListeningStoppingOnDrain) {
  NotifyListener manager;
  ASSERT_TRUE(manager.ok());
  TestServer server(ServerOptions{.env = {"NOTIFY_SOCKET=" + manager.path()}});
  ASSERT_TRUE(server.ok()) << server.error();

  EXPECT_EQ(manager.Receive(milliseconds(5000)), "READY=1");
  // Ready means listening: a request right now is answered.
  auto r = server.RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(manager.Receive(milliseconds(0)), "<none>") << "only one READY=1";

  ExitStatus exit = server.Stop(SIGTERM);
  EXPECT_TRUE(exit.exited && exit.code == 0) << exit;
  EXPECT_EQ(manager.Receive(milliseconds(1000)), "STOPPING=1");
}

TEST(ServiceNotify, UnusableNotifySocketIsNotFatal) {
  TestServer server(ServerOptions{.env = {"NOTIFY_SOCKET=/nonexistent-keel-dir/notify"}});
  ASSERT_TRUE(server.ok()) << server.error();
  auto r = server.RoundTrip(Get("/healthz"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ExitStatus exit = server.Stop(SIGTERM);
  EXPECT_TRUE(exit.exited && exit.code == 0) << exit;
}

}  // namespace
}  // namespace keel::integration

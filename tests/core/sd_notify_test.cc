#include "core/sd_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace keel::core {
namespace {

// A datagram socket standing in for systemd's notify socket, bound to a
// path in a fresh temporary directory or to an abstract name.
class NotifySocket {
 public:
  explicit NotifySocket(bool abstract) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (abstract) {
      name_ = "@keel-notify-test-" + std::to_string(::getpid());
    } else {
      char dir[] = "/tmp/keel-notify-XXXXXX";
      dir_ = ::mkdtemp(dir);
      name_ = dir_ + "/notify";
    }
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    if (abstract) addr.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    if (!dir_.empty()) {
      ::unlink(name_.c_str());
      ::rmdir(dir_.c_str());
    }
  }

  bool bound() const { return bound_; }
  const std::string& name() const { return name_; }

  // The next datagram, or "<none>" when nothing is queued (a unix datagram
  // send is delivered before sendto returns, so there is no waiting).
  std::string Receive() {
    char buf[256];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n < 0 ? "<none>" : std::string(buf, static_cast<size_t>(n));
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
  std::string dir_;
  std::string name_;
};

TEST(NotifyServiceManager, SendsStateToPathSocket) {
  NotifySocket sock(false);
  ASSERT_TRUE(sock.bound());
  ::setenv("NOTIFY_SOCKET", sock.name().c_str(), 1);
  EXPECT_TRUE(NotifyServiceManager("READY=1").ok());
  EXPECT_TRUE(NotifyServiceManager("STOPPING=1").ok());
  EXPECT_EQ(sock.Receive(), "READY=1");
  EXPECT_EQ(sock.Receive(), "STOPPING=1");
  EXPECT_EQ(sock.Receive(), "<none>");
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(NotifyServiceManager, SendsStateToAbstractSocket) {
  NotifySocket sock(true);
  ASSERT_TRUE(sock.bound());
  ::setenv("NOTIFY_SOCKET", sock.name().c_str(), 1);
  EXPECT_TRUE(NotifyServiceManager("READY=1\nSTATUS=listening").ok());
  EXPECT_EQ(sock.Receive(), "READY=1\nSTATUS=listening");
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(NotifyServiceManager, DoesNothingWithoutNotifySocket) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(NotifyServiceManager("READY=1").ok());
  ::setenv("NOTIFY_SOCKET", "", 1);
  EXPECT_TRUE(NotifyServiceManager("READY=1").ok());
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(NotifyServiceManager, ReportsUnusableSockets) {
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  EXPECT_EQ(NotifyServiceManager("READY=1").code(), Status::Code::kInvalidArgument);
  ::setenv("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str(), 1);
  EXPECT_EQ(NotifyServiceManager("READY=1").code(), Status::Code::kInvalidArgument);
  // Nobody listens there.
  ::setenv("NOTIFY_SOCKET", "/nonexistent-keel-dir/notify", 1);
  EXPECT_EQ(NotifyServiceManager("READY=1").code(), Status::Code::kIoError);
  ::unsetenv("NOTIFY_SOCKET");
}

}  // namespace
}  // namespace keel::core

// A second keel on a port that is already served must refuse to start
// instead of joining the first one's SO_REUSEPORT group and splitting its
// traffic; keel's own workers still share the port.
#include <gtest/gtest.h>

#include <string>

#include "test_server.h"

namespace keel::integration {
namespace {

TEST(PortConflict, SecondKeelOnBusyPortExitsOneAndFirstKeepsServing) {
  TestServer first({"--threads", "2"});
  ASSERT_TRUE(first.ok()) << first.error();
  TempDir other_data;
  ASSERT_TRUE(other_data.ok());
  const std::string port = std::to_string(first.port());

  RunResult second = RunKeel({"--port", port, "--data-dir", other_data.path(), "--threads", "2"});
  EXPECT_FALSE(second.status.timed_out) << "the second keel started; stdout: " << second.out;
  EXPECT_TRUE(second.status.exited && second.status.code == 1) << second.status;
  EXPECT_NE(second.err.find("127.0.0.1:" + port + " is already in use by another process"),
            std::string::npos)
      << second.err;
  EXPECT_EQ(second.out.find("listening on"), std::string::npos) << second.out;

  // Every request still reaches the first server (a joined group would send
  // some of them to the second process while it lived).
  for (int i = 0; i < 20; ++i) {
    auto r = first.RoundTrip(Get("/healthz"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST(PortConflict, FourWorkersShareOneFixedPort) {
  // Find a free port, then hand it to keel explicitly: the probe must not
  // mistake keel's own workers for another process.
  int port = 0;
  {
    TestServer probe;
    ASSERT_TRUE(probe.ok()) << probe.error();
    port = probe.port();
  }
  TestServer server(ServerOptions{.args = {"--threads", "4", "--port", std::to_string(port)},
                                  .pass_port = false});
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_EQ(server.port(), port);
  EXPECT_NE(server.Stdout().find("(4 workers)"), std::string::npos) << server.Stdout();
  for (int i = 0; i < 40; ++i) {
    auto r = server.RoundTrip(Get("/healthz"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

}  // namespace
}  // namespace keel::integration

#include "core/system_limits.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace keel::core {

Result<uint64_t> RaiseOpenFilesLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return Status::IoError(std::string("getrlimit: ") + std::strerror(errno));
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
      return Status::IoError(std::string("setrlimit: ") + std::strerror(errno));
  }
  return static_cast<uint64_t>(lim.rlim_cur);
}

void DeprioritizeThisThread() {
  thread_local bool done = false;
  if (done) return;
  done = true;
  // setpriority with PRIO_PROCESS and a thread id sets that thread's nice
  // value on Linux; failure only means the job runs at normal priority.
  pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 10);
}

}  // namespace keel::core

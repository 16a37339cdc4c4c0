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
  // nice +10 rather than SCHED_IDLE: measured with
  // bench/load/healthz_under_login.sh, SCHED_IDLE cut logins/s by two
  // thirds without improving /healthz p99 during the flood. Linux nice
  // values are per-thread (setpriority with a thread id), so only this pool
  // thread changes. Failure only means normal priority.
  pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 10);
}

}  // namespace keel::core

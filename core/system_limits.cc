#include "core/system_limits.h"

#include <sys/resource.h>

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

}  // namespace keel::core

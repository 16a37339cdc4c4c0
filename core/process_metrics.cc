#include "core/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/metrics.h"

namespace keel::core {
namespace {

// Fields of /proc/self/stat after the command name, which may hold spaces
// and is wrapped in parentheses: field 3 (state) is index 0 here.
bool StatFields(unsigned long long* utime, unsigned long long* stime, unsigned long long* starttime,
                long* rss_pages) {
  std::ifstream f("/proc/self/stat");
  std::string line;
  if (!std::getline(f, line)) return false;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  for (int i = 3; rest >> field; ++i) {
    if (i == 14) *utime = std::stoull(field);
    if (i == 15) *stime = std::stoull(field);
    if (i == 22) *starttime = std::stoull(field);
    if (i == 24) {
      *rss_pages = std::stol(field);
      return true;
    }
  }
  return false;
}

// Boot time in seconds since the epoch (the btime line of /proc/stat).
long long BootTime() {
  std::ifstream f("/proc/stat");
  std::string key;
  long long value = 0;
  while (f >> key) {
    if (key == "btime") {
      f >> value;
      return value;
    }
    f.ignore(1 << 20, '\n');
  }
  return 0;
}

long OpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  long n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

void AppendProcessMetrics(std::string& out) {
  PromText p(out);
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  unsigned long long utime = 0, stime = 0, start = 0;
  long rss = 0;
  if (StatFields(&utime, &stime, &start, &rss)) {
    p.Family("process_cpu_seconds_total", "counter",
             "Total user and system CPU time spent in seconds.");
    p.Sample("process_cpu_seconds_total", {}, static_cast<double>(utime + stime) / ticks);
    p.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    p.Sample("process_resident_memory_bytes", {},
             static_cast<uint64_t>(rss) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
    p.Family("process_start_time_seconds", "gauge",
             "Start time of the process since unix epoch in seconds.");
    p.Sample("process_start_time_seconds", {},
             static_cast<double>(BootTime()) + static_cast<double>(start) / ticks);
  }
  if (long fds = OpenFds(); fds >= 0) {
    p.Family("process_open_fds", "gauge", "Number of open file descriptors.");
    p.Sample("process_open_fds", {}, static_cast<uint64_t>(fds));
  }
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    p.Family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    p.Sample("process_max_fds", {}, static_cast<uint64_t>(rl.rlim_cur));
  }
}

}  // namespace keel::core

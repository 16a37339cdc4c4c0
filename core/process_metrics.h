// The standard process_* families of the Prometheus client libraries, read
// from /proc at scrape time: CPU seconds, resident memory, open and maximum
// file descriptors, and the start time. Linux only; any thread.
#pragma once

#include <string>

namespace keel::core {

void AppendProcessMetrics(std::string& out);

}  // namespace keel::core

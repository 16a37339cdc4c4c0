#include "api/app_context.h"

#include <chrono>

#include <ctime>
#include <memory>

namespace keel::api {

storage::Reader& ThreadReader(storage::Store& store) {
  // One store per process, so one reader per thread suffices.
  thread_local std::unique_ptr<storage::Reader> reader = store.NewReader();
  return *reader;
}

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

core::JsonReader& ThreadJsonReader() {
  thread_local core::JsonReader reader;
  return reader;
}

uint64_t MonotonicMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace keel::api

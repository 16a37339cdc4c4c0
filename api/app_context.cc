#include "api/app_context.h"

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

}  // namespace keel::api

#include "api/api_worker.h"

#include <functional>

#include "auth/auth_metrics.h"

namespace keel::api {

core::Status TokenCache::Verify(const auth::TokenCodec& codec, std::string_view token, int64_t now,
                                auth::Claims* claims) {
  Slot& slot = slots_[std::hash<std::string_view>{}(token) % kSlots];
  const bool hit = slot.codec_id == codec.id() && slot.token == token;
  auth::CountTokenCache(hit);
  if (hit) {
    if (core::Status s = codec.CheckTimes(slot.claims, now); !s.ok()) return s;
    *claims = slot.claims;
    return core::Status::Ok();
  }
  core::Status s = codec.Verify(token, now, claims);
  if (s.ok()) {
    slot.codec_id = codec.id();
    slot.token.assign(token);
    slot.claims = *claims;
  }
  return s;
}

storage::Reader& ApiWorker::reader(storage::Store& store) {
  // One store per process, so one reader per worker suffices.
  if (!reader_) reader_ = store.NewReader();
  return *reader_;
}

std::unique_ptr<http::WorkerState> MakeApiWorker() { return std::make_unique<ApiWorker>(); }

}  // namespace keel::api

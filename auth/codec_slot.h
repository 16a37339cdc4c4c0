// The deployment's current token codec, replaceable at run time (SIGHUP
// reloads the key directory) while worker threads verify tokens.
//
// Codecs are immutable; a reload builds a new one and swaps it in. Readers
// never lock on the hot path: each thread keeps its own reference to the
// codec it last used and compares that codec's id with the slot's current
// id (one relaxed-cost atomic load); only after a swap does it take the
// mutex once to pick up the new codec. A codec stays alive while any thread
// still holds it, so a swap never frees one under a verifier.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "auth/jwt.h"

namespace keel::auth {

class CodecSlot {
 public:
  // `codec` must not be null.
  explicit CodecSlot(std::shared_ptr<const TokenCodec> codec);
  CodecSlot(const CodecSlot&) = delete;
  CodecSlot& operator=(const CodecSlot&) = delete;

  // Any thread. The current codec.
  std::shared_ptr<const TokenCodec> Load() const;
  // Any thread. Makes `codec` (not null) the current one; threads pick it up
  // on their next ForThisThread().
  void Store(std::shared_ptr<const TokenCodec> codec);
  // The current codec as this thread last saw it, refreshed when it has
  // changed. The reference stays valid until this thread's next call (with
  // any slot). Allocation-free unless the codec changed.
  const TokenCodec& ForThisThread() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const TokenCodec> codec_;  // guarded by mu_
  std::atomic<uint64_t> current_id_;         // codec_->id()
};

}  // namespace keel::auth

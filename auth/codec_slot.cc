#include "auth/codec_slot.h"

#include <utility>

namespace keel::auth {

CodecSlot::CodecSlot(std::shared_ptr<const TokenCodec> codec)
    : codec_(std::move(codec)), current_id_(codec_->id()) {}

std::shared_ptr<const TokenCodec> CodecSlot::Load() const {
  std::lock_guard<std::mutex> lock(mu_);
  return codec_;
}

void CodecSlot::Store(std::shared_ptr<const TokenCodec> codec) {
  std::lock_guard<std::mutex> lock(mu_);
  current_id_.store(codec->id(), std::memory_order_release);
  codec_ = std::move(codec);
}

const TokenCodec& CodecSlot::ForThisThread() const {
  // Codec ids are unique in the process, so a thread that last used another
  // slot (tests make several) or a slot since destroyed cannot mistake its
  // held codec for this slot's current one.
  thread_local std::shared_ptr<const TokenCodec> held;
  if (held == nullptr || held->id() != current_id_.load(std::memory_order_acquire)) {
    held = Load();
  }
  return *held;
}

}  // namespace keel::auth

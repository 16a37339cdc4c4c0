#include "core/buffer.h"

#include <cstdlib>
#include <utility>

#include "core/buffer_pool.h"

namespace keel::core {

void Buffer::Swap(Buffer& o) noexcept {
  std::swap(base_, o.base_);
  std::swap(begin_, o.begin_);
  std::swap(end_, o.end_);
  std::swap(cap_, o.cap_);
  std::swap(pool_, o.pool_);
}

void Buffer::Attach(BufferPool* pool) {
  if (base_ != nullptr) return;
  base_ = pool->Take();
  cap_ = pool->block_size();
  pool_ = pool;
  begin_ = end_ = 0;
}

size_t Buffer::Compact() {
  size_t moved = begin_;
  if (begin_ == 0) return 0;
  std::memmove(base_, base_ + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  return moved;
}

char* Buffer::Reserve(size_t n) {
  if (cap_ - end_ >= n) return base_ + end_;
  if (begin_ > 0 && cap_ - size() >= n) {
    Compact();
    return base_ + end_;
  }
  Grow(size() + n);
  return base_ + end_;
}

// Growth leaves the pool: a buffer this large is rare (a big body or a deep
// pipeline of output) and is returned to the heap when released.
void Buffer::Grow(size_t need) {
  size_t cap = cap_ == 0 ? 4096 : cap_;
  while (cap < need) cap *= 2;
  char* p = static_cast<char*>(std::malloc(cap + kTailReserve));
  if (p == nullptr) std::abort();
  size_t n = size();
  if (n > 0) std::memcpy(p, base_ + begin_, n);
  Release();
  base_ = p;
  cap_ = cap;
  begin_ = 0;
  end_ = n;
}

void Buffer::Release() {
  if (base_ != nullptr) {
    if (pool_ != nullptr) {
      pool_->Give(base_);
    } else {
      std::free(base_);
    }
  }
  base_ = nullptr;
  pool_ = nullptr;
  begin_ = end_ = cap_ = 0;
}

}  // namespace keel::core

#include "core/buffer_pool.h"

#include <cstdlib>

#include "core/buffer.h"

namespace keel::core {

BufferPool::BufferPool(size_t block_size, size_t max_free)
    : block_size_(block_size), max_free_(max_free) {
  free_.reserve(max_free_);
}

BufferPool::~BufferPool() {
  for (char* b : free_) std::free(b);
}

char* BufferPool::Take() {
  ++out_;
  if (!free_.empty()) {
    char* b = free_.back();
    free_.pop_back();
    return b;
  }
  char* b = static_cast<char*>(std::malloc(block_size_ + Buffer::kTailReserve));
  if (b == nullptr) std::abort();  // out of memory: nothing sensible to do
  return b;
}

void BufferPool::Give(char* block) {
  --out_;
  if (free_.size() < max_free_) {
    free_.push_back(block);
  } else {
    std::free(block);
  }
}

}  // namespace keel::core

// A per-worker free list of fixed-size blocks for connection buffers.
//
// Idle keep-alive connections hold no block: they take one when bytes
// arrive and give it back when everything is parsed and written. The pool
// keeps at most `max_free` blocks; beyond that, returned blocks are freed.
// One loop thread only.
#pragma once

#include <cstddef>
#include <vector>

namespace keel::core {

class BufferPool {
 public:
  // `block_size` is the usable size; each allocation carries
  // Buffer::kTailReserve extra bytes so parsers that read past the end
  // (simdjson) can work in place.
  explicit BufferPool(size_t block_size, size_t max_free = 1024);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  size_t block_size() const { return block_size_; }
  char* Take();
  void Give(char* block);
  size_t free_blocks() const { return free_.size(); }
  size_t blocks_out() const { return out_; }

 private:
  size_t block_size_;
  size_t max_free_;
  size_t out_ = 0;
  std::vector<char*> free_;
};

}  // namespace keel::core

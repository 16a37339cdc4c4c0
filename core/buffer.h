// A contiguous, growable byte buffer with a read cursor.
//
// Used for connection input and output. Memory comes either from a
// BufferPool block (the common case: no allocation per request) or, when a
// buffer must grow past a block, from the heap. Not thread-safe: a buffer
// belongs to one worker loop.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

namespace keel::core {

class BufferPool;

class Buffer {
 public:
  Buffer() = default;
  ~Buffer() { Release(); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& other) noexcept { Swap(other); }
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      Release();
      Swap(other);
    }
    return *this;
  }

  // Readable bytes are [data(), data() + size()).
  char* data() { return base_ + begin_; }
  const char* data() const { return base_ + begin_; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return end_ == begin_; }
  std::string_view view() const { return {data(), size()}; }
  bool has_storage() const { return base_ != nullptr; }
  size_t capacity() const { return cap_; }
  // Writable bytes past the readable ones, before the tail reserve.
  size_t writable() const { return cap_ - end_; }
  char* write_ptr() { return base_ + end_; }

  // Takes storage from `pool` when the buffer has none. The pool must outlive
  // the buffer's use of the block; Release() hands it back.
  void Attach(BufferPool* pool);

  // Makes room for at least `n` more bytes (compacting, then growing on the
  // heap). Returns write_ptr().
  char* Reserve(size_t n);
  void Commit(size_t n) { end_ += n; }
  void Append(const char* p, size_t n) {
    if (n == 0) return;  // p may be null (an empty string_view); memcpy forbids that
    std::memcpy(Reserve(n), p, n);
    end_ += n;
  }
  void Append(std::string_view s) { Append(s.data(), s.size()); }
  void Append(char c) {
    *Reserve(1) = c;
    ++end_;
  }

  // Drops `n` readable bytes from the front.
  void Consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  // Moves readable bytes to the start of storage. Returns how far they moved.
  size_t Compact();
  void Clear() { begin_ = end_ = 0; }
  // Returns storage to its pool (or the heap). The buffer becomes empty.
  void Release();

  // Bytes readable beyond end of data within the allocation: simdjson needs
  // kPadding of them to parse in place.
  size_t tail_slack() const { return cap_ + kTailReserve - end_; }
  static constexpr size_t kTailReserve = 64;

 private:
  void Swap(Buffer& o) noexcept;
  void Grow(size_t need);

  char* base_ = nullptr;
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t cap_ = 0;              // usable bytes; the allocation is cap_ + kTailReserve
  BufferPool* pool_ = nullptr;  // non-null while base_ is a pool block
};

}  // namespace keel::core

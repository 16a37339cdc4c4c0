#include "core/buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>

#include "core/buffer_pool.h"

namespace keel::core {
namespace {

constexpr size_t kBlock = 256;

TEST(Buffer, StartsWithoutStorage) {
  Buffer b;
  EXPECT_FALSE(b.has_storage());
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  b.Release();  // harmless without storage
  EXPECT_FALSE(b.has_storage());
}

TEST(Buffer, AttachTakesAPoolBlockAndReleaseGivesItBack) {
  BufferPool pool(kBlock);
  {
    Buffer b;
    b.Attach(&pool);
    EXPECT_TRUE(b.has_storage());
    EXPECT_EQ(b.capacity(), kBlock);
    EXPECT_EQ(b.writable(), kBlock);
    EXPECT_EQ(pool.blocks_out(), 1u);
    EXPECT_EQ(pool.free_blocks(), 0u);

    b.Attach(&pool);  // already has storage: takes nothing
    EXPECT_EQ(pool.blocks_out(), 1u);

    b.Append("abc");
    b.Release();
    EXPECT_FALSE(b.has_storage());
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.capacity(), 0u);
    EXPECT_EQ(pool.blocks_out(), 0u);
    EXPECT_EQ(pool.free_blocks(), 1u);

    // The next Attach reuses the free block.
    b.Attach(&pool);
    EXPECT_EQ(pool.blocks_out(), 1u);
    EXPECT_EQ(pool.free_blocks(), 0u);
    EXPECT_TRUE(b.empty());
  }
  // The destructor releases.
  EXPECT_EQ(pool.blocks_out(), 0u);
  EXPECT_EQ(pool.free_blocks(), 1u);
}

TEST(BufferPool, KeepsAtMostMaxFreeBlocks) {
  BufferPool pool(kBlock, 2);
  {
    Buffer a, b, c;
    a.Attach(&pool);
    b.Attach(&pool);
    c.Attach(&pool);
    EXPECT_EQ(pool.blocks_out(), 3u);
  }
  EXPECT_EQ(pool.blocks_out(), 0u);
  EXPECT_EQ(pool.free_blocks(), 2u);  // the third was freed
}

TEST(Buffer, AppendConsumeAndView) {
  BufferPool pool(kBlock);
  Buffer b;
  b.Attach(&pool);
  b.Append("hello");
  b.Append(' ');
  b.Append("world!", 5);
  EXPECT_EQ(b.view(), "hello world");
  EXPECT_EQ(b.size(), 11u);
  EXPECT_EQ(b.writable(), kBlock - 11);

  b.Consume(6);
  EXPECT_EQ(b.view(), "world");
  EXPECT_EQ(b.size(), 5u);
  // Consuming does not give space back until compaction.
  EXPECT_EQ(b.writable(), kBlock - 11);

  b.Consume(5);
  EXPECT_TRUE(b.empty());
  // Consuming everything rewinds the cursors.
  EXPECT_EQ(b.writable(), kBlock);
  EXPECT_EQ(b.data(), b.write_ptr());
  EXPECT_EQ(pool.blocks_out(), 1u);
}

TEST(Buffer, ReserveAndCommitWriteInPlace) {
  BufferPool pool(kBlock);
  Buffer b;
  b.Attach(&pool);
  char* p = b.Reserve(4);
  EXPECT_EQ(p, b.write_ptr());
  std::memcpy(p, "wxyz", 4);
  b.Commit(4);
  EXPECT_EQ(b.view(), "wxyz");
}

TEST(Buffer, CompactMovesReadableBytesToTheFront) {
  BufferPool pool(kBlock);
  Buffer b;
  b.Attach(&pool);
  EXPECT_EQ(b.Compact(), 0u);  // nothing to move
  b.Append("0123456789");
  const char* start = b.data();
  b.Consume(4);
  EXPECT_EQ(b.Compact(), 4u);
  EXPECT_EQ(b.data(), start);
  EXPECT_EQ(b.view(), "456789");
  EXPECT_EQ(b.writable(), kBlock - 6);
  EXPECT_EQ(b.Compact(), 0u);
}

TEST(Buffer, ReserveCompactsBeforeGrowing) {
  BufferPool pool(kBlock);
  Buffer b;
  b.Attach(&pool);
  std::string fill(kBlock, 'a');
  b.Append(fill);
  b.Consume(kBlock - 10);
  EXPECT_EQ(b.writable(), 0u);
  // 10 bytes kept, 100 more fit in the block once compacted.
  b.Append(std::string(100, 'b'));
  EXPECT_EQ(b.capacity(), kBlock);
  EXPECT_EQ(pool.blocks_out(), 1u);
  EXPECT_EQ(b.view(), std::string(10, 'a') + std::string(100, 'b'));
}

TEST(Buffer, GrowingPastABlockMovesToTheHeapAndReturnsTheBlock) {
  BufferPool pool(kBlock);
  std::string big;
  for (size_t i = 0; i < 3 * kBlock; ++i) big.push_back(static_cast<char>('a' + i % 26));
  {
    Buffer b;
    b.Attach(&pool);
    b.Append(big.substr(0, 100));
    b.Append(big.substr(100));
    EXPECT_EQ(b.view(), big);
    EXPECT_GE(b.capacity(), big.size());
    // The block went back as soon as the bytes moved to the heap.
    EXPECT_EQ(pool.blocks_out(), 0u);
    EXPECT_EQ(pool.free_blocks(), 1u);

    // Releasing heap storage frees it and leaves the pool alone.
    b.Release();
    EXPECT_FALSE(b.has_storage());
    EXPECT_EQ(pool.blocks_out(), 0u);
    EXPECT_EQ(pool.free_blocks(), 1u);

    // A pool block can be attached again afterwards.
    b.Attach(&pool);
    EXPECT_EQ(pool.blocks_out(), 1u);
    EXPECT_EQ(b.capacity(), kBlock);
  }
  EXPECT_EQ(pool.blocks_out(), 0u);
}

TEST(Buffer, AppendWithoutStorageUsesTheHeap) {
  Buffer b;
  b.Append("abc");
  EXPECT_TRUE(b.has_storage());
  EXPECT_EQ(b.view(), "abc");
  EXPECT_GE(b.capacity(), 3u);
}

TEST(Buffer, TailSlackCountsTheReserve) {
  BufferPool pool(kBlock);
  Buffer b;
  b.Attach(&pool);
  EXPECT_EQ(b.tail_slack(), kBlock + Buffer::kTailReserve);
  b.Append(std::string(10, 'x'));
  EXPECT_EQ(b.tail_slack(), kBlock - 10 + Buffer::kTailReserve);
  b.Consume(5);  // consuming at the front leaves the tail alone
  EXPECT_EQ(b.tail_slack(), kBlock - 10 + Buffer::kTailReserve);
  b.Append(std::string(kBlock - 10, 'y'));  // completely full
  EXPECT_EQ(b.writable(), 0u);
  EXPECT_EQ(b.tail_slack(), Buffer::kTailReserve);
  // The reserve is real memory: writing all of it is within the allocation
  // (an ASan build would catch an overflow here).
  std::memset(b.write_ptr(), 0, Buffer::kTailReserve);
}

TEST(Buffer, MoveConstructionTransfersTheBlock) {
  BufferPool pool(kBlock);
  Buffer a;
  a.Attach(&pool);
  a.Append("payload");
  Buffer b(std::move(a));
  EXPECT_EQ(b.view(), "payload");
  EXPECT_TRUE(b.has_storage());
  EXPECT_FALSE(a.has_storage());  // NOLINT(bugprone-use-after-move): the contract
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(pool.blocks_out(), 1u);
  b.Release();
  EXPECT_EQ(pool.blocks_out(), 0u);
}

TEST(Buffer, MoveAssignmentReleasesTheTargetsStorage) {
  BufferPool pool(kBlock);
  Buffer a, b;
  a.Attach(&pool);
  b.Attach(&pool);
  a.Append("from a");
  b.Append("from b");
  EXPECT_EQ(pool.blocks_out(), 2u);
  b = std::move(a);
  EXPECT_EQ(b.view(), "from a");
  EXPECT_EQ(pool.blocks_out(), 1u);  // b's old block went back
  EXPECT_FALSE(a.has_storage());     // NOLINT(bugprone-use-after-move)

  Buffer& self = b;
  b = std::move(self);  // self-assignment keeps the data
  EXPECT_EQ(b.view(), "from a");
  EXPECT_EQ(pool.blocks_out(), 1u);
}

TEST(Buffer, MovedHeapStorageIsFreedOnce) {
  // Under ASan this would report a double free or a leak if ownership were
  // not transferred.
  Buffer a;
  a.Append(std::string(5000, 'h'));
  Buffer b(std::move(a));
  Buffer c;
  c = std::move(b);
  EXPECT_EQ(c.size(), 5000u);
}

TEST(Buffer, ClearKeepsStorage) {
  BufferPool pool(kBlock);
  Buffer b;
  b.Attach(&pool);
  b.Append("abc");
  b.Clear();
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(b.has_storage());
  EXPECT_EQ(b.writable(), kBlock);
  EXPECT_EQ(pool.blocks_out(), 1u);
}

}  // namespace
}  // namespace keel::core

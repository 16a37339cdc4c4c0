#include "core/timer_list.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace keel::core {
namespace {

// Pops every entry due at `now`, in order.
std::vector<TimerEntry*> PopAll(TimerList& list, uint64_t now) {
  std::vector<TimerEntry*> out;
  while (TimerEntry* e = list.PopExpired(now)) out.push_back(e);
  return out;
}

TEST(TimerList, StartsEmpty) {
  TimerList list(100);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.size(), 0u);
  EXPECT_EQ(list.duration_ms(), 100u);
  EXPECT_EQ(list.PopExpired(UINT64_MAX), nullptr);
}

TEST(TimerList, AddArmsWithTheListDuration) {
  TimerList list(100);
  TimerEntry e;
  EXPECT_FALSE(e.armed());
  list.Add(&e, 1000);
  EXPECT_TRUE(e.armed());
  EXPECT_EQ(e.list, &list);
  EXPECT_EQ(e.deadline_ms, 1100u);
  EXPECT_EQ(list.size(), 1u);
  EXPECT_FALSE(list.empty());
  EXPECT_EQ(list.PopExpired(1100 - 1), nullptr);  // the earliest is due at 1100
}

TEST(TimerList, RemoveDisarmsFromHeadMiddleAndTail) {
  TimerList list(10);
  TimerEntry a, b, c, d;
  list.Add(&a, 1);
  list.Add(&b, 2);
  list.Add(&c, 3);
  list.Add(&d, 4);
  ASSERT_EQ(list.size(), 4u);

  list.Remove(&b);  // middle
  EXPECT_FALSE(b.armed());
  EXPECT_EQ(b.prev, nullptr);
  EXPECT_EQ(b.next, nullptr);
  EXPECT_EQ(list.size(), 3u);

  list.Remove(&a);  // head
  EXPECT_EQ(list.PopExpired(13 - 1), nullptr);  // the earliest is due at 13
  list.Remove(&d);  // tail
  EXPECT_EQ(list.size(), 1u);

  // The remaining links are intact: c is both head and tail.
  EXPECT_EQ(PopAll(list, 100), std::vector<TimerEntry*>{&c});
  EXPECT_TRUE(list.empty());

  // Adding after the list emptied through removals works.
  list.Add(&d, 50);
  EXPECT_EQ(list.PopExpired(60 - 1), nullptr);  // the earliest is due at 60
  EXPECT_EQ(PopAll(list, 60), std::vector<TimerEntry*>{&d});
}

TEST(TimerList, RemoveIgnoresEntriesOfOtherLists) {
  TimerList one(10), two(10);
  TimerEntry e;
  one.Add(&e, 0);
  two.Remove(&e);
  EXPECT_TRUE(e.armed());
  EXPECT_EQ(e.list, &one);
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(two.size(), 0u);

  TimerEntry idle;
  one.Remove(&idle);  // never armed: a no-op
  EXPECT_EQ(one.size(), 1u);
}

TEST(TimerList, PopExpiredReturnsOnlyDueEntriesInOrder) {
  TimerList list(100);
  TimerEntry a, b, c;
  list.Add(&a, 0);   // due at 100
  list.Add(&b, 50);  // 150
  list.Add(&c, 51);  // 151

  EXPECT_EQ(list.PopExpired(99), nullptr);
  EXPECT_EQ(list.size(), 3u);
  EXPECT_TRUE(a.armed());

  // Due exactly at the deadline.
  EXPECT_EQ(PopAll(list, 100), std::vector<TimerEntry*>{&a});
  EXPECT_FALSE(a.armed());
  EXPECT_EQ(list.PopExpired(150 - 1), nullptr);  // the earliest is due at 150

  EXPECT_EQ(PopAll(list, 151), (std::vector<TimerEntry*>{&b, &c}));
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(b.armed());
  EXPECT_FALSE(c.armed());
}

TEST(TimerList, ReAddInTheSameListMovesToTheTail) {
  TimerList list(100);
  TimerEntry a, b;
  list.Add(&a, 0);
  list.Add(&b, 10);
  list.Add(&a, 20);  // activity on a: its deadline moves past b's
  EXPECT_EQ(list.size(), 2u);
  EXPECT_EQ(a.deadline_ms, 120u);
  EXPECT_EQ(list.PopExpired(110 - 1), nullptr);  // the earliest is due at 110
  EXPECT_EQ(PopAll(list, 115), std::vector<TimerEntry*>{&b});
  EXPECT_EQ(PopAll(list, 120), std::vector<TimerEntry*>{&a});
}

TEST(TimerList, ReAddMovesBetweenLists) {
  TimerList header(10), idle(1000);
  TimerEntry e, other;
  header.Add(&other, 0);
  header.Add(&e, 0);
  idle.Add(&e, 5);
  EXPECT_EQ(e.list, &idle);
  EXPECT_EQ(e.deadline_ms, 1005u);
  EXPECT_EQ(header.size(), 1u);
  EXPECT_EQ(idle.size(), 1u);
  // It no longer expires with the header list.
  EXPECT_EQ(PopAll(header, 100), std::vector<TimerEntry*>{&other});
  EXPECT_EQ(PopAll(idle, 1004), std::vector<TimerEntry*>{});
  EXPECT_EQ(PopAll(idle, 1005), std::vector<TimerEntry*>{&e});
}

TEST(TimerList, DisarmRemovesFromWhicheverListHoldsIt) {
  TimerList one(10), two(20);
  TimerEntry a, b;
  one.Add(&a, 0);
  two.Add(&b, 0);
  Disarm(&a);
  Disarm(&b);
  EXPECT_FALSE(a.armed());
  EXPECT_FALSE(b.armed());
  EXPECT_TRUE(one.empty());
  EXPECT_TRUE(two.empty());
  Disarm(&a);  // already disarmed: a no-op
  EXPECT_FALSE(a.armed());
}

TEST(TimerList, ExpiryHandlerMayReArmAndRemoveOthers) {
  TimerList list(10);
  TimerEntry a, b, c;
  list.Add(&a, 0);
  list.Add(&b, 0);
  list.Add(&c, 0);
  std::vector<TimerEntry*> fired;
  uint64_t now = 10;
  while (TimerEntry* e = list.PopExpired(now)) {
    fired.push_back(e);
    if (e == &a) {
      list.Remove(&b);    // a's handler closes b
      list.Add(&a, now);  // and re-arms itself (due at 20, not now)
    }
  }
  EXPECT_EQ(fired, (std::vector<TimerEntry*>{&a, &c}));
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list.PopExpired(20 - 1), nullptr);  // the earliest is due at 20
  EXPECT_FALSE(b.armed());
}

TEST(TimerList, OwnerIsLeftUntouched) {
  TimerList list(10);
  int payload = 0;
  TimerEntry e;
  e.owner = &payload;
  list.Add(&e, 0);
  TimerEntry* popped = list.PopExpired(10);
  ASSERT_EQ(popped, &e);
  EXPECT_EQ(popped->owner, &payload);
}

}  // namespace
}  // namespace keel::core

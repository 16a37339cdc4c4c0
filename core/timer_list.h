// Timeouts without a uv_timer per connection.
//
// A TimerList holds entries that all share one duration (say, the header
// timeout). Since every entry added later expires later, appending at the
// tail keeps the list sorted by deadline: Add, Remove and finding the next
// expiry are O(1), and expiring walks only the entries that are due. A worker
// keeps one list per kind of timeout (core::TimeoutKind: header, body, idle,
// write, linger, handler) and one uv_timer that ticks every 250 ms for as
// long as the worker runs, so a timeout fires up to one tick late. (A heap or
// a timer wheel handles arbitrary durations; Keel has six fixed ones, so the
// simpler structure wins.)
//
// Entries are intrusive: the owner (a connection) embeds a TimerEntry, so
// arming a timeout allocates nothing. An entry is in at most one list.
// Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace keel::core {

class TimerList;

struct TimerEntry {
  TimerEntry* prev = nullptr;
  TimerEntry* next = nullptr;
  TimerList* list = nullptr;  // null when not armed
  uint64_t deadline_ms = 0;
  void* owner = nullptr;  // set by the embedding object; the list never reads it

  bool armed() const { return list != nullptr; }
};

class TimerList {
 public:
  explicit TimerList(uint64_t duration_ms) : duration_ms_(duration_ms) {}
  TimerList(const TimerList&) = delete;
  TimerList& operator=(const TimerList&) = delete;

  uint64_t duration_ms() const { return duration_ms_; }
  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }

  // Arms `e` to expire at now_ms + duration. If `e` is armed in any list it
  // is moved here.
  void Add(TimerEntry* e, uint64_t now_ms);
  // Disarms `e` if it is in this list.
  void Remove(TimerEntry* e);
  // Removes and returns the earliest entry if it is due at now_ms, else null.
  // Callers loop on it, so an expiry handler may re-arm or remove others.
  TimerEntry* PopExpired(uint64_t now_ms);

 private:
  uint64_t duration_ms_;
  TimerEntry* head_ = nullptr;
  TimerEntry* tail_ = nullptr;
  size_t size_ = 0;
};

// Disarms `e` from whichever list holds it.
void Disarm(TimerEntry* e);

}  // namespace keel::core

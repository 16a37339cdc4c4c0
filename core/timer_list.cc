#include "core/timer_list.h"

namespace keel::core {

void Disarm(TimerEntry* e) {
  if (e->list != nullptr) e->list->Remove(e);
}

void TimerList::Add(TimerEntry* e, uint64_t now_ms) {
  Disarm(e);
  e->deadline_ms = now_ms + duration_ms_;
  e->list = this;
  e->next = nullptr;
  e->prev = tail_;
  if (tail_ != nullptr) {
    tail_->next = e;
  } else {
    head_ = e;
  }
  tail_ = e;
  ++size_;
}

void TimerList::Remove(TimerEntry* e) {
  if (e->list != this) return;
  if (e->prev != nullptr) {
    e->prev->next = e->next;
  } else {
    head_ = e->next;
  }
  if (e->next != nullptr) {
    e->next->prev = e->prev;
  } else {
    tail_ = e->prev;
  }
  e->prev = e->next = nullptr;
  e->list = nullptr;
  --size_;
}

TimerEntry* TimerList::PopExpired(uint64_t now_ms) {
  TimerEntry* e = head_;
  if (e == nullptr || e->deadline_ms > now_ms) return nullptr;
  Remove(e);
  return e;
}

}  // namespace keel::core

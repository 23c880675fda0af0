#include "scheduler/status/decision_timeline.hpp"

namespace cliproxy::scheduler {

int64_t DecisionTimeline::NumberOf(int64_t now_ms) {
  const int64_t span = kBucketSeconds * 1000;
  return now_ms >= 0 ? now_ms / span : -((-now_ms + span - 1) / span);
}

void DecisionTimeline::Record(Decision::Kind kind, int64_t now_ms) {
  const int64_t number = NumberOf(now_ms);
  if (number < 0) return;
  // The wall clock went back by more than a bucket: the buckets after this one hold
  // decisions of a time that has not come, and are cleared (otherwise the chart would show
  // them again, or stay empty, until the clock caught up).
  int64_t latest = latest_.load(std::memory_order_relaxed);
  while (number > latest &&
         !latest_.compare_exchange_weak(latest, number, std::memory_order_relaxed)) {
  }
  if (number + 1 < latest &&
      latest_.compare_exchange_strong(latest, number, std::memory_order_relaxed)) {
    for (Cell& c : cells_) {
      int64_t tagged = c.number.load(std::memory_order_acquire);
      if (tagged > number) c.number.compare_exchange_strong(tagged, -1, std::memory_order_acq_rel);
    }
  }
  Cell& cell = cells_[static_cast<size_t>(number % kBuckets)];
  int64_t seen = cell.number.load(std::memory_order_acquire);
  // A cell tagged with a later bucket (kBuckets or more later: cells are shared by numbers
  // kBuckets apart) is claimed again too.
  while (seen != number) {
    if (cell.number.compare_exchange_weak(seen, number, std::memory_order_acq_rel)) {
      for (auto& c : cell.counts) c.store(0, std::memory_order_relaxed);
      break;
    }
  }
  cell.counts[static_cast<size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
}

std::vector<DecisionTimeline::Bucket> DecisionTimeline::Read(int64_t now_ms) const {
  std::vector<Bucket> out;
  const int64_t last = NumberOf(now_ms);
  out.reserve(kBuckets);
  for (int64_t number = last - kBuckets + 1; number <= last; ++number) {
    Bucket b;
    b.start_s = number * kBucketSeconds;
    if (number >= 0) {
      const Cell& cell = cells_[static_cast<size_t>(number % kBuckets)];
      if (cell.number.load(std::memory_order_acquire) == number) {
        auto count = [&](Decision::Kind k) {
          return cell.counts[static_cast<size_t>(k)].load(std::memory_order_relaxed);
        };
        b.auth = count(Decision::Kind::kAuth);
        b.delegate = count(Decision::Kind::kDelegate);
        b.unhandled = count(Decision::Kind::kUnhandled);
        b.errors = count(Decision::Kind::kError);
      }
    }
    out.push_back(b);
  }
  return out;
}

}  // namespace cliproxy::scheduler

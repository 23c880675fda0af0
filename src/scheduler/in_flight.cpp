#include "scheduler/in_flight.hpp"

#include <algorithm>
#include <cmath>

namespace cliproxy::scheduler {
namespace {

int64_t ToNs(std::chrono::nanoseconds d) { return d.count(); }

}  // namespace

void PickExpiry::Observe(int64_t latency_ns, Clock::time_point now) {
  if (latency_ns <= 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  double decayed = max_ns_;
  if (max_ns_ > 0 && now > max_at_) {
    const double elapsed = std::chrono::duration<double>(now - max_at_).count();
    const double half_life = std::chrono::duration<double>(kHalfLife).count();
    decayed = max_ns_ * std::exp2(-elapsed / half_life);
  }
  max_ns_ = std::max(decayed, static_cast<double>(latency_ns));
  max_at_ = std::max(max_at_, now);
  const double wanted = kFactor * max_ns_;
  const double lo = static_cast<double>(ToNs(kMin));
  const double hi = static_cast<double>(ToNs(kMax));
  expiry_ns_.store(static_cast<int64_t>(std::clamp(wanted, lo, hi)), std::memory_order_relaxed);
}

void PickExpiry::Reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  max_ns_ = 0;
  max_at_ = {};
  expiry_ns_.store(0, std::memory_order_relaxed);
}

int64_t InFlight::Nanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

int64_t InFlight::ExpiryNs(const PickExpiry& route) const {
  if (int64_t own = own_.Ns(); own > 0) return own;
  if (int64_t shared = route.Ns(); shared > 0) return shared;
  return ToNs(PickExpiry::kDefault);
}

int64_t InFlight::Count(Clock::time_point now, const PickExpiry& route) const {
  const int64_t total = total_.load(std::memory_order_acquire);
  if (total == 0) return 0;
  const int64_t t = Nanos(now);
  const int64_t expiry = ExpiryNs(route);
  const int64_t oldest = oldest_newest_.load(std::memory_order_acquire);
  if (t <= oldest || t - oldest <= expiry) return total;
  // Something has expired and no writer has dropped it yet: count what has not.
  int64_t live = 0;
  for (const Bucket& b : ring_) {
    const int64_t count = b.count.load(std::memory_order_acquire);
    const int64_t newest = b.newest.load(std::memory_order_acquire);
    if (count > 0 && (t <= newest || t - newest <= expiry)) live += count;
  }
  return live;
}

void InFlight::Picked(Clock::time_point now, const PickExpiry& route) {
  const int64_t t = Nanos(now);
  const int64_t expiry = ExpiryNs(route);
  const int64_t width = std::max<int64_t>(expiry / 8, 1);
  std::lock_guard<std::mutex> lock(mutex_);
  ExpireLocked(t, expiry);
  Bucket* last = size_ == 0 ? nullptr : &ring_[(head_ + size_ - 1) % kBuckets];
  if (last != nullptr && t - last->first < width) {
    last->newest.store(std::max(last->newest.load(std::memory_order_relaxed), t),
                       std::memory_order_release);
    last->count.fetch_add(1, std::memory_order_release);
  } else {
    if (size_ == kBuckets) PopLocked();  // only when the expiry shrank: the oldest go early
    Bucket& fresh = ring_[(head_ + size_) % kBuckets];
    fresh.first = t;
    fresh.newest.store(t, std::memory_order_release);
    fresh.count.store(1, std::memory_order_release);
    ++size_;
  }
  total_.fetch_add(1, std::memory_order_release);
  PublishLocked();
}

void InFlight::Finished(int64_t latency_ns, Clock::time_point now, const PickExpiry& route) {
  own_.Observe(latency_ns, now);
  std::lock_guard<std::mutex> lock(mutex_);
  ExpireLocked(Nanos(now), ExpiryNs(route));
  if (size_ > 0) {
    Bucket& oldest = ring_[head_];
    total_.fetch_sub(1, std::memory_order_release);
    if (oldest.count.fetch_sub(1, std::memory_order_release) == 1) PopLocked();
  }
  PublishLocked();
}

void InFlight::Reset() {
  own_.Reset();
  std::lock_guard<std::mutex> lock(mutex_);
  while (size_ > 0) PopLocked();
  head_ = 0;
  PublishLocked();
}

void InFlight::PopLocked() {
  Bucket& oldest = ring_[head_];
  total_.fetch_sub(oldest.count.load(std::memory_order_relaxed), std::memory_order_release);
  oldest.count.store(0, std::memory_order_release);
  head_ = (head_ + 1) % kBuckets;
  --size_;
}

void InFlight::ExpireLocked(int64_t now, int64_t expiry) {
  while (size_ > 0) {
    const int64_t newest = ring_[head_].newest.load(std::memory_order_relaxed);
    if (now <= newest || now - newest <= expiry) break;
    PopLocked();
  }
}

void InFlight::PublishLocked() {
  oldest_newest_.store(size_ == 0 ? std::numeric_limits<int64_t>::max()
                                  : ring_[head_].newest.load(std::memory_order_relaxed),
                       std::memory_order_release);
}

}  // namespace cliproxy::scheduler

// InFlight: the picks of one account whose usage record has not arrived yet, and
// PickExpiry: how long such a pick may count.
//
// Usage arrives only when a request finishes, seconds or minutes after its pick. A
// strategy that looked only at finished usage would send every pick of that interval to
// the same account (the least used, the fastest). Counting the picks in flight spreads
// them: each pick counts until a usage record for its account arrives. The pairing is by
// account, not by request (records do not name their pick), so a record ends the oldest
// in-flight pick of its account, whoever sent it; the count never goes below zero.
//
// Most records never arrive on a real proxy (CLIProxyAPI v7.2.140 delivered 1-15 of 200
// records of plain requests): a pick without a record must stop counting once its request
// has surely ended, or the accounts whose records were lost look busy for good. A pick
// expires PickExpiry after it was made: twice the largest latency recently reported for
// its account (the largest sample, halving every 10 minutes without a larger one), else
// for any account of the route, else 2 minutes; never less than 1 s or more than
// 15 minutes. Picks are kept in up to kBuckets buckets of expiry/8, so a pick expires
// between 1 and 1 1/8 expiries after it was made.
//
// Time is the monotonic time of the picks and records (`now`), as the policy's clock.
//
// Thread-safety: every method may be called concurrently. Count() never writes (account
// tables may run it more than once per read): two atomic loads while nothing is due to
// expire, else one pass over the kBuckets buckets; expired picks are dropped by the next
// Picked() or Finished().
#ifndef CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_
#define CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>

#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

class PickExpiry {
 public:
  static constexpr std::chrono::seconds kMin{1};
  static constexpr std::chrono::minutes kMax{15};
  static constexpr std::chrono::minutes kDefault{2};  // before any latency is reported
  static constexpr double kFactor = 2;
  static constexpr std::chrono::minutes kHalfLife{10};

  // Learns from one reported latency (ignored unless positive).
  void Observe(int64_t latency_ns, Clock::time_point now);
  // Forgets every latency (for an entry handed to another account).
  void Reset();
  // The expiry in nanoseconds, or 0 before any latency was reported.
  int64_t Ns() const { return expiry_ns_.load(std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  double max_ns_ = 0;           // decayed maximum; guarded by mutex_
  Clock::time_point max_at_{};  // when it was last raised or decayed; guarded
  std::atomic<int64_t> expiry_ns_{0};
};

class InFlight {
 public:
  static constexpr int kBuckets = 10;

  // Picks in flight at `now`. `route` is the expiry of the route (for an account whose
  // own latency was never reported).
  int64_t Count(Clock::time_point now, const PickExpiry& route) const;
  // Counts one pick made at `now`.
  void Picked(Clock::time_point now, const PickExpiry& route);
  // A record of this account arrived at `now`, reporting `latency_ns` (0: none): it ends
  // the oldest pick in flight and teaches the account's expiry.
  void Finished(int64_t latency_ns, Clock::time_point now, const PickExpiry& route);

  // Back to no pick in flight and no latency known (for an entry handed to another
  // account).
  void Reset();

  // The expiry that applies to this account's picks, in nanoseconds.
  int64_t ExpiryNs(const PickExpiry& route) const;

 private:
  // Written under mutex_; `newest` and `count` are read without it by Count().
  struct Bucket {
    int64_t first = 0;               // time of its first pick (ns)
    std::atomic<int64_t> newest{0};  // time of its latest pick
    std::atomic<int64_t> count{0};   // 0 for a bucket not in use
  };
  static int64_t Nanos(Clock::time_point t);
  void ExpireLocked(int64_t now, int64_t expiry);  // with mutex_ held
  void PopLocked();                                // drops the oldest bucket
  void PublishLocked();

  PickExpiry own_;
  std::mutex mutex_;
  std::array<Bucket, kBuckets> ring_;  // oldest at head_
  int head_ = 0;                       // guarded
  int size_ = 0;                       // guarded
  std::atomic<int64_t> total_{0};
  // The newest pick of the oldest bucket: nothing expires before it does.
  std::atomic<int64_t> oldest_newest_{std::numeric_limits<int64_t>::max()};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_

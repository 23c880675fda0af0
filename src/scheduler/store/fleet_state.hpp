// The parts of strategy states that instances sharing a Redis store exchange (RedisStore
// runs the exchange from its thread; docs/state.md describes the keys).
//
// SharedUsage (least-used's UsageWindow): this instance's usage per account and wall-clock
// bucket (absolute counts, so that pushing one twice is harmless), its picks in flight per
// account, and back the rest of the fleet's usage in the window, which picks add to their
// own. SharedSessions (sticky's bindings): bindings made here, and bindings made elsewhere.
// SharedQuota (headroom's QuotaState): the quota facts of upstream accounts (rate-limit
// windows and refusals; they describe a global account, so any instance's newest
// observation holds for all: per account and window, the newest observation wins) and
// the picks in flight per account, as SharedUsage's.
//
// Thread-safety: every method may be called concurrently with picks and records.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_FLEET_STATE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_FLEET_STATE_HPP_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scheduler/store/state_store.hpp"

namespace cliproxy::scheduler {

struct UsageRow {
  uint64_t account = 0;
  int64_t epoch = 0;  // wall-clock bucket: Unix ns / BucketNs()
  int64_t requests = 0;
  int64_t tokens = 0;
  int64_t picks = 0;
};

struct FleetUsage {
  uint64_t account = 0;
  int64_t requests = 0;
  int64_t tokens = 0;
  int64_t picks = 0;
  int64_t in_flight = 0;
};

class SharedUsage {
 public:
  virtual ~SharedUsage() = default;
  virtual int64_t BucketNs() const = 0;
  virtual int Buckets() const = 0;  // buckets in the window
  // This instance's rows changed since the last call (all rows with `all`), dropping rows
  // older than `oldest_epoch`.
  virtual void TakeOwn(std::vector<UsageRow>* rows, bool all, int64_t oldest_epoch) = 0;
  // This instance's picks in flight, by account (accounts with none are left out).
  virtual void OwnInFlight(std::vector<std::pair<uint64_t, int64_t>>* out,
                           Clock::time_point now) = 0;
  // The rest of the fleet's usage in the window; replaces the previous view (empty: none).
  virtual void SetFleet(const std::vector<FleetUsage>& others) = 0;
};

struct BindingRow {
  uint64_t session = 0;  // keyed hash of the session key (StateStore::session_hash)
  uint64_t account = 0;  // XXH64 of the auth ID
  uint64_t home = 0;
  int64_t wall_ms = 0;  // when it was bound (Unix ms)
};

class SharedSessions {
 public:
  virtual ~SharedSessions() = default;
  virtual int64_t TtlMs() const = 0;
  virtual size_t Capacity() const = 0;
  // Bindings made here since the last call (every binding remembered, with `all`).
  virtual void TakeOwn(std::vector<BindingRow>* rows, bool all) = 0;
  // Bindings made by other instances.
  virtual void ApplyFleet(const std::vector<BindingRow>& rows, const StoreTime& t) = 0;
};

// One quota fact of one account: a rate-limit window, or a refusal.
struct QuotaRow {
  static constexpr std::string_view kRefused = "refused";
  // How long a window stated without a reset nor a length holds.
  static constexpr int64_t kUnresetHoldNs = int64_t{60} * 1'000'000'000;

  uint64_t account = 0;     // XXH64 of the auth ID
  std::string kind;         // the window's name ("5h", "requests", ...), or kRefused
  int64_t observed_ns = 0;  // usage time (Unix ns) of the response that said it
  double utilization = 0;   // a window's used share, 0..1
  int64_t reset_ns = 0;     // a window's reset (0: none stated); a refusal: refused until
  int64_t length_ns = 0;    // a window's length (0: not stated)
  bool rejected = false;    // the upstream refuses on this window

  bool refusal() const { return kind == kRefused; }
  // Until when the fact holds (Unix ns): its reset, refusal, or observation plus its length.
  int64_t Until() const {
    if (refusal() || reset_ns != 0) return reset_ns;
    int64_t until = 0;
    const int64_t hold = length_ns > 0 ? length_ns : kUnresetHoldNs;
    return __builtin_add_overflow(observed_ns, hold, &until) ? std::numeric_limits<int64_t>::max()
                                                             : until;
  }
};

class SharedQuota {
 public:
  virtual ~SharedQuota() = default;
  // Every fact this instance holds that still holds (its own observations and those it
  // learnt from the fleet).
  virtual void TakeOwn(std::vector<QuotaRow>* rows, const StoreTime& t) = 0;
  // Merges facts read from the fleet (the newest observation per account and window; the
  // latest refusal). Returns how many rows it could not use (an unknown window name).
  virtual size_t ApplyFleet(const std::vector<QuotaRow>& rows, const StoreTime& t) = 0;
};

// Picks in flight per account that the fleet counts together (headroom's QuotaState,
// `pool.max_in_flight`'s PoolInFlight; least-used's go with its SharedUsage): each
// instance publishes its own, and reads the sum of the others'.
class SharedInFlight {
 public:
  virtual ~SharedInFlight() = default;
  // This instance's picks in flight, by account (accounts with none are left out).
  virtual void OwnInFlight(std::vector<std::pair<uint64_t, int64_t>>* out,
                           Clock::time_point now) = 0;
  // The other instances' picks in flight, by account; replaces the previous view (empty:
  // none).
  virtual void SetFleetInFlight(const std::vector<std::pair<uint64_t, int64_t>>& others) = 0;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_FLEET_STATE_HPP_

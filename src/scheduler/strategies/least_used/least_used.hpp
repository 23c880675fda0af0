// LeastUsedStrategy (`least-used`): the pool's account with the least usage (tokens or
// requests, `usage.measure`) in a sliding `usage.window`: the larger of what its usage
// records report plus its picks in flight, and this route's own picks of it in the window,
// each valued at the account's cost per request (so that records lost by the host, as most
// records of plain requests are, do not make it look idle); ties go to the lowest ID;
// accounts at `usage.limit` are left out. The window (UsageWindow, role "least-used") is
// kept across reconfigures that keep the route's name and its `window`; it fails closed
// when its account table is full.
//
// Thread-safety: a pick reads scores without locks and locks the chosen account's entry;
// a usage record locks its account's entry. Algorithm: docs/strategies.md#least-used.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_LEAST_USED_LEAST_USED_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_LEAST_USED_LEAST_USED_HPP_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/account_table.hpp"
#include "scheduler/in_flight.hpp"
#include "scheduler/logger.hpp"
#include "scheduler/store/fleet_state.hpp"
#include "scheduler/store/state_store.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"
#include "scheduler/usage_clock.hpp"
#include "scheduler/usage_observer.hpp"

namespace cliproxy::scheduler {

inline constexpr std::chrono::milliseconds kDefaultUsageWindow = std::chrono::hours(1);

// The usage of every account in one sliding window, shared across Policies.
//
// Kept by state stores (docs/state.md): the file store saves the buckets of every account
// and the usage clock (StoredState; restored into a new window of the same route and
// window length); the Redis store exchanges this instance's usage per account and
// wall-clock bucket and its picks in flight (SharedUsage), and the rest of the fleet's
// usage in the window is added to every Reading. While shared, records and picks are also
// counted in a ledger by bucket (at most kMaxLedgerRows rows, i.e. accounts x buckets of
// the window; beyond that new rows are dropped and it is logged once).
class UsageWindow : public StrategyState,
                    public UsageObserver,
                    public StoredState,
                    public SharedUsage {
 public:
  static constexpr size_t kMaxLedgerRows = size_t{1} << 17;
  static constexpr int kBuckets = 60;

  // `route` and `logger` (may be null) are for the warning logged when the table is full.
  UsageWindow(std::chrono::milliseconds window, std::string route = "",
              std::shared_ptr<const Logger> logger = nullptr,
              size_t max_accounts = kDefaultMaxAccounts);

  void Observe(const UsageRecord& record, Clock::time_point now) override;

  struct Reading {
    bool known = true;      // false: usage of the account may have been lost; not picked
    bool tracked = false;   // the account has an entry
    int64_t requests = 0;   // finished in the window
    int64_t tokens = 0;     // of those
    int64_t picks = 0;      // this route's picks in the window
    int64_t in_flight = 0;  // picks whose record has not arrived (nor expired)
  };
  // The window's current bucket at monotonic time `now` (an opaque value for Read; the same
  // for every account, so a pick computes it once).
  int64_t Epoch(Clock::time_point now) const;
  // The usage of the account with ID hash `hash` in the window ending at bucket `epoch`
  // (from Epoch(now)).
  Reading Read(uint64_t hash, int64_t epoch, Clock::time_point now);
  // Counts one pick of the account, in flight and (once the usage clock is set) in the
  // window; false when the account can get no entry
  // (the table is full of accounts with usage in the window): it must not be picked.
  bool Picked(uint64_t hash, int64_t epoch, Clock::time_point now);
  // Mean tokens per request over every record seen; 0 before any.
  int64_t MeanTokens() const;

  std::chrono::milliseconds window() const { return window_; }
  // Accounts with an entry, and entries allocated (for tests of the bound).
  size_t accounts() const { return accounts_.size(); }
  size_t allocated() const { return accounts_.allocated(); }
  size_t Records() const override { return accounts_.allocated(); }
  // The account's window as of its latest pick or record (a window that has passed since
  // reads as empty) and its picks in flight; lock-free.
  void ReadAccount(uint64_t hash, Clock::time_point now, AccountReading* out) const override;

  // StoredState.
  const std::string& StoreName() const override { return store_name_; }
  std::string Save(const StoreTime& t) const override;
  bool Restore(std::string_view body, const StoreTime& t) override;
  void SetShared(bool shared) override {
    sharers_.fetch_add(shared ? 1 : -1, std::memory_order_acq_rel);
  }
  // SharedUsage.
  int64_t BucketNs() const override { return bucket_ns_; }
  int Buckets() const override { return kBuckets; }
  void TakeOwn(std::vector<UsageRow>* rows, bool all, int64_t oldest_epoch) override;
  void OwnInFlight(std::vector<std::pair<uint64_t, int64_t>>* out, Clock::time_point now) override;
  void SetFleet(const std::vector<FleetUsage>& others) override;

 private:
  static constexpr int64_t kNoEpoch = INT64_MIN;

  // One account's window. Writers (records, bucket expiry, picks in flight) hold `mutex`;
  // readers load the published head and sums without it, and take it only to expire
  // buckets when the head is behind the current epoch (once per bucket and account).
  // What a pick reads comes first, next to the table's version and hash: two cache lines.
  struct Entry : AccountEntry {
    std::atomic<int64_t> published_head{kNoEpoch};
    std::atomic<int64_t> sum_requests{0};  // over the buckets within kBuckets of head
    std::atomic<int64_t> sum_tokens{0};
    std::atomic<int64_t> sum_picks{0};
    // Records of this account may have been dropped before it had an entry: until this
    // epoch its usage is not known and it is not picked.
    std::atomic<int64_t> unknown_until{kNoEpoch};
    // The rest of the fleet's usage in the window (Redis store), added to every Reading.
    std::atomic<int64_t> fleet_requests{0};
    std::atomic<int64_t> fleet_tokens{0};
    std::atomic<int64_t> fleet_picks{0};
    std::atomic<int64_t> fleet_in_flight{0};
    InFlight in_flight;
    int64_t head = kNoEpoch;                   // newest bucket epoch; guarded
    bool fresh = true;                         // not yet adopted by UsageWindow::Adopt; guarded
    std::array<int64_t, kBuckets> requests{};  // by epoch % kBuckets; guarded
    std::array<int64_t, kBuckets> tokens{};
    std::array<int64_t, kBuckets> picks{};

    void Advance(int64_t epoch);  // with `mutex` held
    void Add(int64_t epoch, int64_t tokens);
    void AddPick(int64_t epoch);
    // Adds saved counts of bucket `epoch` (restore); ignored outside the window.
    void Merge(int64_t epoch, int64_t requests, int64_t tokens, int64_t picks);
    void Reset();
  };

  // With the entry's mutex held: a new entry takes the route's unknown period.
  void Adopt(Entry& e) const;
  // Whether an entry may be handed to another account: nothing in the window, nothing in
  // flight (with its mutex held).
  bool Idle(Entry& e, int64_t epoch, Clock::time_point now) const;
  // A record or pick that found no room; `lost_until`: the epoch until which a dropped
  // record would have counted (kNoEpoch for a pick).
  void Refused(int64_t lost_until);
  // Counts in the ledger of this instance's usage by wall-clock bucket (while shared).
  void Ledger(uint64_t account, int64_t time_ns, int64_t requests, int64_t tokens, int64_t picks);

  const std::chrono::milliseconds window_;
  const int64_t bucket_ns_;
  const std::string route_;
  const std::shared_ptr<const Logger> logger_;
  UsageClock clock_;
  PickExpiry expiry_;  // of the route: for accounts whose latency was never reported
  mutable AccountTable<Entry> accounts_;  // mutable: Save() visits entries under their mutex
  std::atomic<int64_t> total_requests_{0};
  std::atomic<int64_t> total_tokens_{0};
  // A record was dropped for want of an entry: accounts without an entry, and entries made
  // meanwhile, are not picked until the window has passed that record (epoch).
  std::atomic<int64_t> lost_until_{kNoEpoch};
  std::atomic<bool> warned_{false};

  const std::string store_name_;
  std::atomic<int> sharers_{0};  // stores sharing this state (SetShared)
  struct LedgerRow {
    int64_t requests = 0;
    int64_t tokens = 0;
    int64_t picks = 0;
    bool dirty = false;
  };
  std::mutex ledger_mutex_;
  std::map<std::pair<int64_t, uint64_t>, LedgerRow> ledger_;  // (epoch, account); guarded
  bool ledger_warned_ = false;                                // guarded
  std::mutex fleet_mutex_;                                    // one SetFleet at a time
  std::vector<uint64_t> fleet_accounts_;  // accounts with a fleet view; guarded by fleet_mutex_
};

class LeastUsedStrategy : public Strategy {
 public:
  enum class Measure { kTokens, kRequests };

  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);

  Outcome Pick(const PickContext& context) const override;

 private:
  LeastUsedStrategy() = default;

  Measure measure_ = Measure::kTokens;
  int64_t limit_ = 0;  // 0: none
  std::shared_ptr<UsageWindow> window_;
};

// The registry's row of `least-used`.
const StrategyInfo& LeastUsedStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_LEAST_USED_LEAST_USED_HPP_

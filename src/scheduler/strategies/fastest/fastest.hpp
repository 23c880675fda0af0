// FastestStrategy (`fastest`): the pool's account with the lowest time-decayed average
// latency (or TTFT, `latency.measure`) times (picks in flight + 1), from usage records; every
// round(1 / `latency.explore`)-th pick re-measures the account measured least recently. The
// averages (LatencyAverages, role "fastest") are kept across reconfigures that keep the
// route's name, `measure`, `half_life` and `failure_penalty`, and by the file store across
// restarts (StoredState "fastest/<route>/<measure>/<half_life ms>/<failure_penalty ms>":
// each account's decayed sum and weight and its latest sample's time; not shared by Redis).
//
// Thread-safety: a pick reads averages without locks and locks the chosen account's entry;
// a usage record locks its account's entry. Algorithm: docs/strategies.md#fastest.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_FASTEST_FASTEST_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_FASTEST_FASTEST_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "scheduler/account_table.hpp"
#include "scheduler/in_flight.hpp"
#include "scheduler/logger.hpp"
#include "scheduler/store/state_store.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"
#include "scheduler/usage_clock.hpp"
#include "scheduler/usage_observer.hpp"

namespace cliproxy::scheduler {

inline constexpr std::chrono::milliseconds kDefaultLatencyHalfLife = std::chrono::minutes(5);
inline constexpr double kDefaultExplore = 0.05;
inline constexpr std::chrono::milliseconds kDefaultFailurePenalty = std::chrono::seconds(30);

// The latency averages of every account, shared across Policies.
class LatencyAverages : public StrategyState, public UsageObserver, public StoredState {
 public:
  enum class Measure { kLatency, kTtft };
  struct Settings {
    Measure measure = Measure::kLatency;
    std::chrono::milliseconds half_life = kDefaultLatencyHalfLife;
    std::chrono::milliseconds failure_penalty = kDefaultFailurePenalty;
    bool operator==(const Settings&) const = default;
  };

  // `route` and `logger` (may be null) are for the warning logged when the table is full.
  explicit LatencyAverages(Settings settings, std::string route = "",
                           std::shared_ptr<const Logger> logger = nullptr,
                           size_t max_accounts = kDefaultMaxAccounts);

  void Observe(const UsageRecord& record, Clock::time_point now) override;

  struct Reading {
    bool tracked = false;  // the account has an entry
    bool measured = false;
    double average_ns = 0;
    int64_t last_sample = 0;  // usage time (Unix ns) of the latest sample
    int64_t in_flight = 0;
  };
  Reading Read(uint64_t hash, Clock::time_point now);
  // Counts one pick of the account in flight; false when the account can get no entry
  // (the table is full of accounts in use): it must not be picked.
  bool Picked(uint64_t hash, Clock::time_point now);

  const Settings& settings() const { return settings_; }
  // Counts one pick of the route; returns the number of picks before it.
  uint64_t CountPick() { return picks_.fetch_add(1, std::memory_order_relaxed); }
  // The number of picks counted so far.
  uint64_t Picks() const { return picks_.load(std::memory_order_relaxed); }
  // Accounts with an entry, and entries allocated (for tests of the bound).
  size_t accounts() const { return accounts_.size(); }
  size_t allocated() const { return accounts_.allocated(); }
  size_t Records() const override { return accounts_.allocated(); }
  // The account's average (when measured) and picks in flight; lock-free.
  void ReadAccount(uint64_t hash, Clock::time_point now, AccountReading* out) const override;
  // How long an account without picks or samples keeps its average when room is needed.
  Clock::duration forget_after() const { return forget_after_; }

  // StoredState: the averages of measured accounts (restored into a new state of the same
  // route and settings; a restored account counts as active at the restore).
  const std::string& StoreName() const override { return store_name_; }
  std::string Save(const StoreTime& t) const override;
  bool Restore(std::string_view body, const StoreTime& t) override;

 private:
  // One account's average. Writers (records, picks in flight) hold `mutex`; readers load
  // the published values without it.
  struct Entry : AccountEntry {
    double sum = 0;              // decayed sum of samples (ns), as of `last`; guarded
    double weight = 0;           // decayed number of samples; guarded
    int64_t last = 0;            // usage time of the latest sample; guarded
    Clock::time_point active{};  // monotonic time of the latest pick or sample; guarded
    std::atomic<double> average{0};
    std::atomic<int64_t> last_sample{0};
    std::atomic<bool> measured{false};
    InFlight in_flight;

    void Reset();
  };

  // Whether an entry may be handed to another account (with its mutex held).
  bool Idle(Entry& e, Clock::time_point now) const;
  void Refused();

  const Settings settings_;
  const Clock::duration forget_after_;
  const std::string route_;
  const std::shared_ptr<const Logger> logger_;
  std::atomic<bool> warned_{false};
  UsageClock clock_;
  PickExpiry expiry_;  // of the route: for accounts whose latency was never reported
  mutable AccountTable<Entry> accounts_;  // mutable: Save() visits entries under their mutex
  std::atomic<uint64_t> picks_{0};
  const std::string store_name_;
};

class FastestStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);

  Outcome Pick(const PickContext& context) const override;

 private:
  // One account of a pick and what was read of it.
  struct Seen {
    const Candidate* candidate;
    uint64_t hash;
    LatencyAverages::Reading reading;
  };

  FastestStrategy() = default;
  // The account to pick among `seen` (null when empty).
  static const Seen* Choose(const std::vector<Seen>& seen, bool explore, double best_average);

  uint64_t explore_every_ = 0;  // 0: never
  std::shared_ptr<LatencyAverages> averages_;
};

// The registry's row of `fastest`.
const StrategyInfo& FastestStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_FASTEST_FASTEST_HPP_

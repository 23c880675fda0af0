// QuotaState: what the upstreams say about each account's quota, learned from usage
// records: the windows of their rate-limit headers (ReadRateLimitHeaders: utilization,
// reset, length) and refusals (a 429/529 with retry-after, a window the upstream rejects
// on). A route's `headroom` strategy reads it to leave out accounts that are spent or
// refused, and to order the others (docs/strategies.md#headroom).
//
// Time: resets are wall-clock times; they are compared with the usage clock (UsageClock:
// the time the records say, running on between them), so a replay or a simulation that
// moves its records' times moves the resets with them.
//
// What counts as current: a window with a reset ahead of the usage clock holds what it
// last said until that reset; once the reset has passed the window has started afresh
// (utilization 0; its next reset is expected one window length later, when the length is
// known). A window stated without a reset holds for its length, else for a minute. A
// refusal holds until its time; a later request that started after the refusal and
// succeeded ends it. A record ends the oldest pick in flight of its account (InFlight).
//
// Bounded like every account table (AccountTable): an account with no current window, no
// refusal and nothing in flight may be forgotten (it then reads as never described). When
// the table is full, a record that cannot be stored makes every account without an entry
// unknown-and-refused until what that record said has expired (fail closed, logged once).
// Nothing of a record is stored but the quota numbers of its headers: never its APIKey,
// Source, other headers or body.
//
// Kept by state stores (docs/state.md), as "quota/<route>": the file store saves every
// account's windows and refusals and the usage clock (StoredState; a restart keeps them,
// and what has expired meanwhile reads as expired); the Redis store shares them
// (SharedQuota: per account and window the newest observation of any instance, and the
// latest refusal; and the picks in flight of the other instances, added to Read()'s).
// Picks in flight are not saved (their requests ended with the process).
//
// Thread-safety: every method may be called concurrently; Read() takes no lock.
#ifndef CLIPROXY_SRC_SCHEDULER_QUOTA_QUOTA_STATE_HPP_
#define CLIPROXY_SRC_SCHEDULER_QUOTA_QUOTA_STATE_HPP_

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/account_table.hpp"
#include "scheduler/in_flight.hpp"
#include "scheduler/logger.hpp"
#include "scheduler/quota/rate_limit_headers.hpp"
#include "scheduler/store/fleet_in_flight.hpp"
#include "scheduler/store/fleet_state.hpp"
#include "scheduler/store/state_store.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/usage_clock.hpp"
#include "scheduler/usage_observer.hpp"

namespace cliproxy::scheduler {

class QuotaState : public StrategyState,
                   public UsageObserver,
                   public StoredState,
                   public SharedQuota,
                   public SharedInFlight {
 public:
  // The window names ReadRateLimitHeaders reports, each with its own slot.
  static constexpr int kWindowKinds = 8;
  // How long a window stated without a reset (and without a length) holds.
  static constexpr int64_t kUnresetHoldNs = QuotaRow::kUnresetHoldNs;
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::min();
  static constexpr int64_t kNoReset = std::numeric_limits<int64_t>::max();

  // `route` and `logger` (may be null) are for the warning logged when the table is full.
  explicit QuotaState(std::string route = "", std::shared_ptr<const Logger> logger = nullptr,
                      size_t max_accounts = kDefaultMaxAccounts);

  void Observe(const UsageRecord& record, Clock::time_point now) override;

  // Usage time (Unix ns) at monotonic time `now`, or UsageClock::kUnset before any record.
  int64_t Now(Clock::time_point now) const { return clock_.Now(now); }

  // An account's quota at usage time `usage_now` (from Now()).
  struct Reading {
    bool tracked = false;  // the account has an entry
    bool known = false;    // some window of it is described (current or started afresh)
    bool refused = false;  // refused until `refused_until`, or its state was lost
    int64_t refused_until = 0;
    double utilization = 0;            // the highest of its current windows, 0..1
    int64_t soonest_reset = kNoReset;  // the earliest reset of its windows (expected after a
                                       // window started afresh); kNoReset: none known
    int64_t in_flight = 0;             // picks counted by Picked() whose record has not arrived
                                       // (here, and on the other instances: Redis store)
  };
  Reading Read(uint64_t hash, int64_t usage_now, Clock::time_point now) const;

  // Counts one pick of the account in flight; false when it can get no entry (the table is
  // full of accounts with current quota): it must not be picked.
  bool Picked(uint64_t hash, Clock::time_point now);

  // Accounts with an entry, and entries allocated (for tests of the bound).
  size_t accounts() const { return accounts_.size(); }
  size_t Records() const override { return accounts_.allocated(); }
  // Status page: picks in flight and the account's quota (Read(), no lock).
  void ReadAccount(uint64_t hash, Clock::time_point now, AccountReading* out) const override;

  // StoredState.
  const std::string& StoreName() const override { return store_name_; }
  std::string Save(const StoreTime& t) const override;
  bool Restore(std::string_view body, const StoreTime& t) override;
  // SharedQuota.
  void TakeOwn(std::vector<QuotaRow>* rows, const StoreTime& t) override;
  size_t ApplyFleet(const std::vector<QuotaRow>& rows, const StoreTime& t) override;
  // SharedInFlight.
  void OwnInFlight(std::vector<std::pair<uint64_t, int64_t>>* out, Clock::time_point now) override;
  void SetFleetInFlight(const std::vector<std::pair<uint64_t, int64_t>>& others) override;

 private:
  // One window of one account; written under the entry's mutex, read without it.
  struct Window {
    std::atomic<int64_t> observed{kNever};  // usage time of the record that described it
    std::atomic<double> utilization{0};
    std::atomic<int64_t> reset{0};   // 0: none stated
    std::atomic<int64_t> length{0};  // 0: not stated
    std::atomic<bool> rejected{false};
  };
  struct Entry : AccountEntry {
    std::array<Window, kWindowKinds> windows;
    std::atomic<int64_t> refused_until{0};
    // Usage time of the refusing record's end, or of the start of the request that was served
    // after it (the refusal was lifted then: older refusals, from the fleet, do not return).
    std::atomic<int64_t> refused_at{0};
    // Records of this account may have been dropped before it had an entry: until then it
    // is not picked.
    std::atomic<int64_t> lost_until{0};
    InFlight in_flight;
    std::atomic<int64_t> fleet_in_flight{0};  // the other instances' (Redis store)
    bool fresh = true;                        // not yet adopted (Adopt); guarded by `mutex`
    void Reset();
  };

  void Store(Entry& e, const QuotaObservation& seen, const UsageRecord& record, int64_t end);
  void Adopt(Entry& e) const;
  bool Idle(const Entry& e, int64_t usage_now, Clock::time_point now) const;
  void Refused(int64_t lost_until);
  // Merges one fact (restored or from the fleet) into `e`: a window is replaced by a newer
  // observation; a refusal extends the account's unless it was lifted after it.
  static void Merge(Entry& e, int kind, const QuotaRow& row);
  // Sets the usage clock at wall time `t` if no record has set it (fleet facts arrived first).
  void StartClock(const StoreTime& t);

  const std::string route_;
  const std::shared_ptr<const Logger> logger_;
  UsageClock clock_;
  PickExpiry expiry_;  // of the route: for accounts whose latency was never reported
  mutable AccountTable<Entry> accounts_;  // mutable: Save() visits entries under their mutex
  // A record with quota was dropped for want of an entry: accounts without one, and
  // entries made meanwhile, are refused until this usage time.
  std::atomic<int64_t> lost_until_{0};
  std::atomic<bool> warned_{false};
  const std::string store_name_;
  FleetInFlight fleet_in_flight_;  // the fleet's counts in the entries
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_QUOTA_QUOTA_STATE_HPP_

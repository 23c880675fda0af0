// PoolInFlight: the picks in flight of each account of one route, for `pool.max_in_flight`:
// an account with that many picks whose requests have not finished is left out of the
// route's pool, whatever its strategy.
//
// A pick counts from the moment the route chooses the account until a usage record of the
// account arrives or the pick expires (InFlight: records may never arrive, see
// in_flight.hpp). The count and the cap are checked together under the account's lock, so
// concurrent picks never put more than the cap in flight on one account.
//
// With the Redis store (state: {store: redis}), the cap holds across the fleet: each
// instance publishes its picks in flight and counts the others' with its own
// (SharedInFlight; the others' as of the last exchange, docs/state.md). Nothing of it is
// written to a snapshot: picks in flight end with the process.
//
// Bounded (AccountTable): an account with nothing in flight may be forgotten. When the
// table is full of accounts with picks in flight, an account without an entry cannot be
// counted and is not picked (fail closed, logged once). Accounts read from the fleet get
// entries only while the table is less than half full.
//
// Thread-safety: every method may be called concurrently; Count() takes no lock.
#ifndef CLIPROXY_SRC_SCHEDULER_POOL_IN_FLIGHT_HPP_
#define CLIPROXY_SRC_SCHEDULER_POOL_IN_FLIGHT_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scheduler/account_table.hpp"
#include "scheduler/in_flight.hpp"
#include "scheduler/logger.hpp"
#include "scheduler/store/fleet_in_flight.hpp"
#include "scheduler/store/fleet_state.hpp"
#include "scheduler/store/state_store.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/usage_observer.hpp"

namespace cliproxy::scheduler {

class PoolInFlight : public StrategyState,
                     public UsageObserver,
                     public StoredState,
                     public SharedInFlight {
 public:
  // `route` and `logger` (may be null) are for the warning logged when the table is full.
  explicit PoolInFlight(std::string route = "", std::shared_ptr<const Logger> logger = nullptr,
                        size_t max_accounts = kDefaultMaxAccounts);

  // A record ends the oldest pick in flight of its account and teaches the expiry.
  void Observe(const UsageRecord& record, Clock::time_point now) override;

  // Picks in flight of the account with ID hash `hash` at `now`: this instance's and the
  // fleet's.
  int64_t Count(uint64_t hash, Clock::time_point now) const;
  // Counts one pick of the account if it has fewer than `cap` in flight (with the
  // fleet's); false when it has `cap` (a concurrent pick took the last place) or can get no
  // entry.
  bool TryPick(uint64_t hash, int64_t cap, Clock::time_point now);

  size_t Records() const override { return accounts_.allocated(); }

  // StoredState: nothing is saved (picks in flight end with the process).
  const std::string& StoreName() const override { return store_name_; }
  std::string Save(const StoreTime&) const override { return ""; }
  bool Restore(std::string_view body, const StoreTime&) override { return body.empty(); }
  // SharedInFlight.
  void OwnInFlight(std::vector<std::pair<uint64_t, int64_t>>* out, Clock::time_point now) override;
  void SetFleetInFlight(const std::vector<std::pair<uint64_t, int64_t>>& others) override;

 private:
  struct Entry : AccountEntry {
    InFlight in_flight;
    std::atomic<int64_t> fleet_in_flight{0};  // the other instances' (Redis store)
    void Reset() {
      in_flight.Reset();
      fleet_in_flight.store(0, std::memory_order_relaxed);
    }
  };

  const std::string route_;
  const std::shared_ptr<const Logger> logger_;
  PickExpiry expiry_;  // of the route: for accounts whose latency was never reported
  AccountTable<Entry> accounts_;
  std::atomic<bool> warned_{false};
  const std::string store_name_;
  FleetInFlight fleet_in_flight_;  // the fleet's counts in the entries
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_POOL_IN_FLIGHT_HPP_

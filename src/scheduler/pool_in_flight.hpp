// PoolInFlight: the picks in flight of each account of one route, for `pool.max_in_flight`:
// an account with that many picks whose requests have not finished is left out of the
// route's pool, whatever its strategy.
//
// A pick counts from the moment the route chooses the account until a usage record of the
// account arrives or the pick expires (InFlight: records may never arrive, see
// in_flight.hpp). The count and the cap are checked together under the account's lock, so
// concurrent picks never put more than the cap in flight on one account.
//
// Bounded (AccountTable): an account with nothing in flight may be forgotten. When the
// table is full of accounts with picks in flight, an account without an entry cannot be
// counted and is not picked (fail closed, logged once).
//
// Thread-safety: every method may be called concurrently; Count() takes no lock.
#ifndef CLIPROXY_SRC_SCHEDULER_POOL_IN_FLIGHT_HPP_
#define CLIPROXY_SRC_SCHEDULER_POOL_IN_FLIGHT_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "scheduler/account_table.hpp"
#include "scheduler/in_flight.hpp"
#include "scheduler/logger.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/usage_observer.hpp"

namespace cliproxy::scheduler {

class PoolInFlight : public StrategyState, public UsageObserver {
 public:
  // `route` and `logger` (may be null) are for the warning logged when the table is full.
  explicit PoolInFlight(std::string route = "", std::shared_ptr<const Logger> logger = nullptr,
                        size_t max_accounts = kDefaultMaxAccounts);

  // A record ends the oldest pick in flight of its account and teaches the expiry.
  void Observe(const UsageRecord& record, Clock::time_point now) override;

  // Picks in flight of the account with ID hash `hash` at `now`.
  int64_t Count(uint64_t hash, Clock::time_point now) const;
  // Counts one pick of the account if it has fewer than `cap` in flight; false when it has
  // `cap` (a concurrent pick took the last place) or can get no entry.
  bool TryPick(uint64_t hash, int64_t cap, Clock::time_point now);

  size_t Records() const override { return accounts_.allocated(); }

 private:
  struct Entry : AccountEntry {
    InFlight in_flight;
    void Reset() { in_flight.Reset(); }
  };

  const std::string route_;
  const std::shared_ptr<const Logger> logger_;
  PickExpiry expiry_;  // of the route: for accounts whose latency was never reported
  AccountTable<Entry> accounts_;
  std::atomic<bool> warned_{false};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_POOL_IN_FLIGHT_HPP_

#include "scheduler/pool_in_flight.hpp"

#include "base/hash.hpp"

namespace cliproxy::scheduler {

PoolInFlight::PoolInFlight(std::string route, std::shared_ptr<const Logger> logger,
                           size_t max_accounts)
    : route_(std::move(route)),
      logger_(std::move(logger)),
      accounts_(max_accounts),
      store_name_("pool-in-flight/" + route_) {}

void PoolInFlight::Observe(const UsageRecord& record, Clock::time_point now) {
  expiry_.Observe(record.latency_ns, now);
  if (record.auth_id.empty()) return;
  accounts_.UpdateIfPresent(Hash64(record.auth_id), [&](Entry& e) {
    e.in_flight.Finished(record.latency_ns, now, expiry_);
  });
}

int64_t PoolInFlight::Count(uint64_t hash, Clock::time_point now) const {
  int64_t count = 0;
  if (!accounts_.Find(hash, [&](const Entry& e) {
        count = e.in_flight.Count(now, expiry_) + e.fleet_in_flight.load(std::memory_order_acquire);
      })) {
    return 0;
  }
  return count;
}

bool PoolInFlight::TryPick(uint64_t hash, int64_t cap, Clock::time_point now) {
  bool counted = false;
  const bool stored = accounts_.Update(
      hash,
      [&](Entry& e) {
        // Under the entry's lock: no other pick or record changes the count meanwhile.
        const int64_t fleet = e.fleet_in_flight.load(std::memory_order_acquire);
        if (e.in_flight.Count(now, expiry_) + fleet >= cap) return;
        e.in_flight.Picked(now, expiry_);
        counted = true;
      },
      [&](Entry& e) {
        return e.in_flight.Count(now, expiry_) == 0 &&
               e.fleet_in_flight.load(std::memory_order_relaxed) == 0;
      });
  if (!stored && logger_ && !warned_.exchange(true, std::memory_order_relaxed)) {
    logger_->Warn("scheduler: route \"" + route_ + "\" (pool.max_in_flight) counts the picks of " +
                  "at most " + std::to_string(accounts_.max_accounts()) +
                  " accounts and is full: accounts it cannot count are not picked by this route "
                  "until picks of others end (logged once)");
  }
  return counted;
}

void PoolInFlight::OwnInFlight(std::vector<std::pair<uint64_t, int64_t>>* out,
                               Clock::time_point now) {
  FleetInFlight::Own(accounts_, expiry_, now, out);
}

void PoolInFlight::SetFleetInFlight(const std::vector<std::pair<uint64_t, int64_t>>& others) {
  fleet_in_flight_.Set(accounts_, others, [](Entry&) {});
}

}  // namespace cliproxy::scheduler

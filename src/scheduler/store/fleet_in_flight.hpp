// FleetInFlight: the part of SharedInFlight (fleet_state.hpp) that every state counting
// picks in flight per account in an AccountTable has in common: publishing its own counts,
// and keeping the fleet's count in each account's entry (`Entry::fleet_in_flight`, an
// std::atomic<int64_t> that picks read without a lock).
//
// Accounts read from the fleet get entries only while the table is less than half full,
// and never evict one: they must not crowd out this instance's own accounts. An account
// the fleet no longer reports has its count set back to 0.
//
// Thread-safety: Own() and Set() may run concurrently with picks and records; Set() calls
// are serialized by its own mutex.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_FLEET_IN_FLIGHT_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_FLEET_IN_FLIGHT_HPP_

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "scheduler/account_table.hpp"
#include "scheduler/in_flight.hpp"

namespace cliproxy::scheduler {

class FleetInFlight {
 public:
  using Counts = std::vector<std::pair<uint64_t, int64_t>>;

  // This instance's picks in flight (Entry::in_flight), accounts with none left out.
  template <class Entry>
  static void Own(AccountTable<Entry>& accounts, const PickExpiry& expiry, Clock::time_point now,
                  Counts* out) {
    out->clear();
    accounts.ForEachHeld([&](uint64_t hash, Entry& e) {
      const int64_t n = e.in_flight.Count(now, expiry);
      if (n > 0) out->emplace_back(hash, n);
    });
  }

  // Stores the fleet's counts `others` into the entries; `touch(Entry&)` runs on each entry
  // given a count, under its lock, before the count is stored.
  template <class Entry, class Touch>
  void Set(AccountTable<Entry>& accounts, const Counts& others, Touch touch) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<uint64_t> seen;
    seen.reserve(others.size());
    for (const std::pair<uint64_t, int64_t>& other : others) {
      const uint64_t account = other.first;
      const int64_t count = other.second;  // not a structured binding: clang 14 captures none
      auto apply = [&](Entry& e) {
        touch(e);
        e.fleet_in_flight.store(count, std::memory_order_release);
      };
      bool held = accounts.UpdateIfPresent(account, apply);
      if (!held && accounts.size() < accounts.max_accounts() / 2) {
        held = accounts.Update(account, apply, [](Entry&) { return false; });
      }
      if (held) seen.push_back(account);
    }
    std::sort(seen.begin(), seen.end());
    for (uint64_t account : accounts_) {
      if (std::binary_search(seen.begin(), seen.end(), account)) continue;
      accounts.UpdateIfPresent(
          account, [](Entry& e) { e.fleet_in_flight.store(0, std::memory_order_release); });
    }
    accounts_ = std::move(seen);
  }

 private:
  std::mutex mutex_;
  std::vector<uint64_t> accounts_;  // accounts given a fleet count; guarded by mutex_
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_FLEET_IN_FLIGHT_HPP_

// RouteCounters: what one route has decided since the plugin started, for the status page.
//
// Kept in the route's RouteState (role "status"), so a reconfigure that keeps the route's
// name keeps its counts. A pick the route decided is counted by kind, by account (up to
// kMaxAccounts accounts; picks of further accounts are counted together), and is the
// route's last decision. Recording is a handful of relaxed atomic increments and stores;
// a new account allocates its slot once.
//
// Thread-safety: every method may be called concurrently; none blocks.
#ifndef CLIPROXY_SRC_SCHEDULER_STATUS_ROUTE_COUNTERS_HPP_
#define CLIPROXY_SRC_SCHEDULER_STATUS_ROUTE_COUNTERS_HPP_

#include <atomic>
#include <cstdint>
#include <string>

#include "scheduler/decision.hpp"
#include "scheduler/status/account_slots.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

class RouteCounters : public StrategyState {
 public:
  static constexpr size_t kMaxAccounts = 2048;
  static constexpr size_t kMaxErrorCodes = 64;

  struct AccountSlot {
    std::string id;
    uint64_t hash = 0;
    std::atomic<uint64_t> picks{0};
    std::atomic<int64_t> last_pick_ms{0};  // Unix milliseconds
  };
  struct ErrorSlot {
    std::string id;  // the error code
    uint64_t hash = 0;
    std::atomic<uint64_t> count{0};
    std::atomic<int> http_status{0};
  };

  // The route's last decision, as published.
  struct LastDecision {
    Decision::Kind kind = Decision::Kind::kUnhandled;
    int64_t at_ms = 0;  // 0: none yet
    std::string what;   // the account, the delegate, or the error code
    int http_status = 0;
  };

  // Counts `decision`, which this route made at Unix time `now_ms`.
  void Record(const Decision& decision, int64_t now_ms);

  uint64_t auth() const { return auth_.load(std::memory_order_relaxed); }
  uint64_t delegated() const { return delegated_.load(std::memory_order_relaxed); }
  uint64_t passed() const { return passed_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  // Picks of accounts that found no slot (more than kMaxAccounts accounts).
  uint64_t other_accounts() const { return other_accounts_.load(std::memory_order_relaxed); }
  LastDecision last() const;

  const AccountSlots<AccountSlot>& accounts() const { return accounts_; }
  const AccountSlots<ErrorSlot>& error_codes() const { return error_codes_; }

 private:
  std::atomic<uint64_t> auth_{0};
  std::atomic<uint64_t> delegated_{0};
  std::atomic<uint64_t> passed_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> other_accounts_{0};
  AccountSlots<AccountSlot> accounts_{kMaxAccounts};
  AccountSlots<ErrorSlot> error_codes_{kMaxErrorCodes};
  // The last decision: its kind, time and the slot naming it (an account or an error code;
  // a delegate is one of two static names). Published as three words: a reader may see a
  // kind and a slot of two racing decisions, both real decisions of this route.
  std::atomic<int> last_kind_{static_cast<int>(Decision::Kind::kUnhandled)};
  std::atomic<int64_t> last_at_ms_{0};
  std::atomic<const AccountSlot*> last_account_{nullptr};
  std::atomic<const ErrorSlot*> last_error_{nullptr};
  std::atomic<bool> last_delegate_round_robin_{false};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STATUS_ROUTE_COUNTERS_HPP_

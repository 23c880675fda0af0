// StickyBindings: the sticky strategy's remembered bindings (a SessionTable), shared across
// Policies (role "sticky") and kept by state stores (docs/state.md): the file store saves
// every binding with its age (StoredState); the Redis store shares the bindings made here
// and learns those made by other instances (SharedSessions). Sessions are identified by
// the store's keyed hash of the session key (StateStore::session_hash), never the key.
//
// While shared, each new or changed binding is queued for the store (at most kMaxOutbox;
// beyond that the oldest are dropped: another instance then recomputes the same binding by
// rendezvous hashing unless the pools differ).
//
// Thread-safety: every method may be called concurrently.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_BINDINGS_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_BINDINGS_HPP_

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "scheduler/store/fleet_state.hpp"
#include "scheduler/store/state_store.hpp"
#include "scheduler/strategies/sticky/session_table.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

class StickyBindings : public StrategyState, public StoredState, public SharedSessions {
 public:
  static constexpr size_t kMaxOutbox = 10000;

  StickyBindings(std::unique_ptr<SessionTable> t, const std::string& route, int64_t ttl_ms)
      : table(std::move(t)), store_name_("sticky/" + route), ttl_ms_(ttl_ms) {}
  size_t Sessions() const override { return table->size(); }
  uint64_t SessionMoves() const override { return table->moves(); }

  // Binds `session` to `account` at `now_ms` (monotonic ms), queueing it when shared.
  void Bind(uint64_t session, uint64_t account, int64_t now_ms);
  void set_ttl_ms(int64_t ttl_ms) { ttl_ms_.store(ttl_ms, std::memory_order_relaxed); }

  // StoredState.
  const std::string& StoreName() const override { return store_name_; }
  std::string Save(const StoreTime& t) const override;
  bool Restore(std::string_view body, const StoreTime& t) override;
  void SetShared(bool shared) override {
    sharers_.fetch_add(shared ? 1 : -1, std::memory_order_acq_rel);
  }
  // SharedSessions.
  int64_t TtlMs() const override { return ttl_ms_.load(std::memory_order_relaxed); }
  size_t Capacity() const override { return table->capacity(); }
  void TakeOwn(std::vector<BindingRow>* rows, bool all) override;
  void ApplyFleet(const std::vector<BindingRow>& rows, const StoreTime& t) override;

  const std::unique_ptr<SessionTable> table;

 private:
  const std::string store_name_;
  std::atomic<int64_t> ttl_ms_;
  std::atomic<int> sharers_{0};  // stores sharing this state (SetShared)
  std::mutex outbox_mutex_;
  std::deque<BindingRow> outbox_;  // guarded
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_BINDINGS_HPP_

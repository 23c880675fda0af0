// StateStore: where the state that strategies learn is kept beyond one process's memory
// (issue 13; docs/state.md). The top-level key `state:` (StoreConfig) chooses one:
//
//   memory  today's behaviour: the state lives and dies with the process (MemoryStore);
//   file    a snapshot written atomically (temp file + rename) every `interval` and when the
//           plugin closes, read at start (FileStore);
//   redis   state shared by every instance that names the same Redis and prefix
//           (RedisStore): usage windows and budgets, picks in flight, sticky bindings,
//           quota windows and refusals.
//
// The strategies keep deciding on their local state, as before: a store never sits on the
// path of a pick. A state that a store can keep implements StoredState (a stable name, and
// a snapshot of itself for the file store): least-used's UsageWindow, sticky's bindings,
// headroom's QuotaState, fastest's LatencyAverages. One whose updates a fleet shares also
// implements an interface of fleet_state.hpp (SharedUsage, SharedSessions, SharedQuota),
// which the Redis store exchanges from its own thread. A new kind of state does the same:
// StoredState to be persisted by the file store, a fleet_state.hpp interface to be shared.
//
// Lifetime: the plugin makes one store per `state:` configuration and keeps it while the
// configuration keeps it. Two phases, so that a configuration that is rejected touches
// nothing: Policy::Compile only lists the stored states of the new policy (adopted or new,
// StoredStateUse) and has no effect on live states nor on any store; once the policy is
// accepted the plugin starts the store (Start: a file store reads its file, a Redis store
// starts connecting) and attaches the listed states to it (Policy::AttachStoredStates),
// then publishes the policy and closes the previous store if it is another one. A store
// made for a configuration that is then rejected is never started: Discard() drops it
// without a read, a write or a connection. Close() writes a last snapshot (file) and stops
// the store's thread; the store is then inert (Start and Attach do nothing).
//
// Secrets: session keys reach a store only as SessionHash() (keyed SipHash, see
// keyed_hash.hpp); usage records' APIKey and Source never reach a StoredState at all.
//
// Thread-safety: Start() and Attach() are called by the plugin's reconfigure (one thread at
// a time); Close(), SyncNow() and Describe() from any thread; states are read and written by the
// store's thread concurrently with picks, so StoredState methods must be thread-safe.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_STATE_STORE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_STATE_STORE_HPP_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scheduler/logger.hpp"
#include "scheduler/store/keyed_hash.hpp"
#include "scheduler/store/snapshot.hpp"
#include "scheduler/store/store_config.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

// One moment on both clocks: the monotonic clock of picks and the wall clock (Unix ns) that
// is the same on every instance and across restarts.
struct StoreTime {
  Clock::time_point now;
  int64_t wall_ns = 0;
  static StoreTime Now();
};

// A strategy state that a store keeps.
class StoredState {
 public:
  virtual ~StoredState() = default;
  // Its name in the store: the same for the same route and settings on every instance and
  // after a restart ("least-used/<route>/<window ms>", "sticky/<route>").
  virtual const std::string& StoreName() const = 0;
  // The state as a snapshot section body (file store).
  virtual std::string Save(const StoreTime& t) const = 0;
  // Merges a body written by Save (possibly by an earlier process); false when it is
  // malformed (nothing of it is then trusted beyond what was already merged, which is only
  // ever valid counts).
  virtual bool Restore(std::string_view body, const StoreTime& t) = 0;
  // Adds (true) or removes (false) one store that shares this state with a fleet: updates
  // are queued while at least one does. A Redis store adds itself once when it attaches
  // the state and removes itself when it closes, so a store made for a configuration that
  // is then rejected, or replaced, leaves the flag as the store in force wants it.
  virtual void SetShared(bool /*shared*/) {}
};

// A stored state a compiled policy uses: attached to the policy's store only once the
// policy is accepted (Policy::AttachStoredStates), after `configure` (may be empty: the
// settings of the new policy, applied to an adopted state only then) has run.
struct StoredStateUse {
  std::shared_ptr<StoredState> state;
  bool fresh = false;  // made by this compile, not adopted: restored from the store
  std::function<void()> configure;
};

class StateStore {
 public:
  explicit StateStore(StoreConfig config)
      : config_(std::move(config)), session_hash_(config_.HashSecret()) {}
  virtual ~StateStore() = default;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const StoreConfig& config() const { return config_; }
  // The hash of session keys in tables and at rest.
  const KeyedHash& session_hash() const { return session_hash_; }

  // Reads what the store holds (file) and starts its thread; idempotent; nothing once
  // closed. Never blocks on the network.
  virtual void Start() {}
  // Keeps `state`. `fresh`: the state was just made (not adopted from the previous policy),
  // so what the store holds for its name is restored into it.
  virtual void Attach(const std::shared_ptr<StoredState>& state, bool fresh) = 0;
  // Last write, then stop; idempotent.
  virtual void Close() {}
  // Stops without a last write (a store made for a configuration that was then rejected).
  virtual void Discard() { Close(); }
  // Waits up to `timeout` for one full exchange with the store begun after the call
  // (file: a snapshot written; redis: updates pushed and the view refreshed). Never called
  // by a pick (method `scheduler.state.sync`). False when it did not happen.
  virtual bool SyncNow(std::chrono::milliseconds /*timeout*/) { return true; }
  // "memory", "file <path>", "redis redis://host:port/db (connected)".
  virtual std::string Describe() const = 0;

 private:
  const StoreConfig config_;
  const KeyedHash session_hash_;
};

// The states of `attached` that are still alive; drops the ones that are gone. The caller
// holds the lock that guards `attached`.
std::vector<std::shared_ptr<StoredState>> LiveStates(
    std::vector<std::weak_ptr<StoredState>>* attached);

// The store `config` describes, not started (StateStore::Start); `logger` (may be null)
// gets one line per fault transition. No side effect: no thread, no file read, no
// connection.
std::shared_ptr<StateStore> MakeStateStore(const StoreConfig& config,
                                           std::shared_ptr<const Logger> logger);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_STATE_STORE_HPP_

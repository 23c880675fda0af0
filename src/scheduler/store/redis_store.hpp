// RedisStore (`state: {store: redis, url: redis://host:port/db, prefix: P}`): state shared
// by every instance (process) that names the same Redis database and prefix.
//
// A pick never waits on the network: strategies decide on their local state, to which the
// store adds the rest of the fleet's as a view refreshed by its own thread. Every
// `interval` (default 250 ms) the thread sends this instance's updates and reads the
// others' in one pipelined batch (plus one for picks in flight), each read and write timed
// out after `interval` held within [250 ms, 1 s], each batch abandoned after 5 s. So, while Redis
// answers, what a pick sees of another instance is at most interval + 2 time-outs old (750 ms by
// default: the documented bound is 1 s). What is exchanged (docs/state.md lists the keys):
//   - usage windows (least-used): per account and wall-clock bucket of the window, each
//     instance's absolute counts (requests, tokens, picks) in a hash per bucket that expires
//     after the window; instances add the others' sums to their own;
//   - picks in flight (least-used, headroom): per instance, a hash that expires after 3
//     intervals (at least 2 s), so a stopped instance's picks stop counting;
//   - sticky bindings: a stream of bindings (session hash, account, home, time), capped at
//     the route's max_sessions, which every instance reads from where it left off;
//   - quota facts (headroom): a hash per route of each account's windows and refusal,
//     read whole every exchange and merged (the newest observation wins), then this
//     instance's newer facts written back; it expires after the latest reset + a margin.
//
// Faults (Redis down at start or later, slow, restarted empty, answering garbage): the
// batch fails, the connection is dropped, one line is logged per transition (unreachable,
// reachable again), picks go on with this instance's own state (the others' usage is
// dropped from the view; bindings already learnt stay), and the thread reconnects every
// second or so. On every (re)connection it pushes all of this instance's state again
// (idempotent: counts are absolute), which also refills a Redis that restarted empty; of
// the sticky bindings only the newest max_sessions (at most 1,000,000), in batches of
// 10,000. An exception on the thread (memory) counts as a failed exchange. Close() shuts
// the socket down before joining the thread, so it never waits for a time-out.
// Updates wait in the states' own bounded buffers (fleet_state.hpp), never in a queue of
// commands, so an outage costs no memory beyond those bounds.
//
// Thread-safety: see state_store.hpp; one thread talks to Redis.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_REDIS_STORE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_REDIS_STORE_HPP_

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "scheduler/store/redis_connection.hpp"
#include "scheduler/store/state_store.hpp"

namespace cliproxy::scheduler {

class RedisStore : public StateStore {
 public:
  RedisStore(StoreConfig config, std::shared_ptr<const Logger> logger);
  ~RedisStore() override;

  void Start() override;
  void Attach(const std::shared_ptr<StoredState>& state, bool fresh) override;
  void Close() override;
  bool SyncNow(std::chrono::milliseconds timeout) override;
  std::string Describe() const override;

  // This process's instance ID in Redis keys (random, one per process).
  static const std::string& InstanceId();

 private:
  enum class Link { kStarting, kUp, kDown };

  void Run();
  // One exchange; false on a fault (problem set).
  bool Exchange(bool full, std::string* problem);
  void Transition(bool ok, const std::string& problem) noexcept;
  bool StopRequested() const;
  void Malformed(uint64_t count) noexcept;  // counts; logs the first once
  std::string Key(const std::string& kind, const std::string& name) const;

  const std::shared_ptr<const Logger> logger_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds timeout_;
  RedisConnection connection_;                    // the thread's
  std::map<std::string, std::string> stream_at_;  // last stream ID read, by state; the thread's
  Link link_ = Link::kStarting;                   // the thread's

  std::mutex close_mutex_;  // held through Close(): a second Close() waits, then returns
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::weak_ptr<StoredState>> states_;  // guarded
  bool pending_full_ = false;  // a state attached since the last exchange; guarded
  bool connected_ = false;     // guarded (for Describe)
  bool stopping_ = false;      // guarded
  bool closed_ = false;        // guarded
  uint64_t requested_ = 0;     // guarded
  uint64_t succeeded_ = 0;     // guarded
  uint64_t attempted_ = 0;     // guarded
  uint64_t malformed_ = 0;     // items read and skipped; guarded
  std::thread thread_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_REDIS_STORE_HPP_

// SessionTable: remembered session -> account bindings for the sticky strategy, bounded
// by a capacity (least recently used bindings are evicted first) and by an idle time-out
// (a binding not used for longer than the TTL is forgotten when next looked up).
//
// Each binding also keeps its home: the account it was bound to when it was created.
// Rebinding an existing session changes its account and keeps its home; a forgotten
// binding (TTL, eviction) takes its home with it, so the next Bind starts a new one.
//
// Sessions and accounts are stored as 64-bit hashes, not strings: an entry is 40 bytes
// (session, account, home, last use, two LRU links) plus the index's own node, whatever
// the length of the session ID, and no session ID is ever kept in memory in clear. Two
// distinct session IDs share a binding only if their XXH64 collide (about 3e-8 for a full
// table of a million keys). The home is a full hash like the account, not a shorter
// fragment, because it is matched against the offered accounts: a fragment could send a
// session "home" to a stranger.
//
// The table is split into shards (a power of two, up to 64, chosen from the capacity so
// that each has at least 64 entries), each with its own mutex, LRU list and index; a
// session's shard is chosen by the top bits of its hash. Shard capacities add up to the
// table's capacity exactly, so memory is bounded by it.
//
// Thread-safety: every method may be called concurrently.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_SESSION_TABLE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_SESSION_TABLE_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace cliproxy::scheduler {

class SessionTable {
 public:
  explicit SessionTable(size_t capacity);
  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;

  // A new table of `capacity` holding the most recently used bindings of `old` (for a
  // reconfigure that changes the capacity).
  static std::unique_ptr<SessionTable> Resized(const SessionTable& old, size_t capacity);

  struct Binding {
    uint64_t account;  // where the session goes now
    uint64_t home;     // where it was first bound
  };

  // The binding of `session` if it was used within `ttl_ms` of `now_ms`; marks it used
  // now. An expired binding is removed.
  std::optional<Binding> Find(uint64_t session, int64_t now_ms, int64_t ttl_ms);
  // Find() without marking it used or removing it (explain).
  std::optional<Binding> Peek(uint64_t session, int64_t now_ms, int64_t ttl_ms) const;
  // Binds `session` to `account`, used now. A session that has a binding keeps its home;
  // a new binding has `account` for its home and evicts the least recently used binding
  // of the shard when it is full. Returns the binding as it now is.
  Binding Bind(uint64_t session, uint64_t account, int64_t now_ms);
  // Sets a binding learnt elsewhere (a snapshot, another instance): `account` and `home`,
  // last used at `used_ms` (kept if the binding here was used later).
  void Learn(uint64_t session, uint64_t account, uint64_t home, int64_t used_ms) {
    Put(session, account, home, used_ms, /*set_home=*/true);
  }

  struct Saved {
    uint64_t session, account, home;
    int64_t used_ms;
  };
  // Every binding, least recently used first.
  std::vector<Saved> Export() const;

  size_t capacity() const { return capacity_; }
  // Bindings held (one atomic load).
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  // Rebindings of a session to another account than it had (one atomic load).
  uint64_t moves() const { return moves_.load(std::memory_order_relaxed); }

 private:
  static constexpr uint32_t kNil = UINT32_MAX;

  struct Node {
    uint64_t session;
    uint64_t account;
    uint64_t home;
    int64_t used_ms;
    uint32_t prev;  // towards the most recently used
    uint32_t next;  // towards the least recently used
  };

  struct Shard {
    mutable std::mutex mutex;
    size_t capacity = 0;
    std::unordered_map<uint64_t, uint32_t> index;
    std::vector<Node> nodes;
    std::vector<uint32_t> free;
    uint32_t head = kNil;  // most recently used
    uint32_t tail = kNil;  // least recently used

    void Unlink(uint32_t n);
    void PushFront(uint32_t n);
    void Remove(uint32_t n);
  };

  // The top log2(shards) bits; shifted in two steps because a single shard would need a
  // shift by 64, which is undefined (x86 shifts by 0 and indexes far out of bounds).
  Shard& ShardOf(uint64_t session) { return shards_[(session >> 1) >> shift_]; }
  // Bind(), with the home of a new binding given (the home of an existing one is kept
  // unless `set_home`). Returns the binding as it now is.
  Binding Put(uint64_t session, uint64_t account, uint64_t home, int64_t now_ms,
              bool set_home = false);

  size_t capacity_;
  int shift_;  // 63 - log2(number of shards)
  std::vector<Shard> shards_;
  std::atomic<size_t> size_{0};
  std::atomic<uint64_t> moves_{0};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_SESSION_TABLE_HPP_

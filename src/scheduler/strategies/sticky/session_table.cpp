#include "scheduler/strategies/sticky/session_table.hpp"

#include <algorithm>
#include <bit>

namespace cliproxy::scheduler {
namespace {

constexpr size_t kMaxShards = 64;
constexpr size_t kMinPerShard = 64;

size_t ShardCount(size_t capacity) {
  size_t shards = std::bit_floor(std::max<size_t>(1, capacity / kMinPerShard));
  return std::min(shards, kMaxShards);
}

}  // namespace

SessionTable::SessionTable(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {
  const size_t n = ShardCount(capacity_);
  shift_ = 63 - std::countr_zero(n);
  shards_ = std::vector<Shard>(n);
  for (size_t i = 0; i < n; ++i) {
    shards_[i].capacity = capacity_ / n + (i < capacity_ % n ? 1 : 0);
  }
}

std::unique_ptr<SessionTable> SessionTable::Resized(const SessionTable& old, size_t capacity) {
  auto table = std::make_unique<SessionTable>(capacity);
  // Replay the old bindings from least to most recently used, so that the new table's
  // LRU order is the old one and, if it is smaller, the most recent bindings survive.
  for (const Saved& e : old.Export()) table->Put(e.session, e.account, e.home, e.used_ms);
  table->moves_.store(old.moves(), std::memory_order_relaxed);  // a resize is not a move
  return table;
}

std::vector<SessionTable::Saved> SessionTable::Export() const {
  std::vector<Saved> entries;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    for (uint32_t n = shard.head; n != kNil; n = shard.nodes[n].next) {
      const Node& node = shard.nodes[n];
      entries.push_back({node.session, node.account, node.home, node.used_ms});
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Saved& a, const Saved& b) { return a.used_ms < b.used_ms; });
  return entries;
}

void SessionTable::Shard::Unlink(uint32_t n) {
  Node& node = nodes[n];
  if (node.prev != kNil)
    nodes[node.prev].next = node.next;
  else
    head = node.next;
  if (node.next != kNil)
    nodes[node.next].prev = node.prev;
  else
    tail = node.prev;
  node.prev = node.next = kNil;
}

void SessionTable::Shard::PushFront(uint32_t n) {
  Node& node = nodes[n];
  node.prev = kNil;
  node.next = head;
  if (head != kNil) nodes[head].prev = n;
  head = n;
  if (tail == kNil) tail = n;
}

void SessionTable::Shard::Remove(uint32_t n) {
  Unlink(n);
  index.erase(nodes[n].session);
  free.push_back(n);
}

std::optional<SessionTable::Binding> SessionTable::Find(uint64_t session, int64_t now_ms,
                                                        int64_t ttl_ms) {
  Shard& shard = ShardOf(session);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.index.find(session);
  if (it == shard.index.end()) return std::nullopt;
  const uint32_t n = it->second;
  Node& node = shard.nodes[n];
  if (now_ms - node.used_ms > ttl_ms) {
    shard.Remove(n);
    size_.fetch_sub(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  node.used_ms = std::max(node.used_ms, now_ms);
  if (shard.head != n) {
    shard.Unlink(n);
    shard.PushFront(n);
  }
  return Binding{node.account, node.home};
}

std::optional<SessionTable::Binding> SessionTable::Peek(uint64_t session, int64_t now_ms,
                                                        int64_t ttl_ms) const {
  const Shard& shard = shards_[(session >> 1) >> shift_];
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.index.find(session);
  if (it == shard.index.end()) return std::nullopt;
  const Node& node = shard.nodes[it->second];
  if (now_ms - node.used_ms > ttl_ms) return std::nullopt;
  return Binding{node.account, node.home};
}

SessionTable::Binding SessionTable::Bind(uint64_t session, uint64_t account, int64_t now_ms) {
  return Put(session, account, account, now_ms);
}

SessionTable::Binding SessionTable::Put(uint64_t session, uint64_t account, uint64_t home,
                                        int64_t now_ms, bool set_home) {
  Shard& shard = ShardOf(session);
  std::lock_guard<std::mutex> lock(shard.mutex);
  if (shard.capacity == 0) return Binding{account, home};
  auto it = shard.index.find(session);
  if (it != shard.index.end()) {
    Node& node = shard.nodes[it->second];
    if (node.account != account) moves_.fetch_add(1, std::memory_order_relaxed);
    node.account = account;
    if (set_home) node.home = home;
    node.used_ms = std::max(node.used_ms, now_ms);
    if (shard.head != it->second) {
      shard.Unlink(it->second);
      shard.PushFront(it->second);
    }
    return Binding{node.account, node.home};
  }
  uint32_t n;
  if (shard.index.size() >= shard.capacity) {
    n = shard.tail;  // evict the least recently used binding and reuse its node
    shard.Unlink(n);
    shard.index.erase(shard.nodes[n].session);
  } else if (!shard.free.empty()) {
    n = shard.free.back();
    shard.free.pop_back();
    size_.fetch_add(1, std::memory_order_relaxed);
  } else {
    n = static_cast<uint32_t>(shard.nodes.size());
    shard.nodes.push_back({});
    size_.fetch_add(1, std::memory_order_relaxed);
  }
  shard.nodes[n] = Node{session, account, home, now_ms, kNil, kNil};
  shard.PushFront(n);
  shard.index.emplace(session, n);
  return Binding{account, home};
}

}  // namespace cliproxy::scheduler

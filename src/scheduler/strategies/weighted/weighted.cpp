#include "scheduler/strategies/weighted/weighted.hpp"

#include <algorithm>

#include "base/hash.hpp"

namespace cliproxy::scheduler {

// Open addressing with linear probing, at most half full. A cell is published by storing
// its key, then its slot; readers load the slot, then the key. Forget() rebuilds the table
// in place, so a reader racing it may get a wrong slot or none: Choose() checks every slot
// against the account it holds before using it.
struct SmoothWeightScores::HintTable {
  struct Cell {
    std::atomic<uint32_t> slot{kNoSlot};
    std::atomic<uint64_t> key{0};
  };

  explicit HintTable(size_t capacity) : mask(capacity - 1), cells(new Cell[capacity]) {}

  uint32_t Find(uint64_t hash) const {
    for (size_t i = hash & mask, probe = 0; probe <= mask; ++probe, i = (i + 1) & mask) {
      const uint32_t slot = cells[i].slot.load(std::memory_order_acquire);
      if (slot == kNoSlot) return kNoSlot;
      if (cells[i].key.load(std::memory_order_acquire) == hash) return slot;
    }
    return kNoSlot;
  }

  // Under the lock, with room left.
  void Insert(uint64_t hash, uint32_t slot) {
    size_t i = hash & mask;
    while (cells[i].slot.load(std::memory_order_relaxed) != kNoSlot) i = (i + 1) & mask;
    cells[i].key.store(hash, std::memory_order_release);
    cells[i].slot.store(slot, std::memory_order_release);
  }

  size_t capacity() const { return mask + 1; }

  size_t mask;
  std::unique_ptr<Cell[]> cells;
};

namespace {

using Entry = SmoothWeightScores::Entry;

constexpr size_t kFirstTableCapacity = 64;

}  // namespace

SmoothWeightScores::SmoothWeightScores() {
  tables_.push_back(std::make_unique<HintTable>(kFirstTableCapacity));
  hints_.store(tables_.back().get(), std::memory_order_release);
}

SmoothWeightScores::~SmoothWeightScores() = default;

size_t SmoothWeightScores::Records() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return accounts_.size();
}

void SmoothWeightScores::FindSlots(std::span<Entry> entries) const {
  const HintTable* table = hints_.load(std::memory_order_acquire);
  for (Entry& e : entries) e.slot = table->Find(e.hash);
}

uint32_t SmoothWeightScores::Lookup(uint64_t hash) const {
  return hints_.load(std::memory_order_relaxed)->Find(hash);
}

void SmoothWeightScores::Publish(uint64_t hash, uint32_t slot) {
  HintTable* table = tables_.back().get();
  if (2 * (hinted_ + 1) > table->capacity()) {
    // Readers may still be in the old table: it stays (frozen, still right) until the
    // scores are destroyed; all of them together are smaller than the new one.
    auto grown = std::make_unique<HintTable>(2 * table->capacity());
    for (uint32_t s = 0; s < accounts_.size(); ++s) {
      if (accounts_[s].live && s != slot) grown->Insert(accounts_[s].hash, s);
    }
    table = grown.get();
    tables_.push_back(std::move(grown));
    hints_.store(table, std::memory_order_release);
  }
  table->Insert(hash, slot);
  ++hinted_;
}

uint32_t SmoothWeightScores::Add(const Entry& entry) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(accounts_.size());
    accounts_.emplace_back();
    ids_.emplace_back();
  }
  accounts_[slot] = {0, entry.hash, 0, true};
  ids_[slot] = entry.candidate->id;
  ++live_;
  Publish(entry.hash, slot);
  return slot;
}

void SmoothWeightScores::Rank(std::vector<uint32_t>* added) {
  auto by_id = [this](uint32_t a, uint32_t b) { return ids_[a] < ids_[b]; };
  std::sort(added->begin(), added->end(), by_id);
  const size_t old_size = order_.size();
  order_.insert(order_.end(), added->begin(), added->end());
  std::inplace_merge(order_.begin(), order_.begin() + static_cast<ptrdiff_t>(old_size),
                     order_.end(), by_id);
  for (uint32_t r = 0; r < order_.size(); ++r) accounts_[order_[r]].rank = r;
}

void SmoothWeightScores::Forget(std::span<const Entry> entries) {
  std::vector<bool> keep(accounts_.size());
  for (const Entry& e : entries) {
    if (uint32_t slot = Lookup(e.hash); slot != kNoSlot) keep[slot] = true;
  }
  HintTable* table = tables_.back().get();
  for (size_t i = 0; i < table->capacity(); ++i) {
    table->cells[i].slot.store(kNoSlot, std::memory_order_release);
  }
  hinted_ = 0;
  for (uint32_t s = 0; s < accounts_.size(); ++s) {
    if (!accounts_[s].live) continue;
    if (keep[s]) {
      table->Insert(accounts_[s].hash, s);
      ++hinted_;
      continue;
    }
    accounts_[s].live = false;
    std::string().swap(ids_[s]);
    free_.push_back(s);
    --live_;
  }
  std::erase_if(order_, [this](uint32_t s) { return !accounts_[s].live; });
}

void SmoothWeightScores::Resolve(std::span<Entry> entries) {
  thread_local std::vector<uint32_t> added;
  added.clear();
  for (Entry& e : entries) {
    if (Holds(e)) continue;
    e.slot = Lookup(e.hash);
    if (e.slot == kNoSlot) {
      e.slot = Add(e);
      added.push_back(e.slot);
    }
  }
  if (!added.empty()) Rank(&added);
}

const Entry* SmoothWeightScores::Score(std::span<const Entry> entries) {
  Account* accounts = accounts_.data();
  const Entry* best = nullptr;
  const Account* best_account = nullptr;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (!Holds(e)) [[unlikely]] {
      for (size_t j = 0; j < i; ++j) accounts[entries[j].slot].score -= entries[j].weight;
      return nullptr;
    }
    Account& a = accounts[e.slot];
    a.score += e.weight;
    // Compared with the best account's score as it is now: an ID offered twice adds twice.
    if (best == nullptr || a.score > best_account->score ||
        (a.score == best_account->score && a.rank < best_account->rank)) {
      best = &e;
      best_account = &a;
    }
  }
  return best;
}

const Candidate* SmoothWeightScores::Choose(std::span<Entry> entries, int64_t total, bool dry_run) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (live_ > 4 * entries.size() + 256) {
    // Forget accounts that have been away long enough for the table to grow this much.
    Forget(entries);
  }
  const Entry* best = Score(entries);
  if (best == nullptr) {
    // A new account, or a slot read while another pick reassigned it.
    Resolve(entries);
    best = Score(entries);
  }
  if (dry_run) {
    // Undo the pass: new accounts keep their slots (score 0, as if never seen).
    for (const Entry& e : entries) accounts_[e.slot].score -= e.weight;
  } else {
    accounts_[best->slot].score -= total;
  }
  return best->candidate;
}

const StrategyInfo& WeightedStrategyInfo() {
  static constexpr const StrategyKey* kKeys[] = {&kWeightsKey, &kWeightAttributeKey};
  static constexpr StrategyInfo kInfo{
      .name = "weighted", .keys = kKeys, .create = &WeightedStrategy::Create};
  return kInfo;
}

std::unique_ptr<Strategy> WeightedStrategy::Create(const StrategyBuild& build) {
  auto scores = build.state.Obtain<SmoothWeightScores>("weighted");
  return std::make_unique<WeightedStrategy>(Weights::Compile(build.route), std::move(scores));
}

Outcome WeightedStrategy::Pick(const PickContext& context) const {
  // Reused per thread so that a pick does not allocate.
  thread_local std::vector<Entry> entries;
  entries.clear();
  int64_t total = 0;
  for (const Candidate* c : context.pool) {
    const int64_t w = weights_.Of(*c);
    if (w <= 0) continue;
    entries.push_back({c, Hash64(c->id), w, SmoothWeightScores::kNoSlot});
    total += w;
  }
  if (entries.empty()) return Outcome::NoChoice();
  scores_->FindSlots(entries);
  return Outcome::Auth(scores_->Choose(entries, total, context.dry_run));
}

}  // namespace cliproxy::scheduler

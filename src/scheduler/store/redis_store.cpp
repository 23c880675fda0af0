#include "scheduler/store/redis_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>
#include <unordered_map>

#include "base/hash.hpp"
#include "scheduler/store/fleet_state.hpp"
#include "scheduler/store/store_thread.hpp"

namespace cliproxy::scheduler {
namespace {

using Reply = RedisConnection::Reply;
using Command = RedisConnection::Command;

constexpr std::chrono::milliseconds kMinTimeout{250};
constexpr std::chrono::milliseconds kMaxTimeout{1000};
// One batch (a pipelined round trip) is abandoned after this long, however the server
// trickles its bytes.
constexpr std::chrono::milliseconds kBatchDeadline{5000};
constexpr std::chrono::milliseconds kReconnectEvery{1000};
constexpr int64_t kStreamReadCount = 5000;
constexpr size_t kMaxStreamLength = 1'000'000;
// Other instances read (the live ones, beyond: ignored), accounts of the fleet's view.
constexpr size_t kMaxInstances = 1000;
constexpr size_t kMaxFleetAccounts = 1'000'000;
// Bindings sent in one batch; a full push of more goes in several.
constexpr size_t kPushChunk = 10'000;
// Quota facts: fields per HSET, stale fields deleted per exchange, and how long a fact is
// kept after it stopped holding (the key's expiry beyond the latest, and when a reader
// deletes a stale field).
constexpr size_t kQuotaFieldsPerCommand = 1000;
constexpr size_t kMaxQuotaDeletes = 10'000;
constexpr int64_t kQuotaMarginMs = 60'000;
constexpr int64_t kMaxQuotaExpiryMs = int64_t{32} * 24 * 3600 * 1000;

RedisConnection::Deadline BatchDeadline() {
  return std::chrono::steady_clock::now() + kBatchDeadline;
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool ParseHex(std::string_view s, uint64_t* out) {
  if (s.size() != 16) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseI64(std::string_view s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// Splits on single spaces.
std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t space = s.find(' ', start);
    out.push_back(s.substr(start, space == std::string_view::npos ? s.npos : space - start));
    if (space == std::string_view::npos) return out;
    start = space + 1;
  }
}

bool ParseDouble(std::string_view s, double* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// A quota fact as a field and value of the quota hash: `<account>:<kind>` ->
// `<observed> <utilization> <reset> <length> <rejected 0|1>` (a window) or
// `<refused at> <refused until>` (kind "refused"); times in Unix ns.
std::string QuotaField(const QuotaRow& row) { return Hex(row.account) + ":" + row.kind; }

std::string QuotaValue(const QuotaRow& row) {
  if (row.refusal()) return std::to_string(row.observed_ns) + " " + std::to_string(row.reset_ns);
  char utilization[32];
  std::snprintf(utilization, sizeof utilization, "%.17g", row.utilization);
  return std::to_string(row.observed_ns) + " " + utilization + " " + std::to_string(row.reset_ns) +
         " " + std::to_string(row.length_ns) + (row.rejected ? " 1" : " 0");
}

// Reads a field and value; false when they do not parse (values are range-checked by the
// state).
bool ParseQuota(std::string_view field, std::string_view value, QuotaRow* row) {
  const size_t colon = field.find(':');
  if (colon == std::string_view::npos || !ParseHex(field.substr(0, colon), &row->account)) {
    return false;
  }
  const std::string_view kind = field.substr(colon + 1);
  if (kind.empty() || kind.size() > 32) return false;
  row->kind = std::string(kind);
  const std::vector<std::string_view> f = Fields(value);
  if (row->refusal()) {
    return f.size() == 2 && ParseI64(f[0], &row->observed_ns) && ParseI64(f[1], &row->reset_ns);
  }
  if (f.size() != 5 || !ParseI64(f[0], &row->observed_ns) ||
      !ParseDouble(f[1], &row->utilization) || !ParseI64(f[2], &row->reset_ns) ||
      !ParseI64(f[3], &row->length_ns) || (f[4] != "0" && f[4] != "1")) {
    return false;
  }
  row->rejected = f[4] == "1";
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// A garbage-tolerant reader of the kinds of replies the exchange expects.
bool IsArray(const Reply& r) { return r.kind == Reply::Kind::kArray; }
bool IsText(const Reply& r) {
  return r.kind == Reply::Kind::kString || r.kind == Reply::Kind::kStatus;
}

}  // namespace

const std::string& RedisStore::InstanceId() {
  static const std::string id = [] {
    std::random_device device;
    const uint64_t r =
        (static_cast<uint64_t>(device()) << 32) ^ device() ^ static_cast<uint64_t>(::getpid()) ^
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    return Hex(Mix64(r));
  }();
  return id;
}

RedisStore::RedisStore(StoreConfig config, std::shared_ptr<const Logger> logger)
    : StateStore(std::move(config)),
      logger_(std::move(logger)),
      interval_(this->config().interval.count() > 0 ? this->config().interval
                                                    : kDefaultRedisInterval),
      timeout_(std::clamp(interval_, kMinTimeout, kMaxTimeout)) {}

void RedisStore::Start() {
  std::lock_guard<std::mutex> closing(close_mutex_);
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || stopping_ || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

RedisStore::~RedisStore() { Close(); }

std::string RedisStore::Key(const std::string& kind, const std::string& name) const {
  return config().prefix + ":" + kind + ":" + Hex(Hash64(name));
}

void RedisStore::Attach(const std::shared_ptr<StoredState>& state, bool /*fresh*/) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  for (const auto& w : states_) {
    if (w.lock() == state) return;
  }
  state->SetShared(true);
  states_.push_back(state);
  pending_full_ = true;
}

std::string RedisStore::Describe() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out =
      "redis " + config().redis.Display() + (connected_ ? " (connected" : " (not connected");
  if (malformed_ > 0) out += ", " + std::to_string(malformed_) + " malformed entries ignored";
  return out + ")";
}

void RedisStore::Close() {
  // Idempotent, also when called concurrently: a second caller waits for the first.
  std::lock_guard<std::mutex> closing(close_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    stopping_ = true;
    if (!thread_.joinable()) closed_ = true;  // never started: nothing attached, nothing sent
  }
  wake_.notify_all();
  connection_.Interrupt();  // a batch blocked on the socket returns now
  try {
    if (thread_.joinable()) thread_.join();
  } catch (...) {  // std::system_error: nothing to join after all
  }
  std::vector<std::shared_ptr<StoredState>> states;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    for (const auto& w : states_) {
      if (auto s = w.lock()) states.push_back(std::move(s));
    }
    states_.clear();
    done_.notify_all();
  }
  // A state adopted by a store of another kind must not keep the fleet's view, nor queue
  // updates for this store.
  for (const auto& s : states) {
    try {
      s->SetShared(false);
      if (auto* usage = dynamic_cast<SharedUsage*>(s.get())) usage->SetFleet({});
      if (auto* flight = dynamic_cast<SharedInFlight*>(s.get())) flight->SetFleetInFlight({});
    } catch (...) {  // std::bad_alloc: the view stays; nothing is left half-done
    }
  }
}

bool RedisStore::SyncNow(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (closed_) return false;
  const uint64_t wanted = ++requested_;
  wake_.notify_all();
  done_.wait_for(lock, timeout, [&] { return attempted_ >= wanted || closed_; });
  return succeeded_ >= wanted;
}

void RedisStore::Transition(bool ok, const std::string& problem) noexcept try {
  const std::string where = "scheduler: state store " + config().redis.Display();
  if (ok) {
    if (link_ == Link::kDown) {
      if (logger_) logger_->Warn(where + " is reachable again: state re-synced");
    }
    link_ = Link::kUp;
    return;
  }
  if (link_ != Link::kDown && logger_) {
    logger_->Warn(where + (link_ == Link::kStarting ? " is unreachable (" : " was lost (") +
                  problem +
                  "): picks go on with this instance's own state, without the other "
                  "instances' usage; retrying every second");
  }
  link_ = Link::kDown;
} catch (...) {  // a log line that could not be made
}

void RedisStore::Run() {
  BlockSigpipeOnThisThread();
  std::unique_lock<std::mutex> lock(mutex_);
  auto next_connect = std::chrono::steady_clock::now();
  bool full = true;
  while (!stopping_) {
    const uint64_t serving = requested_;
    const bool asked = requested_ > attempted_;  // SyncNow waits: do not wait to reconnect
    const bool want_full = pending_full_;
    pending_full_ = false;
    lock.unlock();
    std::string problem;
    bool ok = false;
    try {
      if (!connection_.connected()) {
        if (std::chrono::steady_clock::now() >= next_connect || asked) {
          problem = connection_.Connect(config().redis, timeout_);
          if (!problem.empty()) next_connect = std::chrono::steady_clock::now() + kReconnectEvery;
          full = true;
        } else {
          problem = "not connected";
        }
      }
      if (connection_.connected()) ok = Exchange(full || want_full, &problem);
    } catch (const std::exception& e) {  // std::bad_alloc, mostly: a failed exchange
      ok = false;
      problem = std::string("internal error: ") + e.what();
      connection_.Close();
    } catch (...) {
      ok = false;
      problem = "internal error";
      connection_.Close();
    }
    if (ok) full = false;
    if (!ok) {
      try {
        std::vector<std::shared_ptr<StoredState>> states;
        {
          std::lock_guard<std::mutex> guard(mutex_);
          for (const auto& w : states_) {
            if (auto s = w.lock()) states.push_back(std::move(s));
          }
        }
        for (const auto& s : states) {
          if (auto* usage = dynamic_cast<SharedUsage*>(s.get())) usage->SetFleet({});
          if (auto* flight = dynamic_cast<SharedInFlight*>(s.get())) flight->SetFleetInFlight({});
        }
      } catch (...) {  // the view is dropped at the next failure
      }
    }
    if (problem != "closing") Transition(ok, problem);
    lock.lock();
    connected_ = connection_.connected();
    if (want_full && !ok) pending_full_ = true;
    attempted_ = std::max(attempted_, serving);
    if (ok) succeeded_ = std::max(succeeded_, serving);
    done_.notify_all();
    if (stopping_) break;
    wake_.wait_for(lock, interval_, [&] { return stopping_ || requested_ > attempted_; });
  }
  lock.unlock();
  connection_.Close();
}

void RedisStore::Malformed(uint64_t count) noexcept try {
  uint64_t before = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    before = malformed_;
    malformed_ += count;
  }
  if (before == 0 && logger_) {
    logger_->Warn("scheduler: state store " + config().redis.Display() +
                  ": ignored malformed entries under prefix \"" + config().prefix +
                  "\" (written by another version, or not by a scheduler); later ones are "
                  "counted in the store's description (logged once)");
  }
} catch (...) {  // a log line that could not be made
}

bool RedisStore::StopRequested() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

bool RedisStore::Exchange(bool full, std::string* problem) {
  std::vector<std::shared_ptr<StoredState>> states;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    states = LiveStates(&states_);
  }
  const std::string& me = InstanceId();
  const StoreTime t = StoreTime::Now();
  const int64_t now_ms = t.wall_ns / 1'000'000;
  const int64_t live_ms = std::max<int64_t>(3 * interval_.count(), 2000);
  const std::string instances = config().prefix + ":i";

  // Batch 1: who is alive; this instance's updates; the fleet's usage and bindings.
  std::vector<Command> batch;
  batch.push_back({"ZADD", instances, std::to_string(now_ms), me});
  batch.push_back({"ZREMRANGEBYSCORE", instances, "-inf", std::to_string(now_ms - 60'000)});
  batch.push_back({"ZRANGEBYSCORE", instances, std::to_string(now_ms - live_ms), "+inf", "LIMIT",
                   "0", std::to_string(kMaxInstances + 1)});
  struct UsageRead {
    SharedUsage* usage;
    size_t first;  // index of its first HGETALL reply
    int count;
    std::string in_flight_prefix;
  };
  struct StreamRead {
    SharedSessions* sessions;
    std::string name;
    size_t index;
  };
  struct QuotaRead {
    SharedQuota* quota;
    std::string key;
    size_t index;
  };
  struct FlightRead {
    SharedInFlight* state;
    std::string prefix;  // of the other instances' hashes
  };
  std::vector<UsageRead> usage_reads;
  std::vector<StreamRead> stream_reads;
  std::vector<QuotaRead> quota_reads;
  std::vector<FlightRead> flight_reads;
  std::vector<UsageRow> rows;
  std::vector<std::pair<uint64_t, int64_t>> in_flight;
  std::vector<BindingRow> bindings;
  std::vector<Command> pushes;  // bindings beyond the last chunk of a full push
  // This instance's picks in flight (`in_flight`) replace its hash under `flight`, which
  // expires unless it is refreshed.
  auto publish_in_flight = [&](const std::string& flight) {
    batch.push_back({"DEL", flight + ":" + me});
    if (in_flight.empty()) return;
    Command c = {"HSET", flight + ":" + me};
    for (const auto& [account, count] : in_flight) {
      c.push_back(Hex(account));
      c.push_back(std::to_string(count));
    }
    batch.push_back(std::move(c));
    batch.push_back({"PEXPIRE", flight + ":" + me, std::to_string(live_ms)});
  };
  for (const auto& s : states) {
    const std::string& name = s->StoreName();
    if (auto* usage = dynamic_cast<SharedUsage*>(s.get())) {
      const int64_t bucket = usage->BucketNs();
      const int buckets = usage->Buckets();
      const int64_t current = FloorDiv(t.wall_ns, bucket);
      const int64_t oldest = current - buckets + 1;
      const int64_t expire_ms = (bucket * (buckets + 2)) / 1'000'000 + 1000;
      const std::string base = Key("u", name);
      usage->TakeOwn(&rows, full, oldest);
      std::map<int64_t, Command> by_epoch;
      for (const UsageRow& r : rows) {
        Command& c = by_epoch[r.epoch];
        if (c.empty()) c = {"HSET", base + ":" + std::to_string(r.epoch)};
        c.push_back(me + ":" + Hex(r.account));
        c.push_back(std::to_string(r.requests) + " " + std::to_string(r.tokens) + " " +
                    std::to_string(r.picks));
      }
      for (auto& [epoch, c] : by_epoch) {
        batch.push_back({"PEXPIRE", c[1], std::to_string(expire_ms)});
        batch.insert(batch.end() - 1, std::move(c));
      }
      const std::string flight = Key("f", name);
      usage->OwnInFlight(&in_flight, t.now);
      publish_in_flight(flight);
      UsageRead read{usage, batch.size(), buckets, flight + ":"};
      for (int64_t e = oldest; e <= current; ++e) {
        batch.push_back({"HGETALL", base + ":" + std::to_string(e)});
      }
      usage_reads.push_back(std::move(read));
    }
    if (auto* sessions = dynamic_cast<SharedSessions*>(s.get())) {
      const std::string stream = Key("s", name);
      sessions->TakeOwn(&bindings, full);
      const size_t bound = std::min(kMaxStreamLength, sessions->Capacity());
      const std::string cap = std::to_string(bound);
      // The stream keeps the newest `bound` bindings: more are never sent (a full push
      // lists the least recently used first).
      const size_t skip = bindings.size() > bound ? bindings.size() - bound : 0;
      for (size_t i = skip; i < bindings.size(); ++i) {
        const BindingRow& b = bindings[i];
        Command c = {"XADD",
                     stream,
                     "MAXLEN",
                     "~",
                     cap,
                     "*",
                     "b",
                     me + " " + Hex(b.session) + " " + Hex(b.account) + " " + Hex(b.home) + " " +
                         std::to_string(b.wall_ms)};
        if (bindings.size() - i > kPushChunk) {
          pushes.push_back(std::move(c));
        } else {
          batch.push_back(std::move(c));
        }
      }
      std::vector<BindingRow>().swap(bindings);
      std::string& at = stream_at_[name];
      if (at.empty()) at = "0";
      stream_reads.push_back({sessions, name, batch.size()});
      batch.push_back({"XREAD", "COUNT", std::to_string(kStreamReadCount), "STREAMS", stream, at});
    }
    if (auto* quota = dynamic_cast<SharedQuota*>(s.get())) {
      // Read first; what this instance knows that Redis lacks (or holds older) is written
      // after, so a fact is never overwritten by an older one for long: the instance that
      // knows the newer one writes it again.
      quota_reads.push_back({quota, Key("q", name), batch.size()});
      batch.push_back({"HGETALL", quota_reads.back().key});
    }
    if (auto* flight_state = dynamic_cast<SharedInFlight*>(s.get())) {
      const std::string flight = Key("f", name);
      flight_state->OwnInFlight(&in_flight, t.now);
      publish_in_flight(flight);
      flight_reads.push_back({flight_state, flight + ":"});
    }
  }
  std::vector<Reply> replies;
  for (size_t at = 0; at < pushes.size(); at += kPushChunk) {
    const size_t end = std::min(pushes.size(), at + kPushChunk);
    const std::vector<Command> chunk(std::make_move_iterator(pushes.begin() + at),
                                     std::make_move_iterator(pushes.begin() + end));
    if (!connection_.Run(chunk, &replies, problem, BatchDeadline())) return false;
    if (StopRequested()) {
      *problem = "closing";
      connection_.Close();
      return false;
    }
  }
  std::vector<Command>().swap(pushes);
  if (!connection_.Run(batch, &replies, problem, BatchDeadline())) return false;
  auto garbage = [&](const char* what) {
    *problem = std::string("unexpected reply (") + what + ")";
    connection_.Close();
    return false;
  };
  // One malformed item (another version's, or a stray write under the prefix) is skipped
  // and counted, never allowed to fail every later exchange; a reply of the wrong shape
  // altogether still fails the exchange.
  uint64_t bad = 0;
  if (!IsArray(replies[2])) return garbage("instances");
  std::vector<std::string> others;
  for (const Reply& r : replies[2].items) {
    if (!IsText(r)) {
      ++bad;
    } else if (r.text != me && others.size() < kMaxInstances) {
      others.push_back(r.text);
    }
  }

  // Usage of the others, summed by account.
  std::vector<std::unordered_map<uint64_t, FleetUsage>> sums(usage_reads.size());
  for (size_t u = 0; u < usage_reads.size(); ++u) {
    const UsageRead& read = usage_reads[u];
    for (int i = 0; i < read.count; ++i) {
      const Reply& r = replies[read.first + i];
      if (!IsArray(r)) return garbage("usage bucket");
      for (size_t k = 0; k + 1 < r.items.size(); k += 2) {
        if (!IsText(r.items[k]) || !IsText(r.items[k + 1])) {
          ++bad;
          continue;
        }
        const std::string& field = r.items[k].text;
        const size_t colon = field.find(':');
        uint64_t account = 0;
        if (colon == std::string::npos ||
            !ParseHex(std::string_view(field).substr(colon + 1), &account)) {
          ++bad;
          continue;
        }
        if (std::string_view(field).substr(0, colon) == me) continue;
        const std::vector<std::string_view> f = Fields(r.items[k + 1].text);
        int64_t req = 0, tok = 0, picks = 0;
        if (f.size() != 3 || !ParseI64(f[0], &req) || !ParseI64(f[1], &tok) ||
            !ParseI64(f[2], &picks) || req < 0 || tok < 0 || picks < 0) {
          ++bad;
          continue;
        }
        if (sums[u].size() >= kMaxFleetAccounts && !sums[u].contains(account)) continue;
        FleetUsage& sum = sums[u][account];
        sum.account = account;
        // Saturating: garbage must not wrap a score to little usage.
        sum.requests = std::min<int64_t>(sum.requests + std::min<int64_t>(req, int64_t{1} << 40),
                                         int64_t{1} << 50);
        sum.tokens = std::min<int64_t>(sum.tokens + std::min<int64_t>(tok, int64_t{1} << 50),
                                       int64_t{1} << 60);
        sum.picks = std::min<int64_t>(sum.picks + std::min<int64_t>(picks, int64_t{1} << 40),
                                      int64_t{1} << 50);
      }
    }
  }

  // Bindings of the others.
  for (const StreamRead& read : stream_reads) {
    const Reply& r = replies[read.index];
    if (r.kind == Reply::Kind::kNil) continue;  // nothing new
    if (!IsArray(r) || r.items.size() != 1 || !IsArray(r.items[0]) ||
        r.items[0].items.size() != 2 || !IsArray(r.items[0].items[1])) {
      return garbage("stream");
    }
    std::vector<BindingRow> fleet;
    std::string last;
    for (const Reply& entry : r.items[0].items[1].items) {
      if (!IsArray(entry) || entry.items.size() != 2 || !IsText(entry.items[0])) {
        ++bad;
        continue;
      }
      last = entry.items[0].text;  // read past, whatever it holds
      if (!IsArray(entry.items[1]) || entry.items[1].items.size() != 2 ||
          !IsText(entry.items[1].items[1])) {
        ++bad;
        continue;
      }
      const std::vector<std::string_view> f = Fields(entry.items[1].items[1].text);
      BindingRow b;
      if (f.size() != 5 || !ParseHex(f[1], &b.session) || !ParseHex(f[2], &b.account) ||
          !ParseHex(f[3], &b.home) || !ParseI64(f[4], &b.wall_ms)) {
        ++bad;
        continue;
      }
      if (f[0] != me) fleet.push_back(b);
    }
    if (!last.empty()) stream_at_[read.name] = last;
    if (!fleet.empty()) read.sessions->ApplyFleet(fleet, t);
  }

  // Quota facts of the fleet; then this instance's newer ones written back.
  std::vector<Command> quota_writes;
  for (const QuotaRead& read : quota_reads) {
    const Reply& r = replies[read.index];
    if (!IsArray(r)) return garbage("quota");
    std::vector<QuotaRow> fleet;
    std::vector<std::string> stale;
    std::unordered_map<std::string, QuotaRow> held;
    for (size_t k = 0; k + 1 < r.items.size(); k += 2) {
      QuotaRow row;
      if (!IsText(r.items[k]) || !IsText(r.items[k + 1]) ||
          !ParseQuota(r.items[k].text, r.items[k + 1].text, &row)) {
        ++bad;
        continue;
      }
      const int64_t until_ms = row.Until() / 1'000'000;
      if (until_ms < now_ms - kQuotaMarginMs) {
        if (stale.size() < kMaxQuotaDeletes) stale.push_back(r.items[k].text);
        continue;
      }
      if (held.size() >= kMaxFleetAccounts) continue;
      held.emplace(r.items[k].text, row);
      fleet.push_back(std::move(row));
    }
    bad += read.quota->ApplyFleet(fleet, t);
    std::vector<QuotaRow>().swap(fleet);
    std::vector<QuotaRow> own;
    read.quota->TakeOwn(&own, t);
    int64_t latest_ms = 0;
    Command c;
    for (const QuotaRow& row : own) {
      latest_ms = std::max(latest_ms, row.Until() / 1'000'000);
      const std::string field = QuotaField(row);
      auto it = held.find(field);
      if (it != held.end() && it->second.observed_ns >= row.observed_ns &&
          (!row.refusal() || it->second.reset_ns >= row.reset_ns)) {
        continue;  // Redis holds it already, or newer
      }
      if (c.empty()) c = {"HSET", read.key};
      c.push_back(field);
      c.push_back(QuotaValue(row));
      if (c.size() >= 2 + 2 * kQuotaFieldsPerCommand) {
        quota_writes.push_back(std::move(c));
        c.clear();
      }
    }
    if (!c.empty()) quota_writes.push_back(std::move(c));
    if (!stale.empty()) {
      Command del = {"HDEL", read.key};
      for (std::string& field : stale) del.push_back(std::move(field));
      quota_writes.push_back(std::move(del));
    }
    if (!own.empty()) {
      // Kept until the latest fact stops holding, plus a margin: nothing stays forever.
      const int64_t expire_ms =
          std::clamp<int64_t>(latest_ms - now_ms, 0, kMaxQuotaExpiryMs) + kQuotaMarginMs;
      quota_writes.push_back({"PEXPIRE", read.key, std::to_string(expire_ms)});
    }
  }
  if (!quota_writes.empty()) {
    if (!connection_.Run(quota_writes, &replies, problem, BatchDeadline())) return false;
  }

  // Batch 2: the picks in flight of the other live instances (usage windows', then the
  // other shared counts').
  std::vector<std::unordered_map<uint64_t, int64_t>> flight_sums(flight_reads.size());
  if ((!usage_reads.empty() || !flight_reads.empty()) && !others.empty()) {
    std::vector<Command> flights;
    for (const UsageRead& read : usage_reads) {
      for (const std::string& other : others)
        flights.push_back({"HGETALL", read.in_flight_prefix + other});
    }
    for (const FlightRead& read : flight_reads) {
      for (const std::string& other : others) flights.push_back({"HGETALL", read.prefix + other});
    }
    if (!connection_.Run(flights, &replies, problem, BatchDeadline())) return false;
    // One instance's hash of picks in flight: calls add(account, count) per valid field.
    auto read_flights = [&](const Reply& r, auto add) {
      if (!IsArray(r)) return false;
      for (size_t k = 0; k + 1 < r.items.size(); k += 2) {
        uint64_t account = 0;
        int64_t count = 0;
        if (!IsText(r.items[k]) || !IsText(r.items[k + 1]) ||
            !ParseHex(r.items[k].text, &account) || !ParseI64(r.items[k + 1].text, &count) ||
            count < 0) {
          ++bad;
          continue;
        }
        add(account, count);
      }
      return true;
    };
    // Counts are capped before they are added, and sums capped, so no overflow.
    auto add_to = [](int64_t* sum, int64_t count) {
      *sum = std::min<int64_t>(*sum + std::min<int64_t>(count, 1 << 30), int64_t{1} << 40);
    };
    const size_t flight_first = usage_reads.size() * others.size();
    for (size_t f = 0; f < flight_reads.size(); ++f) {
      for (size_t o = 0; o < others.size(); ++o) {
        std::unordered_map<uint64_t, int64_t>& sum = flight_sums[f];
        const bool ok = read_flights(
            replies[flight_first + f * others.size() + o], [&](uint64_t account, int64_t count) {
              if (sum.size() >= kMaxFleetAccounts && !sum.contains(account)) return;
              add_to(&sum[account], count);
            });
        if (!ok) return garbage("in flight");
      }
    }
    for (size_t u = 0; u < usage_reads.size(); ++u) {
      for (size_t o = 0; o < others.size(); ++o) {
        const bool ok =
            read_flights(replies[u * others.size() + o], [&](uint64_t account, int64_t count) {
              if (sums[u].size() >= kMaxFleetAccounts && !sums[u].contains(account)) return;
              FleetUsage& sum = sums[u][account];
              sum.account = account;
              add_to(&sum.in_flight, count);
            });
        if (!ok) return garbage("in flight");
      }
    }
  }
  if (bad > 0) Malformed(bad);
  for (size_t f = 0; f < flight_reads.size(); ++f) {
    const std::vector<std::pair<uint64_t, int64_t>> view(flight_sums[f].begin(),
                                                         flight_sums[f].end());
    flight_reads[f].state->SetFleetInFlight(view);
  }
  std::vector<FleetUsage> view;
  for (size_t u = 0; u < usage_reads.size(); ++u) {
    view.clear();
    for (const auto& [account, sum] : sums[u]) view.push_back(sum);
    usage_reads[u].usage->SetFleet(view);
  }
  return true;
}

}  // namespace cliproxy::scheduler

#include "scheduler/strategies/sticky/sticky.hpp"

#include <cmath>

#include "base/duration.hpp"
#include "base/hash.hpp"
#include "cliproxy/text.hpp"
#include "scheduler/config_check.hpp"

namespace cliproxy::scheduler {
namespace {

// Separates session-key hashes from account-ID hashes.
constexpr uint64_t kSessionSeed = 0x5e55'10f0'cafe'f00dULL;

struct Entry {
  const Candidate* candidate;
  uint64_t hash;
  int64_t weight;
};

// The rendezvous winner for `key` among `entries` (all with weight > 0).
const Entry* Rendezvous(uint64_t key, const std::vector<Entry>& entries) {
  bool equal = true;
  for (const Entry& e : entries) equal = equal && e.weight == entries.front().weight;
  const Entry* best = nullptr;
  if (equal) {
    // -w/ln(u) grows with u, so with equal weights the highest mix wins; no logarithm.
    uint64_t best_mix = 0;
    for (const Entry& e : entries) {
      const uint64_t mix = Combine64(key, e.hash);
      if (best == nullptr || mix > best_mix) {
        best = &e;
        best_mix = mix;
      }
    }
    return best;
  }
  double best_score = 0;
  for (const Entry& e : entries) {
    const double u = ToUnitInterval(Combine64(key, e.hash));
    const double score = -static_cast<double>(e.weight) / std::log(u);
    if (best == nullptr || score > best_score) {
      best = &e;
      best_score = score;
    }
  }
  return best;
}

}  // namespace

namespace {

std::string_view FallbackName(const RouteConfig& route) {
  const std::string& fallback = route.Key<SessionConfig>(kSessionKey.name).fallback;
  return fallback.empty() ? kDefaultStickyFallback : std::string_view(fallback);
}

}  // namespace

const StrategyInfo& StickyStrategyInfo() {
  static constexpr const StrategyKey* kKeys[] = {&kWeightsKey, &kWeightAttributeKey, &kSessionKey};
  static constexpr StrategyInfo kInfo{.name = "sticky",
                                      .keys = kKeys,
                                      .create = &StickyStrategy::Create,
                                      .fallback_allowed = false,
                                      .reads_clock = true,
                                      .fallback = &FallbackName};
  return kInfo;
}

std::unique_ptr<Strategy> StickyStrategy::Create(const StrategyBuild& build) {
  const RouteConfig& route = build.route;
  const SessionConfig& session = route.Key<SessionConfig>(kSessionKey.name);
  std::unique_ptr<StickyStrategy> s(new StickyStrategy(
      Weights::Compile(route),
      BuildStrategy(build, "session.fallback", FallbackName(route), /*as_fallback=*/true)));
  s->headers_ = session.headers.value_or(DefaultSessionHeaders());
  s->metadata_ = session.metadata.value_or(DefaultSessionMetadata());
  if (s->headers_.empty() && s->metadata_.empty()) {
    FailAt(route, "session",
           "needs at least one of `headers` and `metadata` to find a session key");
  }
  for (const std::string& h : s->headers_) {
    if (h.empty()) FailAt(route, "session.headers", "a header name must not be empty");
  }
  for (const std::string& m : s->metadata_) {
    if (m.empty()) FailAt(route, "session.metadata", "a metadata key must not be empty");
  }

  std::chrono::milliseconds ttl = kDefaultSessionTtl;
  if (session.ttl.has_value()) {
    std::string error;
    std::optional<std::chrono::milliseconds> parsed = ParseDuration(*session.ttl, &error);
    if (!parsed) FailAt(route, "session.ttl", error);
    ttl = *parsed;
  }
  s->ttl_ms_ = ttl.count();
  s->return_home_ = session.return_home.value_or(false);
  if (s->return_home_ && s->ttl_ms_ == 0) {
    FailAt(route, "session.return_home",
           "return_home needs a ttl above 0 (with `ttl: 0` no binding is remembered, so no "
           "session has a home to return to)");
  }
  const int64_t max_sessions = session.max_sessions.value_or(kDefaultMaxSessions);
  if (max_sessions < 1 || max_sessions > kMaxMaxSessions) {
    FailAt(route, "session.max_sessions", "must be between 1 and 100000000");
  }
  if (s->ttl_ms_ > 0) {
    const size_t capacity = static_cast<size_t>(max_sessions);
    bool fresh = false;
    s->bindings_ =
        build.state.Obtain<StickyBindings>("sticky", [&](std::shared_ptr<StickyBindings> previous) {
          if (!previous) {
            fresh = true;
            return std::make_shared<StickyBindings>(std::make_unique<SessionTable>(capacity),
                                                    route.name, s->ttl_ms_);
          }
          if (previous->table->capacity() == capacity) return previous;
          // A new bound: a new table with the most recent bindings of the old one. A pick
          // still running on the previous policy may write to the old table meanwhile; at
          // worst that one binding is recomputed.
          return std::make_shared<StickyBindings>(SessionTable::Resized(*previous->table, capacity),
                                                  route.name, s->ttl_ms_);
        });
    // The TTL of an adopted state changes only once this policy is accepted.
    if (build.stored != nullptr) {
      build.stored->push_back(
          {s->bindings_, fresh, [b = s->bindings_, ttl = s->ttl_ms_] { b->set_ttl_ms(ttl); }});
    }
  }
  if (build.store != nullptr) s->session_hash_ = build.store->session_hash();
  return s;
}

std::string_view StickyStrategy::SessionKey(const PickRequest& request) const {
  for (const std::string& name : headers_) {
    for (const auto& [key, values] : request.options.headers) {
      if (!EqualsAsciiFold(key, name)) continue;
      for (const std::string& v : values) {
        if (!v.empty()) return v;
      }
    }
  }
  for (const std::string& name : metadata_) {
    const AnyValue* v = request.options.metadata.Find(name);
    if (v != nullptr && v->kind != AnyValue::Kind::kNull && !v->text.empty()) return v->text;
  }
  return {};
}

Outcome StickyStrategy::Pick(const PickContext& context) const {
  const std::string_view key = SessionKey(context.request);
  if (key.empty()) return fallback_->Pick(context);

  thread_local std::vector<Entry> entries;
  entries.clear();
  for (const Candidate* c : context.pool) {
    const int64_t w = weights_.Of(*c);
    if (w > 0) entries.push_back({c, Hash64(c->id), w});
  }
  if (entries.empty()) return Outcome::NoChoice();

  // Rendezvous on the plain hash (the same choice whatever the store); the bindings are
  // keyed by the store's keyed hash, which is what reaches a store.
  const uint64_t session = Hash64(key, kSessionSeed);
  const uint64_t bound_as = bindings_ ? session_hash_.Hash(key) : 0;
  int64_t now_ms = 0;
  if (bindings_) {
    now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(context.now.time_since_epoch())
                 .count();
    SessionTable& table = *bindings_->table;
    if (std::optional<SessionTable::Binding> bound = context.dry_run
                                                         ? table.Peek(bound_as, now_ms, ttl_ms_)
                                                         : table.Find(bound_as, now_ms, ttl_ms_)) {
      if (return_home_ && bound->home != bound->account) {
        for (const Entry& e : entries) {
          if (e.hash != bound->home) continue;
          if (!context.dry_run) bindings_->Bind(bound_as, e.hash, now_ms);
          return Outcome::Auth(e.candidate);
        }
      }
      for (const Entry& e : entries) {
        if (e.hash == bound->account) return Outcome::Auth(e.candidate);
      }
    }
  }
  const Entry* winner = Rendezvous(session, entries);
  if (bindings_ && !context.dry_run) bindings_->Bind(bound_as, winner->hash, now_ms);
  return Outcome::Auth(winner->candidate);
}

void StickyStrategy::AddFields(json::PickFields* fields) const {
  weights_.AddFields(fields);
  fallback_->AddFields(fields);
  if (!headers_.empty()) fields->headers = true;
  if (!metadata_.empty()) fields->request_metadata = true;
}

}  // namespace cliproxy::scheduler

#include "simulate/simulate_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <queue>
#include <tuple>

#include "base/glob.hpp"
#include "simulate/simulate_random.hpp"
#include "simulate/simulate_time.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::BuiltinStrategy;
using cliproxy::host::PickDecision;
using cliproxy::host::PickOutcome;

constexpr int64_t kNsPerSecond = 1'000'000'000;

// Distinct streams, so that e.g. enabling usage does not change the traffic.
constexpr uint64_t kArrivalStream = 0x61727269766c7321ULL;
constexpr uint64_t kTrafficStream = 0x7472616666696321ULL;
constexpr uint64_t kUsageStream = 0x7573616765212121ULL;
// TTFT and failures have streams of their own so that scenarios written before them keep
// their latencies and tokens.
constexpr uint64_t kTtftStream = 0x7474667421212121ULL;
constexpr uint64_t kFailureStream = 0x6661696c75726521ULL;

// Picks an index with probability proportional to its weight.
size_t Weighted(Random& random, const std::vector<double>& cumulative) {
  double x = random.Uniform() * cumulative.back();
  size_t i = static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                                 cumulative.begin());
  return std::min(i, cumulative.size() - 1);
}

std::vector<double> Cumulative(const std::vector<double>& weights) {
  std::vector<double> out;
  double sum = 0;
  for (double w : weights) out.push_back(sum += w);
  return out;
}

// A session id shaped like the UUIDs Claude Code and Codex send.
std::string SessionId(Random& random) {
  uint64_t a = random.Next();
  uint64_t b = random.Next();
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(a >> 32),
                static_cast<unsigned long long>((a >> 16) & 0xffff),
                static_cast<unsigned long long>(a & 0xfff),
                static_cast<unsigned long long>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buffer;
}

bool IsDisabledStatus(const std::string& status) {
  if (status.size() != 8) return false;
  std::string lower = status;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "disabled";
}

// Arrival times in simulated nanoseconds, non-decreasing.
std::vector<int64_t> Arrivals(const ScenarioTraffic& traffic, uint64_t seed) {
  Random random(seed ^ kArrivalStream);
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(traffic.requests));
  double seconds = 0;
  for (int64_t i = 0; i < traffic.requests; ++i) {
    if (traffic.arrival == ArrivalProcess::kUniform) {
      seconds = static_cast<double>(i) / traffic.rate;
    } else {
      seconds += random.Exponential(1 / traffic.rate);
    }
    out.push_back(std::llround(seconds * kNsPerSecond));
  }
  return out;
}

struct Session {
  std::string id;
  size_t model = 0;
  std::optional<size_t> tenant;
  size_t track = 0;  // index into the stickiness tracks
};

// The accounts a session has used, for stickiness.
struct SessionTrack {
  int64_t first = -1;
  int64_t last = -1;
};

struct PendingUsage {
  int64_t done_ns;
  int64_t sequence;  // breaks ties in arrival order
  size_t instance;   // the one that served the request gets the record
  cliproxy::UsageRecord record;
  bool operator>(const PendingUsage& o) const {
    return std::tie(done_ns, sequence) > std::tie(o.done_ns, o.sequence);
  }
};

class Simulation {
 public:
  Simulation(const std::vector<cliproxy::host::PluginHost*>& hosts, const Scenario& scenario,
             const SimulationOptions& options)
      : hosts_(hosts),
        scenario_(scenario),
        options_(options),
        balancer_(options.balance, hosts.size(), options.seed),
        traffic_random_(options.seed ^ kTrafficStream),
        usage_random_(options.seed ^ kUsageStream),
        ttft_random_(options.seed ^ kTtftStream),
        failure_random_(options.seed ^ kFailureStream) {
    const ScenarioTraffic& t = scenario.traffic;
    std::vector<double> weights;
    for (const ScenarioModel& m : t.models) weights.push_back(m.weight);
    model_cumulative_ = Cumulative(weights);
    weights.clear();
    for (const ScenarioTenant& tenant : t.tenants) weights.push_back(tenant.share);
    if (!weights.empty()) tenant_cumulative_ = Cumulative(weights);
    for (const ScenarioAccount& a : scenario.accounts) {
      std::vector<cliproxy::scheduler::Glob> globs;
      for (const std::string& g : a.models) {
        std::string error;
        if (auto glob = cliproxy::scheduler::Glob::Compile(g, cliproxy::scheduler::CaseFold::kNone,
                                                           &error)) {
          globs.push_back(std::move(*glob));
        }
      }
      model_globs_.push_back(std::move(globs));
    }
    windows_.resize(scenario.accounts.size());
    slow_.resize(scenario.accounts.size());
    for (const ScenarioEvent& e : scenario.events) {
      if (e.kind == EventKind::kSlow) {
        slow_[e.account].push_back({e.at_ns, e.until_ns.value_or(INT64_MAX), e.factor});
      } else {
        windows_[e.account].emplace_back(e.at_ns, e.until_ns.value_or(INT64_MAX));
      }
    }
    serves_.resize(t.models.size());
    for (size_t m = 0; m < t.models.size(); ++m) {
      for (size_t a = 0; a < scenario.accounts.size(); ++a) {
        serves_[m].push_back(Serves(a, m));
      }
    }
  }

  SimulationResult Run() {
    const ScenarioTraffic& t = scenario_.traffic;
    std::vector<int64_t> arrivals = Arrivals(t, options_.seed);
    result_.seed = options_.seed;
    result_.requests = t.requests;
    result_.duration_ns = arrivals.back();
    int64_t buckets = scenario_.buckets;
    result_.bucket_ns = std::max<int64_t>(1, (result_.duration_ns + buckets) / buckets);
    result_.accounts.resize(scenario_.accounts.size());
    for (AccountResult& a : result_.accounts) a.bucket_picks.assign(buckets, 0);
    if (scenario_.usage.any_windows) quota_.emplace(scenario_, result_.bucket_ns, buckets);
    result_.bucket_failed.assign(buckets, 0);
    result_.tenants.resize(t.tenants.size());
    for (TenantResult& tenant : result_.tenants) tenant.picks.assign(scenario_.accounts.size(), 0);
    for (int64_t s = 0; s < t.sessions.count; ++s) sessions_.push_back(NewSession());
    result_.balance = options_.balance;
    result_.instances.resize(hosts_.size());
    next_exchange_ = options_.exchange_ns;
    if (options_.exchange_ns > 0) {
      for (size_t first = 0, last = 0; last < arrivals.size(); ++last) {
        while (arrivals[last] - arrivals[first] >= options_.exchange_ns) ++first;
        result_.busiest_exchange =
            std::max(result_.busiest_exchange, static_cast<int64_t>(last - first + 1));
      }
    }

    const int64_t progress_step = std::max<int64_t>(1, t.requests / 200);
    for (int64_t i = 0; i < t.requests; ++i) {
      AdvanceTo(arrivals[i]);
      OneRequest(i, arrivals[i]);
      if (options_.progress && (i + 1) % progress_step == 0) options_.progress(i + 1, t.requests);
    }
    DeliverUsageUntil(INT64_MAX);
    if (options_.progress) options_.progress(t.requests, t.requests);
    if (quota_) result_.quota = quota_->Finish(result_.duration_ns);
    Finish();
    return std::move(result_);
  }

 private:
  bool Serves(size_t account, size_t model) const {
    const ScenarioAccount& a = scenario_.accounts[account];
    const ScenarioModel& m = scenario_.traffic.models[model];
    if (std::find(m.providers.begin(), m.providers.end(), a.provider) == m.providers.end()) {
      return false;
    }
    if (model_globs_[account].empty()) return true;
    for (const auto& glob : model_globs_[account]) {
      if (glob.Matches(m.name)) return true;
    }
    return false;
  }

  bool Available(size_t account, int64_t now) const {
    if (IsDisabledStatus(scenario_.accounts[account].status)) return false;
    for (const auto& [from, until] : windows_[account]) {
      if (now >= from && now < until) return false;
    }
    // After a 429, CLIProxyAPI cools the account down.
    return !quota_ || !quota_->CoolingDown(account, now);
  }

  // Overlapping slow events multiply.
  double SlowFactor(size_t account, int64_t now) const {
    double factor = 1;
    for (const SlowWindow& w : slow_[account]) {
      if (now >= w.from && now < w.until) factor *= w.factor;
    }
    return factor;
  }

  std::optional<size_t> DrawTenant() {
    if (tenant_cumulative_.empty()) return std::nullopt;
    return Weighted(traffic_random_, tenant_cumulative_);
  }

  Session NewSession() {
    Session s;
    s.id = SessionId(traffic_random_);
    s.model = Weighted(traffic_random_, model_cumulative_);
    s.tenant = DrawTenant();
    s.track = tracks_.size();
    tracks_.emplace_back();
    return s;
  }

  void OneRequest(int64_t index, int64_t now) {
    const ScenarioTraffic& t = scenario_.traffic;
    Session* session = nullptr;
    size_t model;
    std::optional<size_t> tenant;
    if (!sessions_.empty() &&
        (t.sessions.share >= 1 || traffic_random_.Uniform() < t.sessions.share)) {
      session = &sessions_[traffic_random_.Below(sessions_.size())];
      model = session->model;
      tenant = session->tenant;
    } else {
      model = Weighted(traffic_random_, model_cumulative_);
      tenant = DrawTenant();
    }
    bool stream = traffic_random_.Uniform() < t.stream;

    const size_t instance = balancer_.Next(session != nullptr ? session->id : std::string_view());
    cliproxy::host::PluginHost& host = *hosts_[instance];
    cliproxy::PickRequest request = BuildRequest(host, model, stream, session, tenant, now);
    PickOutcome outcome = host.Pick(request);
    Record(outcome, now, session, tenant, result_.instances[instance]);
    if (outcome.ok() && scenario_.usage.enabled) {
      QueueUsage(index, instance, now, model, outcome.auth_id);
    }

    // A session ends after each of its requests with probability 1/length, so it lasts
    // `length` requests on average; a fresh session takes its place.
    if (session != nullptr && t.sessions.length > 0 &&
        traffic_random_.Uniform() < 1 / t.sessions.length) {
      *session = NewSession();
    }
  }

  cliproxy::PickRequest BuildRequest(const cliproxy::host::PluginHost& host, size_t model,
                                     bool stream, const Session* session,
                                     std::optional<size_t> tenant, int64_t now) {
    const ScenarioTraffic& t = scenario_.traffic;
    const ScenarioModel& m = t.models[model];
    cliproxy::PickRequest request;
    request.model = m.name;
    request.stream = stream;
    for (const std::string& p : m.providers) request.providers.push_back(p);
    if (m.providers.size() == 1) request.provider = m.providers[0];

    request.options.headers = t.headers;
    request.options.metadata = t.metadata;
    if (tenant && t.tenants[*tenant].caller_scope) {
      request.options.metadata.Set("caller_scope",
                                   cliproxy::AnyValue::String(*t.tenants[*tenant].caller_scope));
    }
    if (session != nullptr) {
      for (const std::string& h : t.sessions.headers) {
        cliproxy::Slice<std::string> value;
        value.push_back(session->id);
        request.options.headers.Set(h, std::move(value));
      }
      for (const std::string& k : t.sessions.metadata) {
        request.options.metadata.Set(k, cliproxy::AnyValue::String(session->id));
      }
    }

    offered_now_.assign(scenario_.accounts.size(), false);
    // CLIProxyAPI offers one tier (the highest with an available account) unless the
    // scheduler asks for all of them (scheduler_across_priorities, v7.3.7+).
    const bool every_tier = host.SchedulerWantsAcrossPriorities();
    std::optional<int64_t> top;
    for (size_t a = 0; a < scenario_.accounts.size(); ++a) {
      if (!serves_[model][a] || !Available(a, now)) continue;
      int64_t p = scenario_.accounts[a].priority;
      if (!top || p > *top) top = p;
    }
    for (size_t a = 0; a < scenario_.accounts.size(); ++a) {
      const ScenarioAccount& account = scenario_.accounts[a];
      if (!serves_[model][a] || !Available(a, now)) continue;
      if (!every_tier && account.priority != *top) continue;
      cliproxy::Candidate c;
      c.id = account.id;
      c.provider = account.provider;
      c.priority = account.priority;
      c.status = account.status;
      c.attributes = account.attributes;
      request.candidates.push_back(std::move(c));
      offered_now_[a] = true;
      ++result_.accounts[a].offered;
    }
    request.candidates.empty_not_null = true;  // CLIProxyAPI sends [] rather than null
    return request;
  }

  std::optional<size_t> AccountIndex(const std::string& id) {
    if (index_.empty()) {
      for (size_t a = 0; a < scenario_.accounts.size(); ++a)
        index_.emplace(scenario_.accounts[a].id, a);
    }
    auto it = index_.find(id);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  size_t Bucket(int64_t now) const {
    return static_cast<size_t>(std::min<int64_t>(now / result_.bucket_ns, scenario_.buckets - 1));
  }

  void Record(const PickOutcome& outcome, int64_t now, const Session* session,
              std::optional<size_t> tenant, InstanceResult& instance) {
    ++result_.decisions[static_cast<size_t>(outcome.decision)];
    ++instance.requests;
    if (outcome.builtin && !outcome.auth_id.empty()) {
      ++(*outcome.builtin == BuiltinStrategy::kRoundRobin ? result_.builtin_round_robin
                                                          : result_.builtin_fill_first);
    }
    TenantResult* tenant_result = tenant ? &result_.tenants[*tenant] : nullptr;
    if (tenant_result) ++tenant_result->requests;
    std::optional<size_t> account = outcome.ok() ? AccountIndex(outcome.auth_id) : std::nullopt;
    if (!account) {
      ++result_.failed;
      ++instance.failed;
      ++result_.bucket_failed[Bucket(now)];
      if (tenant_result) ++tenant_result->failed;
      cliproxy::PluginError error =
          outcome.error.value_or(cliproxy::PluginError{"unknown_auth", outcome.auth_id});
      CountError(error);
      return;
    }
    ++result_.served;
    ++instance.served;
    AccountResult& a = result_.accounts[*account];
    ++a.picks;
    ++a.bucket_picks[Bucket(now)];
    if (tenant_result) ++tenant_result->picks[*account];
    if (session != nullptr) Stickiness(tracks_[session->track], static_cast<int64_t>(*account));
  }

  void Stickiness(SessionTrack& track, int64_t account) {
    SessionResult& s = result_.sessions;
    ++s.requests;
    if (track.first < 0) {
      ++s.sessions;
      track.first = track.last = account;
      ++s.kept;
      return;
    }
    if (account == track.first) ++s.kept;
    if (account != track.last) {
      ++s.moves;
      if (!offered_now_[static_cast<size_t>(track.last)]) {
        ++s.forced;
      } else if (account == track.first) {
        ++s.returns;
      }
    }
    track.last = account;
  }

  void CountError(const cliproxy::PluginError& error) {
    for (ErrorCount& e : result_.errors) {
      if (e.code == error.code && e.http_status == error.http_status) {
        ++e.count;
        return;
      }
    }
    result_.errors.push_back({error.code, error.http_status, error.message, 1});
  }

  static int64_t Draw(Random& random, const Spread& spread) {
    return std::llround(std::max(0.0, random.Around(spread.mean, spread.jitter)));
  }

  void QueueUsage(int64_t index, size_t instance, int64_t now, size_t model,
                  const std::string& auth_id) {
    size_t a = *AccountIndex(auth_id);
    const ScenarioAccount& account = scenario_.accounts[a];
    const ScenarioModel& m = scenario_.traffic.models[model];
    const ScenarioUsage& u = scenario_.usage;
    const Spread& latency = account.latency_ms.value_or(u.latency_ms);
    const std::optional<Spread>& ttft = account.ttft_ms ? account.ttft_ms : u.ttft_ms;
    const double slow = SlowFactor(a, now);
    PendingUsage p;
    p.sequence = index;
    p.instance = instance;
    cliproxy::UsageRecord& r = p.record;
    r.provider = account.provider;
    r.model = m.name;
    r.auth_id = account.id;
    r.requested_at = FormatRfc3339Nano(scenario_.start_unix_ns + now);
    r.latency_ns = std::llround(std::max(0.0, usage_random_.Around(latency.mean, latency.jitter)) *
                                slow * 1'000'000);
    r.detail.input_tokens = Draw(usage_random_, m.input_tokens.value_or(u.input_tokens));
    r.detail.output_tokens = Draw(usage_random_, m.output_tokens.value_or(u.output_tokens));
    // Drawn for every record, used or not, so that one account's settings do not shift the
    // draws of the records after it.
    const Spread ttft_spread = ttft.value_or(Spread{});
    const double ttft_ms =
        std::max(0.0, ttft_random_.Around(ttft_spread.mean, ttft_spread.jitter)) * slow;
    bool failed = failure_random_.Uniform() < account.fail_rate;
    UpstreamQuota::Answer quota;
    if (quota_) quota = quota_->Serve(a, now);
    r.response_headers = std::move(quota.headers);
    if (quota.refused) {
      // Refused at once: a quick 429 with the window's headers and retry-after.
      failed = true;
      r.failed = true;
      r.failure.status_code = 429;
      r.failure.body = "{\"error\":{\"type\":\"rate_limit_error\"}}";
      r.latency_ns = std::min<int64_t>(r.latency_ns, 200'000'000);
      r.detail.input_tokens = 0;
      r.detail.output_tokens = 0;
    } else if (failed) {
      // An upstream error: no first token, no tokens billed.
      r.failed = true;
      r.failure.status_code = account.fail_status;
      r.failure.body = "{\"error\":{\"message\":\"simulated upstream failure\"}}";
      r.detail.input_tokens = 0;
      r.detail.output_tokens = 0;
    } else if (ttft) {
      r.ttft_ns = std::min<int64_t>(r.latency_ns, std::llround(ttft_ms * 1'000'000));
    }
    r.detail.total_tokens = r.detail.input_tokens + r.detail.output_tokens;
    p.done_ns = now + r.latency_ns;
    AccountResult& stats = result_.accounts[a];
    ++stats.usage_records;
    stats.latency_ns_total += r.latency_ns;
    stats.tokens_total += r.detail.total_tokens;
    if (failed) {
      ++stats.failures;
      ++result_.usage_failures;
    } else if (ttft) {
      ++stats.ttft_records;
      stats.ttft_ns_total += r.ttft_ns;
    }
    ++result_.usage_records;
    pending_.push(std::move(p));
  }

  void DeliverUsageUntil(int64_t now) {
    while (!pending_.empty() && pending_.top().done_ns <= now) {
      const PendingUsage& p = pending_.top();
      result_.usage_deliveries += static_cast<int64_t>(hosts_[p.instance]->DeliverUsage(p.record));
      ++result_.instances[p.instance].usage_records;
      pending_.pop();
    }
  }

  // Simulated time passes up to `now`: records complete in order, and every
  // `exchange_ns` the fleet exchanges its state (after the records due by then).
  void AdvanceTo(int64_t now) {
    if (options_.exchange && options_.exchange_ns > 0) {
      while (next_exchange_ <= now) {
        DeliverUsageUntil(next_exchange_);
        options_.exchange();
        ++result_.exchanges;
        next_exchange_ += options_.exchange_ns;
      }
    }
    DeliverUsageUntil(now);
  }

  void Finish() {
    std::vector<double> picks, per_offer;
    for (const AccountResult& a : result_.accounts) {
      if (a.offered == 0) continue;
      picks.push_back(static_cast<double>(a.picks));
      per_offer.push_back(static_cast<double>(a.picks) / static_cast<double>(a.offered));
    }
    result_.jain = JainIndex(picks);
    result_.jain_offered = JainIndex(per_offer);
    result_.jain_accounts = picks.size();
    std::stable_sort(result_.errors.begin(), result_.errors.end(),
                     [](const ErrorCount& x, const ErrorCount& y) { return x.count > y.count; });
  }

  const std::vector<cliproxy::host::PluginHost*>& hosts_;
  const Scenario& scenario_;
  const SimulationOptions& options_;
  Balancer balancer_;
  int64_t next_exchange_ = 0;
  Random traffic_random_;
  Random usage_random_;
  Random ttft_random_;
  Random failure_random_;
  std::vector<double> model_cumulative_;
  std::vector<double> tenant_cumulative_;
  std::vector<std::vector<cliproxy::scheduler::Glob>> model_globs_;
  std::vector<std::vector<bool>> serves_;                          // [model][account]
  std::vector<std::vector<std::pair<int64_t, int64_t>>> windows_;  // out of service [from, until)
  struct SlowWindow {
    int64_t from, until;
    double factor;
  };
  std::vector<std::vector<SlowWindow>> slow_;  // per account
  std::map<std::string, size_t> index_;
  std::vector<Session> sessions_;
  std::vector<SessionTrack> tracks_;
  std::vector<bool> offered_now_;
  std::priority_queue<PendingUsage, std::vector<PendingUsage>, std::greater<>> pending_;
  std::optional<UpstreamQuota> quota_;  // when some account has quota windows
  SimulationResult result_;
};

}  // namespace

SimulationResult Simulate(cliproxy::host::PluginHost& host, const Scenario& scenario,
                          const SimulationOptions& options) {
  return Simulate(std::vector<cliproxy::host::PluginHost*>{&host}, scenario, options);
}

SimulationResult Simulate(const std::vector<cliproxy::host::PluginHost*>& hosts,
                          const Scenario& scenario, const SimulationOptions& options) {
  return Simulation(hosts, scenario, options).Run();
}

int64_t LastArrivalNs(const ScenarioTraffic& traffic, uint64_t seed) {
  return Arrivals(traffic, seed).back();
}

double JainIndex(const std::vector<double>& values) {
  double sum = 0;
  double squares = 0;
  for (double v : values) {
    sum += v;
    squares += v * v;
  }
  if (values.empty() || squares == 0) return 1;
  return sum * sum / (static_cast<double>(values.size()) * squares);
}

std::function<void(const cliproxy::host::LogEntry&)> LogCounter::Sink() {
  std::shared_ptr<std::vector<LogCount>> counts = counts_;
  return [counts](const cliproxy::host::LogEntry& entry) {
    for (LogCount& c : *counts) {
      if (c.level == entry.level && c.message == entry.message) {
        ++c.count;
        return;
      }
    }
    counts->push_back({entry.level, entry.message, 1});
  };
}

std::vector<LogCount> LogCounter::Counts() const {
  std::vector<LogCount> out = *counts_;
  std::stable_sort(out.begin(), out.end(), [](const LogCount& x, const LogCount& y) {
    if (x.count != y.count) return x.count > y.count;
    if (x.level != y.level) return x.level > y.level;
    return x.message < y.message;
  });
  return out;
}

}  // namespace cpa_sched

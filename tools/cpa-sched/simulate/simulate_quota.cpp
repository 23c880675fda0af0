#include "simulate/simulate_quota.hpp"

#include <algorithm>
#include <cstdio>

namespace cpa_sched {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

int64_t CeilSeconds(int64_t ns) { return ns <= 0 ? 0 : (ns + kNsPerSecond - 1) / kNsPerSecond; }

std::string Format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// A duration as Go prints it, in whole seconds: "45s", "6m0s", "1h2m3s".
std::string GoDuration(int64_t seconds) {
  const int64_t h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
  if (h > 0) return std::to_string(h) + "h" + std::to_string(m) + "m" + std::to_string(s) + "s";
  if (m > 0) return std::to_string(m) + "m" + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

void Set(cliproxy::HeaderMap* headers, const std::string& name, std::string value) {
  cliproxy::Slice<std::string> values;
  values.push_back(std::move(value));
  headers->Set(name, std::move(values));
}

}  // namespace

UpstreamQuota::UpstreamQuota(const Scenario& scenario, int64_t bucket_ns, int64_t buckets)
    : scenario_(scenario), bucket_ns_(bucket_ns), buckets_(buckets) {
  windows_.resize(scenario.accounts.size());
  cooling_until_.assign(scenario.accounts.size(), 0);
  for (size_t a = 0; a < scenario.accounts.size(); ++a) {
    for (const ScenarioWindow& config : scenario.accounts[a].windows) {
      WindowResult r;
      r.account = a;
      r.name = config.name;
      r.capacity = config.capacity;
      r.bucket_use.assign(static_cast<size_t>(buckets), 0);
      result_.windows.push_back(std::move(r));
      sampled_.emplace_back(static_cast<size_t>(buckets), false);
      last_.emplace_back(static_cast<size_t>(buckets), 0.0);
      Window w{&config, result_.windows.size() - 1, true, config.used, config.resets_in_ns};
      Sample(w, 0);
      windows_[a].push_back(w);
    }
  }
}

void UpstreamQuota::Sample(const Window& w, int64_t now) {
  const size_t b = static_cast<size_t>(std::min(now / bucket_ns_, buckets_ - 1));
  const double use = static_cast<double>(w.used) / static_cast<double>(w.config->capacity);
  double& cell = result_.windows[w.result].bucket_use[b];
  cell = sampled_[w.result][b] ? std::max(cell, use) : use;
  sampled_[w.result][b] = true;
  last_[w.result][b] = use;
}

void UpstreamQuota::Roll(size_t account, int64_t now) {
  for (Window& w : windows_[account]) {
    if (!w.running || now < w.reset_ns) continue;
    WindowResult& r = result_.windows[w.result];
    ++r.resets;
    r.unused_at_resets += w.config->capacity - w.used;
    w.running = false;
    w.used = 0;
    Sample(w, w.reset_ns);
  }
}

bool UpstreamQuota::CoolingDown(size_t account, int64_t now) const {
  return cooling_until_[account] > now;
}

UpstreamQuota::Answer UpstreamQuota::Serve(size_t account, int64_t now) {
  Answer answer;
  Roll(account, now);
  std::vector<Window>& windows = windows_[account];
  int64_t retry_at = 0;
  for (Window& w : windows) {
    if (!w.running || w.used < w.config->capacity) continue;
    retry_at = std::max(retry_at, w.reset_ns);
    ++result_.windows[w.result].refusals;
    if (result_.first_429_ns < 0) {
      result_.first_429_ns = now;
      result_.first_429 = scenario_.accounts[account].id + " " + w.config->name;
    }
  }
  if (retry_at > 0) {
    ++result_.refusals;
    cooling_until_[account] = retry_at;
    answer.refused = true;
    answer.headers = Headers(account, now, true, retry_at - now);
    return answer;
  }
  for (Window& w : windows) {
    if (!w.running) {  // the first request after a reset starts the next window
      w.running = true;
      w.used = 0;
      w.reset_ns = now + w.config->length_ns;
    }
    ++w.used;
    ++result_.windows[w.result].served;
    Sample(w, now);
  }
  if (result_.first_429_ns < 0) ++result_.served_before_first_429;
  if (!windows.empty()) answer.headers = Headers(account, now, false, 0);
  return answer;
}

cliproxy::HeaderMap UpstreamQuota::Headers(size_t account, int64_t now, bool refused,
                                           int64_t retry_after_ns) const {
  cliproxy::HeaderMap h;
  const ScenarioAccount& a = scenario_.accounts[account];
  bool warning = false;
  for (const Window& w : windows_[account]) {
    if (!w.running) continue;
    const double use = static_cast<double>(w.used) / static_cast<double>(w.config->capacity);
    const std::string& name = w.config->name;
    switch (a.quota_headers) {
      case QuotaHeaders::kAnthropicUnified: {
        const std::string prefix = "anthropic-ratelimit-unified-" + name + "-";
        const bool spent = w.used >= w.config->capacity;
        warning = warning || use >= 0.8;
        Set(&h, prefix + "status", spent ? "rejected" : use >= 0.8 ? "allowed_warning" : "allowed");
        Set(&h, prefix + "utilization", Format("%.4f", use));
        Set(&h, prefix + "reset",
            std::to_string(CeilSeconds(scenario_.start_unix_ns + w.reset_ns)));
        break;
      }
      case QuotaHeaders::kCodex: {
        const std::string prefix = "x-codex-" + name + "-";
        Set(&h, prefix + "used-percent", Format("%.1f", 100 * use));
        Set(&h, prefix + "window-minutes", std::to_string(w.config->length_ns / kNsPerSecond / 60));
        Set(&h, prefix + "reset-after-seconds", std::to_string(CeilSeconds(w.reset_ns - now)));
        break;
      }
      case QuotaHeaders::kOpenAi:
        Set(&h, "x-ratelimit-limit-" + name, std::to_string(w.config->capacity));
        Set(&h, "x-ratelimit-remaining-" + name, std::to_string(w.config->capacity - w.used));
        Set(&h, "x-ratelimit-reset-" + name, GoDuration(CeilSeconds(w.reset_ns - now)));
        break;
    }
  }
  if (a.quota_headers == QuotaHeaders::kAnthropicUnified) {
    Set(&h, "anthropic-ratelimit-unified-status",
        refused   ? "rejected"
        : warning ? "allowed_warning"
                  : "allowed");
  }
  if (refused) Set(&h, "retry-after", std::to_string(CeilSeconds(retry_after_ns)));
  return h;
}

QuotaResult UpstreamQuota::Finish(int64_t end) {
  for (size_t a = 0; a < windows_.size(); ++a) Roll(a, end);
  for (size_t i = 0; i < result_.windows.size(); ++i) {
    // A bucket without a request keeps the use the previous one ended with.
    std::vector<double>& use = result_.windows[i].bucket_use;
    for (size_t b = 1; b < use.size(); ++b) {
      if (!sampled_[i][b]) use[b] = last_[i][b] = last_[i][b - 1];
    }
  }
  return result_;
}

}  // namespace cpa_sched

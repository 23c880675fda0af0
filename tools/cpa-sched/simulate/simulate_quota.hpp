// UpstreamQuota: the quota windows a simulated upstream enforces (ScenarioWindow), and what
// it answers: the rate-limit headers of each response, in the format of the account's
// provider (Anthropic unified, Codex, OpenAI), and a 429 with retry-after when a window is
// spent. It also measures what a quota-aware scheduler is judged on: the requests served
// before the first 429, and the capacity left unused when a window resets.
//
// A window counts requests. It starts with the first request after its reset and resets
// `length` later; the window running at the start of the run resets at `resets_in` with
// `used` requests already counted. A request is refused when any of its account's running
// windows is spent; the account then cools down (is not offered, as CLIProxyAPI cools an
// account down after a 429) until the latest reset of its spent windows.
//
// Thread-safety: one simulation thread.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_QUOTA_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_QUOTA_HPP_

#include <cstdint>
#include <string>
#include <vector>

#include "cliproxy/types.hpp"
#include "simulate/simulate_scenario.hpp"

namespace cpa_sched {

// One window of one account over a run.
struct WindowResult {
  size_t account = 0;  // index into Scenario::accounts
  std::string name;
  int64_t capacity = 0;
  int64_t served = 0;              // requests it counted in the run
  int64_t resets = 0;              // resets during the run
  int64_t unused_at_resets = 0;    // sum over its resets of (capacity - used) just before
  int64_t refusals = 0;            // 429s because this window was spent
  std::vector<double> bucket_use;  // highest use (0..1) in each chart bucket
};

struct QuotaResult {
  int64_t refusals = 0;                 // 429s
  int64_t served_before_first_429 = 0;  // all served when there was none
  int64_t first_429_ns = -1;            // simulated time of the first 429; -1: none
  std::string first_429;                // "<account> <window>"
  std::vector<WindowResult> windows;    // accounts in scenario order, windows in file order
};

class UpstreamQuota {
 public:
  UpstreamQuota(const Scenario& scenario, int64_t bucket_ns, int64_t buckets);

  struct Answer {
    bool refused = false;
    cliproxy::HeaderMap headers;  // empty for an account without windows
  };
  // A request sent to `account` at simulated time `now` (ns): counted, or refused (429).
  Answer Serve(size_t account, int64_t now);
  // Whether the account is cooling down after a 429 at `now` (not offered).
  bool CoolingDown(size_t account, int64_t now) const;
  // Ends the run at `end`: resets before then are counted, use is carried to the last
  // bucket.
  QuotaResult Finish(int64_t end);

 private:
  struct Window {
    const ScenarioWindow* config;
    size_t result;  // index into result_.windows
    bool running = true;
    int64_t used = 0;
    int64_t reset_ns = 0;
  };
  void Roll(size_t account, int64_t now);
  void Sample(const Window& w, int64_t now);
  cliproxy::HeaderMap Headers(size_t account, int64_t now, bool refused,
                              int64_t retry_after_ns) const;

  const Scenario& scenario_;
  const int64_t bucket_ns_;
  const int64_t buckets_;
  std::vector<std::vector<Window>> windows_;  // per account
  std::vector<int64_t> cooling_until_;        // per account; 0: not cooling down
  std::vector<std::vector<bool>> sampled_;    // per window result, per bucket
  std::vector<std::vector<double>> last_;     // the use at the latest sample, same shape
  int64_t served_ = 0;
  QuotaResult result_;
};

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_QUOTA_HPP_

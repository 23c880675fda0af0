#include "scheduler/status/status_board.hpp"

#include <chrono>

#include "scheduler/config_problem.hpp"
#include "scheduler/policy.hpp"
#include "scheduler/quota/rate_limit_headers.hpp"

namespace cliproxy::scheduler {

int64_t UnixNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StatusBoard::StatusBoard() : started_ms_(UnixNowMs()) {}

void StatusBoard::RecordPick(const Policy* policy, const Decision& decision, int64_t now_ms) {
  by_kind_[static_cast<size_t>(decision.kind)].fetch_add(1, std::memory_order_relaxed);
  timeline_.Record(decision.kind, now_ms);
  if (policy != nullptr) {
    if (RouteCounters* counters = policy->CountersOf(decision.route)) {
      counters->Record(decision, now_ms);
    }
  }
}

void StatusBoard::RecordUsage(const UsageRecord& record, int64_t now_ms) {
  usage_records_.fetch_add(1, std::memory_order_relaxed);
  if (record.auth_id.empty()) return;
  RecordSlot* slot = records_.Obtain(record.auth_id);
  if (slot == nullptr) {
    other_record_accounts_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  slot->records.fetch_add(1, std::memory_order_relaxed);
  if (record.failed) slot->failures.fetch_add(1, std::memory_order_relaxed);
  if (record.response_headers.empty()) return;
  const QuotaObservation seen = ReadRateLimitHeaders(
      record.response_headers, static_cast<int>(record.failure.status_code), now_ms * 1'000'000);
  if (seen.refused_until_unix_ns) {
    const int64_t until_ms = *seen.refused_until_unix_ns / 1'000'000;
    int64_t held = slot->cooldown_until_ms.load(std::memory_order_relaxed);
    while (held < until_ms && !slot->cooldown_until_ms.compare_exchange_weak(
                                  held, until_ms, std::memory_order_relaxed)) {
    }
  }
}

void StatusBoard::ConfigAccepted(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++config_.generation;
  config_.accepted_at_ms = now_ms;
  config_.rejected_in_force = false;
}

void StatusBoard::ConfigRejected(const std::string& error, int64_t now_ms) {
  const ConfigProblem where = ReadConfigProblem(error);
  std::string text;
  if (!where.key.empty()) text = where.key + ": ";
  if (where.line > 0) {
    text += "line " + std::to_string(where.line);
    if (where.column > 0) text += ", column " + std::to_string(where.column);
    text += ": ";
  }
  text += WithoutQuotedValues(where.what);
  std::lock_guard<std::mutex> lock(mutex_);
  ++config_.rejected;
  config_.rejected_at_ms = now_ms;
  config_.rejected_error = std::move(text);
  config_.rejected_in_force = true;
}

StatusBoard::Totals StatusBoard::totals() const {
  Totals t;
  auto kind = [&](Decision::Kind k) {
    return by_kind_[static_cast<size_t>(k)].load(std::memory_order_relaxed);
  };
  t.auth = kind(Decision::Kind::kAuth);
  t.delegate = kind(Decision::Kind::kDelegate);
  t.unhandled = kind(Decision::Kind::kUnhandled);
  t.errors = kind(Decision::Kind::kError);
  t.picks = t.auth + t.delegate + t.unhandled + t.errors;  // one counter less per pick
  t.usage_records = usage_records_.load(std::memory_order_relaxed);
  return t;
}

StatusBoard::ConfigHistory StatusBoard::config() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return config_;
}

}  // namespace cliproxy::scheduler

#include "scheduler/status/route_counters.hpp"

#include "scheduler/host_builtin.hpp"

namespace cliproxy::scheduler {

void RouteCounters::Record(const Decision& decision, int64_t now_ms) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  switch (decision.kind) {
    case Decision::Kind::kAuth:
      auth_.fetch_add(1, kRelaxed);
      if (AccountSlot* slot = accounts_.Obtain(decision.auth_id)) {
        slot->picks.fetch_add(1, kRelaxed);
        slot->last_pick_ms.store(now_ms, kRelaxed);
        last_account_.store(slot, std::memory_order_release);
      } else {
        other_accounts_.fetch_add(1, kRelaxed);
        last_account_.store(nullptr, std::memory_order_release);
      }
      break;
    case Decision::Kind::kDelegate:
      delegated_.fetch_add(1, kRelaxed);
      last_delegate_round_robin_.store(decision.delegate == kHostRoundRobin, kRelaxed);
      break;
    case Decision::Kind::kError:
      errors_.fetch_add(1, kRelaxed);
      if (ErrorSlot* slot = error_codes_.Obtain(decision.error.code)) {
        slot->count.fetch_add(1, kRelaxed);
        slot->http_status.store(decision.error.http_status, kRelaxed);
        last_error_.store(slot, std::memory_order_release);
      } else {
        last_error_.store(nullptr, std::memory_order_release);
      }
      break;
    case Decision::Kind::kUnhandled:
      passed_.fetch_add(1, kRelaxed);
      break;
  }
  last_kind_.store(static_cast<int>(decision.kind), kRelaxed);
  last_at_ms_.store(now_ms, std::memory_order_release);
}

RouteCounters::LastDecision RouteCounters::last() const {
  LastDecision d;
  d.at_ms = last_at_ms_.load(std::memory_order_acquire);
  d.kind = static_cast<Decision::Kind>(last_kind_.load(std::memory_order_relaxed));
  switch (d.kind) {
    case Decision::Kind::kAuth:
      if (const AccountSlot* s = last_account_.load(std::memory_order_acquire)) {
        d.what = s->id;
      } else {
        d.what = "(another account)";
      }
      break;
    case Decision::Kind::kDelegate:
      d.what = last_delegate_round_robin_.load(std::memory_order_relaxed) ? kHostRoundRobin
                                                                          : kHostFillFirst;
      break;
    case Decision::Kind::kError:
      if (const ErrorSlot* s = last_error_.load(std::memory_order_acquire)) {
        d.what = s->id;
        d.http_status = s->http_status.load(std::memory_order_relaxed);
      }
      break;
    case Decision::Kind::kUnhandled:
      break;
  }
  return d;
}

}  // namespace cliproxy::scheduler

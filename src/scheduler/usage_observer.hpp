// UsageObserver: route state that learns from usage records (`usage.handle`).
//
// The plugin hands every usage record to the current Policy, which passes it to each
// observer among its routes' states (Policy::ObserveUsage). A record is about an account
// (`AuthID`), not about the route that picked it: an account's usage counts for every
// route that watches it, whoever sent the request.
//
// Thread-safety: Observe() is called concurrently with itself and with picks reading the
// same state; implementations synchronize.
#ifndef CLIPROXY_SRC_SCHEDULER_USAGE_OBSERVER_HPP_
#define CLIPROXY_SRC_SCHEDULER_USAGE_OBSERVER_HPP_

#include "cliproxy/types.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

class UsageObserver {
 public:
  virtual ~UsageObserver() = default;
  // Learns from one finished upstream request; `now` is the monotonic time of arrival.
  virtual void Observe(const UsageRecord& record, Clock::time_point now) = 0;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_USAGE_OBSERVER_HPP_

// The load balancer in front of a simulated fleet of proxy instances: which instance
// serves a request.
//   round-robin  instances in turn, whatever the request (the default);
//   random       a uniform draw from its own random stream (the seed's), so the traffic
//                drawn for a seed is the same whatever the balancer;
//   session      a request of a session goes to the instance its session id hashes to
//                (XXH64 mod N: a balancer with session affinity); others in turn.
// With one instance every request goes to instance 0.
//
// Thread-safety: not shared between threads.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_BALANCER_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_BALANCER_HPP_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "simulate/simulate_random.hpp"

namespace cpa_sched {

enum class Balance { kRoundRobin, kRandom, kSession };

std::string_view BalanceName(Balance balance);  // "round-robin", "random", "session"
std::optional<Balance> ParseBalance(std::string_view name);

class Balancer {
 public:
  Balancer(Balance balance, size_t instances, uint64_t seed);
  // The instance for the next request; `session` is its session id, or empty.
  size_t Next(std::string_view session);

 private:
  Balance balance_;
  size_t instances_;
  size_t next_ = 0;
  Random random_;
};

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_BALANCER_HPP_

#include "simulate/simulate_balancer.hpp"

#include "base/hash.hpp"

namespace cpa_sched {
namespace {

constexpr uint64_t kBalanceStream = 0x62616c616e636521ULL;

}  // namespace

std::string_view BalanceName(Balance balance) {
  switch (balance) {
    case Balance::kRandom:
      return "random";
    case Balance::kSession:
      return "session";
    case Balance::kRoundRobin:
      break;
  }
  return "round-robin";
}

std::optional<Balance> ParseBalance(std::string_view name) {
  for (Balance b : {Balance::kRoundRobin, Balance::kRandom, Balance::kSession}) {
    if (BalanceName(b) == name) return b;
  }
  return std::nullopt;
}

Balancer::Balancer(Balance balance, size_t instances, uint64_t seed)
    : balance_(balance),
      instances_(instances == 0 ? 1 : instances),
      random_(seed ^ kBalanceStream) {}

size_t Balancer::Next(std::string_view session) {
  if (instances_ == 1) return 0;
  if (balance_ == Balance::kRandom) return random_.Below(instances_);
  if (balance_ == Balance::kSession && !session.empty()) {
    return static_cast<size_t>(cliproxy::scheduler::Hash64(session) % instances_);
  }
  return next_++ % instances_;
}

}  // namespace cpa_sched

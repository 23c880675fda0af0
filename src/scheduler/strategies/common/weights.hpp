// Weights: how much of a route's traffic each account should get (strategies `weighted`
// and `sticky`).
//
// An account's weight is, in this order:
//   1. the value of the first `weights` glob (in the order written) that matches its ID;
//   2. else the number in its attribute `weight_attribute` (default "weight");
//   3. else 1 (attribute missing, not a number, negative, or not finite).
// A weight of 0 excludes the account. Weights are capped at 1,000,000 and kept to a
// precision of 0.001 (kWeightScale) so that smooth weighted round-robin runs on exact
// integers.
//
// Thread-safety: immutable after construction.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_COMMON_WEIGHTS_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_COMMON_WEIGHTS_HPP_

#include <cstdint>
#include <string>
#include <vector>

#include "base/glob.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "scheduler/route_config.hpp"
#include "scheduler/strategies/common/weights_config.hpp"

namespace cliproxy::scheduler {

inline constexpr int64_t kWeightScale = 1000;    // weight 1 == 1000 units
inline constexpr double kMaxWeight = 1'000'000;  // per account
inline constexpr const char* kDefaultWeightAttribute = "weight";

class Weights {
 public:
  // Throws ConfigError naming a bad glob or weight.
  static Weights Compile(const RouteConfig& route);

  // The weight of `candidate` in units of 1/kWeightScale; 0 excludes it.
  int64_t Of(const Candidate& candidate) const;
  void AddFields(json::PickFields* fields) const;

 private:
  struct Rule {
    Glob glob;
    int64_t units;
  };

  std::vector<Rule> rules_;
  std::string attribute_;
  bool reads_attribute_ = true;  // false when a rule matches every ID
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_COMMON_WEIGHTS_HPP_

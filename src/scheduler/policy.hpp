// Policy: a configuration compiled once into an immutable decision procedure.
//
// Evaluation order for a pick (WIRE.md §5, then the policy engine):
//   1. deny: true                    -> error `scheduler_denied`
//   2. delegate fill-first|round-robin -> that delegate
//   3. delegate any other non-empty  -> unhandled by the reference keys
//   4. auth_id equal to a candidate  -> that auth
//   5. otherwise the routes, in order: the first whose `when` matches decides; none -> unhandled
// With no routes configured this is exactly the reference plugin.
//
// Thread-safety: a Policy is immutable after Compile; Pick() may be called concurrently
// from any number of threads. Route state (cursors, session bindings) is internally
// synchronized and is carried over from the previous Policy for routes that keep their name.
#ifndef CLIPROXY_SRC_SCHEDULER_POLICY_HPP_
#define CLIPROXY_SRC_SCHEDULER_POLICY_HPP_

#include <memory>

#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "scheduler/config.hpp"
#include "scheduler/decision.hpp"

namespace cliproxy::scheduler {

class Policy {
 public:
  // Compiles `config`. Throws ConfigError naming the bad key. `previous` (may be null) is
  // the policy being replaced; its route state is adopted by routes of the same name.
  static std::shared_ptr<const Policy> Compile(const Config& config, const Policy* previous);

  Decision Pick(const PickRequest& request) const;

  // The parts of a pick request this policy reads (the rest is checked, not stored).
  const json::PickFields& fields() const { return fields_; }
  const Config& config() const { return config_; }

 private:
  explicit Policy(Config config) : config_(std::move(config)) {}

  Config config_;
  json::PickFields fields_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_POLICY_HPP_

// Decision: what the scheduler decided for one pick, before it is put on the wire.
#ifndef CLIPROXY_SRC_SCHEDULER_DECISION_HPP_
#define CLIPROXY_SRC_SCHEDULER_DECISION_HPP_

#include <string>

#include "cliproxy/types.hpp"

namespace cliproxy::scheduler {

struct Decision {
  enum class Kind { kUnhandled, kAuth, kDelegate, kError };

  Kind kind = Kind::kUnhandled;
  std::string auth_id;   // kAuth: a candidate's ID, exactly as offered
  std::string delegate;  // kDelegate: a host built-in (host_builtin.hpp)
  PluginError error;     // kError
  // What decided, for explanations: "deny", "delegate", "auth_id", "routes[0] team-a", or
  // empty when nothing matched.
  std::string rule;
  // The index of the route that decided (Policy's routes, in order), or -1.
  int route = -1;

  static Decision Unhandled(std::string rule = {}) {
    Decision d;
    d.rule = std::move(rule);
    return d;
  }
  static Decision Auth(std::string id, std::string rule) {
    Decision d;
    d.kind = Kind::kAuth;
    d.auth_id = std::move(id);
    d.rule = std::move(rule);
    return d;
  }
  static Decision Delegate(std::string strategy, std::string rule) {
    Decision d;
    d.kind = Kind::kDelegate;
    d.delegate = std::move(strategy);
    d.rule = std::move(rule);
    return d;
  }
  static Decision Error(PluginError error, std::string rule) {
    Decision d;
    d.kind = Kind::kError;
    d.error = std::move(error);
    d.rule = std::move(rule);
    return d;
  }
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_DECISION_HPP_

// RouteState: the mutable state of one route, by role (the name of the strategy that owns
// it), carried from one Policy to the next for a route that keeps its name.
//
// During Policy::Compile, each strategy obtains its state here: the previous Policy's
// state of the same role and type if there is one, else a new one. States of roles that
// the new route does not use are dropped with the previous Policy. After Compile, the map
// is never changed again; strategies keep their own shared_ptr to their state, so picks
// never touch this object.
//
// Thread-safety: Obtain() is for Compile only (one thread). The states themselves are
// shared by the old and the new Policy while picks on both are in flight, so every
// StrategyState must be safe for concurrent use.
#ifndef CLIPROXY_SRC_SCHEDULER_ROUTE_STATE_HPP_
#define CLIPROXY_SRC_SCHEDULER_ROUTE_STATE_HPP_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

class RouteState {
 public:
  // `previous` is the state of the route of the same name in the policy being replaced
  // (may be null); it must outlive the Compile that uses this object.
  explicit RouteState(const RouteState* previous) : previous_(previous) {}

  // The state of `role`: this route's own if already obtained, else `adopt(previous)`,
  // where `previous` is the previous Policy's state of that role if it has type T (else
  // null). `adopt` returns the state to use: usually `previous` when there is one, a new
  // state otherwise, or a new one migrated from `previous` when the configuration of the
  // state changed.
  template <class T>
  std::shared_ptr<T> Obtain(const std::string& role,
                            const std::function<std::shared_ptr<T>(std::shared_ptr<T>)>& adopt) {
    if (auto it = states_.find(role); it != states_.end()) {
      if (auto state = std::dynamic_pointer_cast<T>(it->second)) return state;
    }
    std::shared_ptr<T> previous;
    if (previous_ != nullptr) {
      if (auto it = previous_->states_.find(role); it != previous_->states_.end()) {
        previous = std::dynamic_pointer_cast<T>(it->second);
      }
    }
    std::shared_ptr<T> state = adopt(std::move(previous));
    states_[role] = state;
    return state;
  }

  // Obtain() for states that are adopted as they are: the previous one, else a new T.
  template <class T>
  std::shared_ptr<T> Obtain(const std::string& role) {
    return Obtain<T>(role, [](std::shared_ptr<T> previous) {
      return previous ? previous : std::make_shared<T>();
    });
  }

  // The state of `role` if this route has one of type T, else null.
  template <class T>
  std::shared_ptr<T> Find(const std::string& role) const {
    auto it = states_.find(role);
    return it == states_.end() ? nullptr : std::dynamic_pointer_cast<T>(it->second);
  }

  // Calls fn(const std::shared_ptr<StrategyState>&) for each state of this route.
  template <class Fn>
  void ForEachState(Fn&& fn) const {
    for (const auto& [role, state] : states_) fn(state);
  }

  // Ends the Compile: the previous state is no longer consulted.
  void Seal() { previous_ = nullptr; }

 private:
  const RouteState* previous_;
  std::map<std::string, std::shared_ptr<StrategyState>> states_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ROUTE_STATE_HPP_

// Logger: where the scheduler core reports what the operator must know and no reply can
// say (a route that had to refuse an account because its state is full). The plugin
// sends these to the host's log (`host.log`, level warn); a Policy compiled without one
// (tests, tools) logs nothing.
//
// Callers report a condition once per route state, not once per pick.
//
// Thread-safety: Warn() may be called from any thread, including inside a pick; it must
// not throw.
#ifndef CLIPROXY_SRC_SCHEDULER_LOGGER_HPP_
#define CLIPROXY_SRC_SCHEDULER_LOGGER_HPP_

#include <string_view>

namespace cliproxy::scheduler {

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Warn(std::string_view message) const noexcept = 0;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_LOGGER_HPP_

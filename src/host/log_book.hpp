// LogBook: the host's log, shared by the host and the callback handlers of its plugins
// (which may outlive a call into the host). A bounded deque plus an optional sink.
#ifndef CLIPROXY_SRC_HOST_LOG_BOOK_HPP_
#define CLIPROXY_SRC_HOST_LOG_BOOK_HPP_

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "cliproxy/host/log_entry.hpp"

namespace cliproxy::host::internal {

class LogBook {
 public:
  LogBook(size_t capacity, std::function<void(const LogEntry&)> sink)
      : capacity_(capacity), sink_(std::move(sink)) {}

  void Append(LogEntry entry);
  std::vector<LogEntry> Snapshot() const;

 private:
  const size_t capacity_;
  const std::function<void(const LogEntry&)> sink_;
  mutable std::mutex mu_;
  std::deque<LogEntry> entries_;  // guarded by mu_
};

}  // namespace cliproxy::host::internal

#endif  // CLIPROXY_SRC_HOST_LOG_BOOK_HPP_

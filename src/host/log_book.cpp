#include "host/log_book.hpp"

namespace cliproxy::host {

namespace internal {

void LogBook::Append(LogEntry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sink_) sink_(entry);
  if (capacity_ == 0) return;
  if (entries_.size() == capacity_) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

std::vector<LogEntry> LogBook::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {entries_.begin(), entries_.end()};
}

}  // namespace internal
}  // namespace cliproxy::host

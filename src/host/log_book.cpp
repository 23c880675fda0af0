#include "host/log_book.hpp"

namespace cliproxy::host {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "debug";
}

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

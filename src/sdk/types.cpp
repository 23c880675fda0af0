#include "cliproxy/types.hpp"

#include "cliproxy/text.hpp"

namespace cliproxy {

const Slice<std::string>* FindHeader(const HeaderMap& headers, std::string_view name) {
  for (const auto& [key, values] : headers) {
    if (EqualsAsciiFold(key, name)) return &values;
  }
  return nullptr;
}

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

LogLevel ParseLogLevel(std::string_view name) {
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (EqualsAsciiFold(name, LogLevelName(level))) return level;
  }
  return EqualsAsciiFold(name, "warning") ? LogLevel::kWarn : LogLevel::kDebug;
}

}  // namespace cliproxy

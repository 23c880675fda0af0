#include "simulate/simulate_time.hpp"

#include <cstdio>

namespace cpa_sched {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

}  // namespace

std::string FormatSimTime(int64_t ns) {
  bool negative = ns < 0;
  int64_t tenths = (negative ? -ns : ns) / (kNsPerSecond / 10);
  int64_t seconds = tenths / 10;
  char buffer[64];
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%lld.%llds", static_cast<long long>(seconds),
                  static_cast<long long>(tenths % 10));
  } else if (seconds < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02lld.%llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60), static_cast<long long>(tenths % 10));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm%02lld.%llds",
                  static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                  static_cast<long long>(seconds % 60), static_cast<long long>(tenths % 10));
  }
  return (negative ? "-" : "") + std::string(buffer);
}

}  // namespace cpa_sched

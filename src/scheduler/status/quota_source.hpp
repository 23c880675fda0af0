// QuotaSource: the hook through which the status page shows an account's quota windows
// (how much of each window is used, when it resets). The quota tracker (issue 12) plugs in
// here with StatusBoard::SetQuotaSource; until one is set, accounts show no windows.
//
// Thread-safety: Windows() is called by the page renderer, concurrently with picks and
// records; implementations read published state only (no lock a pick takes).
#ifndef CLIPROXY_SRC_SCHEDULER_STATUS_QUOTA_SOURCE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STATUS_QUOTA_SOURCE_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cliproxy::scheduler {

struct QuotaWindowStatus {
  std::string name;                      // "5h", "7d", "requests", ...
  std::optional<double> used;            // share used, 0..1
  std::optional<int64_t> reset_unix_ms;  // when the window starts afresh
  bool rejected = false;                 // the upstream refuses on this window now
};

class QuotaSource {
 public:
  virtual ~QuotaSource() = default;
  virtual std::vector<QuotaWindowStatus> Windows(std::string_view account_id,
                                                 int64_t now_unix_ms) const = 0;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STATUS_QUOTA_SOURCE_HPP_

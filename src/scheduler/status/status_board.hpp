// StatusBoard: what the plugin as a whole has done since it started, for the status page:
// decisions by kind and over time, usage records by account (with the cooldown their
// rate-limit headers announce), and the configuration history (generation in force, the
// last rejected configuration and why).
//
// Picks and records only increment atomics (RecordPick, RecordUsage); the configuration
// history, written by register/reconfigure and read by the page, is under a mutex no pick
// takes. Nothing secret is kept: of a usage record only its AuthID (an account ID), its
// failure status and its rate-limit headers' cooldown are read; of a rejected configuration
// only the key, line, column and the message without the values the operator wrote.
//
// Thread-safety: every method may be called concurrently.
#ifndef CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_BOARD_HPP_
#define CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_BOARD_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "cliproxy/types.hpp"
#include "scheduler/decision.hpp"
#include "scheduler/status/account_slots.hpp"
#include "scheduler/status/decision_timeline.hpp"

namespace cliproxy::scheduler {

class Policy;

class StatusBoard {
 public:
  static constexpr size_t kMaxRecordAccounts = 4096;

  // Per account, from its usage records.
  struct RecordSlot {
    std::string id;
    uint64_t hash = 0;
    std::atomic<uint64_t> records{0};
    std::atomic<uint64_t> failures{0};
    std::atomic<int64_t> cooldown_until_ms{0};  // Unix ms; 0: none announced
  };

  struct Totals {
    uint64_t picks = 0, auth = 0, delegate = 0, unhandled = 0, errors = 0, usage_records = 0;
  };

  struct ConfigHistory {
    uint64_t generation = 0;  // configurations accepted so far (the one in force is the last)
    int64_t accepted_at_ms = 0;
    uint64_t rejected = 0;  // configurations rejected so far
    int64_t rejected_at_ms = 0;
    std::string rejected_error;      // the last rejection, without the operator's values
    bool rejected_in_force = false;  // the last configuration received was the rejected one
  };

  StatusBoard();

  // A pick decided `decision` with `policy` (null before any register) at Unix time `now_ms`.
  void RecordPick(const Policy* policy, const Decision& decision, int64_t now_ms);
  void RecordUsage(const UsageRecord& record, int64_t now_ms);
  void ConfigAccepted(int64_t now_ms);
  // `error`: the problem as ReadConfigProblem reads it (key, line, column, what).
  void ConfigRejected(const std::string& error, int64_t now_ms);

  Totals totals() const;
  ConfigHistory config() const;
  int64_t started_ms() const { return started_ms_; }
  const DecisionTimeline& timeline() const { return timeline_; }
  const AccountSlots<RecordSlot>& record_accounts() const { return records_; }
  uint64_t other_record_accounts() const {
    return other_record_accounts_.load(std::memory_order_relaxed);
  }

 private:
  const int64_t started_ms_;
  std::atomic<uint64_t> by_kind_[4] = {};  // by Decision::Kind
  std::atomic<uint64_t> usage_records_{0};
  std::atomic<uint64_t> other_record_accounts_{0};
  DecisionTimeline timeline_;
  AccountSlots<RecordSlot> records_{kMaxRecordAccounts};

  mutable std::mutex mutex_;  // the page and reconfigures only
  ConfigHistory config_;      // guarded by mutex_
};

// Unix milliseconds now (the system clock).
int64_t UnixNowMs();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_BOARD_HPP_

#include "scheduler/status/status_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "cliproxy/json.hpp"
#include "scheduler/policy.hpp"

#ifndef CLIPROXY_SCHEDULER_VERSION
#error "CLIPROXY_SCHEDULER_VERSION must be defined by the build"
#endif

namespace cliproxy::scheduler {
namespace {

// Account rows per route in the JSON (the most picked; the rest are counted).
constexpr size_t kMaxAccountRows = 200;

// A small writer for one JSON object tree: commas and quoting.
class Writer {
 public:
  std::string out;

  void Open(char c) {
    Comma();
    out.push_back(c);
    first_ = true;
  }
  void Close(char c) {
    out.push_back(c);
    first_ = false;
  }
  void Key(std::string_view key) {
    Comma();
    json::AppendQuoted(&out, key);
    out.push_back(':');
    first_ = true;  // the value follows without a comma
  }
  void String(std::string_view s) {
    Comma();
    json::AppendQuoted(&out, s);
  }
  void Int(int64_t n) {
    Comma();
    out += std::to_string(n);
  }
  void Uint(uint64_t n) {
    Comma();
    out += std::to_string(n);
  }
  void Double(double d, int decimals) {
    Comma();
    if (!std::isfinite(d)) {
      out += "null";
      return;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, d);
    out += buf;
  }
  void Bool(bool b) {
    Comma();
    out += b ? "true" : "false";
  }
  void Null() {
    Comma();
    out += "null";
  }
  template <class T>
  void Field(std::string_view key, T value) {
    Key(key);
    if constexpr (std::is_same_v<T, bool>) {
      Bool(value);
    } else if constexpr (std::is_signed_v<T>) {
      Int(value);
    } else {
      Uint(value);
    }
  }
  void FieldString(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }

 private:
  void Comma() {
    if (!first_) out.push_back(',');
    first_ = false;
  }
  bool first_ = true;
};

const char* KindName(Decision::Kind kind) {
  switch (kind) {
    case Decision::Kind::kAuth:
      return "auth";
    case Decision::Kind::kDelegate:
      return "delegate";
    case Decision::Kind::kError:
      return "error";
    case Decision::Kind::kUnhandled:
      break;
  }
  return "unhandled";
}

struct AccountRow {
  const RouteCounters::AccountSlot* slot;
  uint64_t picks;
};

void WriteAccount(Writer& w, const AccountRow& row, uint64_t route_picks,
                  const Policy::RouteStatus& route, const StatusBoard& board,
                  Clock::time_point mono_now, int64_t now_ms) {
  w.Open('{');
  w.FieldString("id", row.slot->id);
  w.Field("picks", row.picks);
  w.Key("share");
  w.Double(route_picks == 0 ? 0.0 : static_cast<double>(row.picks) / route_picks, 4);
  w.Field("last_pick_ms", row.slot->last_pick_ms.load(std::memory_order_relaxed));
  AccountReading reading;
  for (const auto& state : route.states) state->ReadAccount(row.slot->hash, mono_now, &reading);
  w.Key("in_flight");
  reading.in_flight ? w.Int(*reading.in_flight) : w.Null();
  w.Key("window");
  if (reading.window_ms) {
    w.Open('{');
    w.Field("seconds", *reading.window_ms / 1000);
    w.Field("requests", reading.window_requests.value_or(0));
    w.Field("tokens", reading.window_tokens.value_or(0));
    w.Close('}');
  } else {
    w.Null();
  }
  w.Key("latency_ms");
  reading.latency_ms ? w.Double(*reading.latency_ms, 1) : w.Null();
  const StatusBoard::RecordSlot* records = board.record_accounts().Find(row.slot->id);
  w.Field("records", records ? records->records.load(std::memory_order_relaxed) : uint64_t{0});
  w.Field("failures", records ? records->failures.load(std::memory_order_relaxed) : uint64_t{0});
  const int64_t cooldown =
      records ? records->cooldown_until_ms.load(std::memory_order_relaxed) : int64_t{0};
  w.Key("cooldown_until_ms");
  cooldown > now_ms ? w.Int(cooldown) : w.Null();
  // Quota: what the route's quota state (headroom) learned from the rate-limit headers.
  w.Key("quota");
  w.Open('[');
  if (reading.quota_used || reading.quota_refused) {
    w.Open('{');
    w.FieldString("name", "rate-limit headers");
    w.Key("used");
    reading.quota_used ? w.Double(std::clamp(*reading.quota_used, 0.0, 1.0), 4) : w.Null();
    w.Key("reset_ms");
    reading.quota_reset_unix_ms ? w.Int(*reading.quota_reset_unix_ms) : w.Null();
    w.Field("rejected", reading.quota_refused);
    w.Close('}');
  }
  w.Close(']');
  w.Close('}');
}

void WriteRoute(Writer& w, const Policy::RouteStatus& route, const StatusBoard& board,
                Clock::time_point mono_now, int64_t now_ms, uint64_t* sessions, uint64_t* moves) {
  const RouteCounters& c = *route.counters;
  w.Open('{');
  w.FieldString("name", route.name);
  w.FieldString("strategy", route.strategy);
  const uint64_t auth = c.auth();
  w.Field("picks", auth + c.delegated() + c.passed() + c.errors());
  w.Field("auth", auth);
  w.Field("delegated", c.delegated());
  w.Field("passed", c.passed());
  w.Field("errors", c.errors());
  w.Key("error_codes");
  w.Open('[');
  c.error_codes().ForEach([&](const RouteCounters::ErrorSlot& e) {
    w.Open('{');
    w.FieldString("code", e.id);
    w.Field("count", e.count.load(std::memory_order_relaxed));
    w.Field("http_status", e.http_status.load(std::memory_order_relaxed));
    w.Close('}');
  });
  w.Close(']');
  const RouteCounters::LastDecision last = c.last();
  w.Key("last_decision");
  if (last.at_ms == 0) {
    w.Null();
  } else {
    w.Open('{');
    w.FieldString("kind", KindName(last.kind));
    w.FieldString("what", last.what);
    if (last.http_status > 0) w.Field("http_status", last.http_status);
    w.Field("at_ms", last.at_ms);
    w.Close('}');
  }
  uint64_t route_sessions = 0, route_moves = 0;
  for (const auto& state : route.states) {
    route_sessions += state->Sessions();
    route_moves += state->SessionMoves();
  }
  *sessions += route_sessions;
  *moves += route_moves;
  w.Field("sessions", route_sessions);
  w.Field("session_moves", route_moves);

  std::vector<AccountRow> rows;
  c.accounts().ForEach([&](const RouteCounters::AccountSlot& s) {
    rows.push_back({&s, s.picks.load(std::memory_order_relaxed)});
  });
  std::sort(rows.begin(), rows.end(), [](const AccountRow& a, const AccountRow& b) {
    return a.picks != b.picks ? a.picks > b.picks : a.slot->id < b.slot->id;
  });
  const uint64_t others = c.other_accounts();
  uint64_t route_picks = others;
  for (const AccountRow& r : rows) route_picks += r.picks;
  w.Field("other_accounts_picks", others);
  // The JSON stays bounded: the kMaxAccountRows most picked accounts one by one, the rest
  // as a count and their picks.
  const size_t shown = std::min(rows.size(), kMaxAccountRows);
  uint64_t omitted_picks = 0;
  for (size_t i = shown; i < rows.size(); ++i) omitted_picks += rows[i].picks;
  w.Field("accounts_total", static_cast<uint64_t>(rows.size()));
  w.Field("accounts_omitted", static_cast<uint64_t>(rows.size() - shown));
  w.Field("accounts_omitted_picks", omitted_picks);
  w.Key("accounts");
  w.Open('[');
  for (size_t i = 0; i < shown; ++i) {
    WriteAccount(w, rows[i], route_picks, route, board, mono_now, now_ms);
  }
  w.Close(']');
  w.Close('}');
}

}  // namespace

std::string RenderStatusJson(const StatusBoard& board, const Policy* policy, int64_t now_ms) {
  const Clock::time_point mono_now = Clock::now();
  Writer w;
  w.out.reserve(4096);
  w.Open('{');

  w.Key("plugin");
  w.Open('{');
  w.FieldString("name", "scheduler");
  w.FieldString("version", CLIPROXY_SCHEDULER_VERSION);
  w.Field("started_ms", board.started_ms());
  w.Field("now_ms", now_ms);
  w.Close('}');

  const StatusBoard::ConfigHistory config = board.config();
  w.Key("config");
  w.Open('{');
  w.Field("generation", config.generation);
  w.Field("accepted_ms", config.accepted_at_ms);
  w.Field("fails_closed", policy != nullptr && policy->fails_closed());
  w.Field("configured", policy != nullptr);
  w.Field("rejected_count", config.rejected);
  w.Key("last_rejected");
  if (config.rejected == 0) {
    w.Null();
  } else {
    w.Open('{');
    w.FieldString("error", config.rejected_error);
    w.Field("at_ms", config.rejected_at_ms);
    w.Field("latest", config.rejected_in_force);
    w.Close('}');
  }
  w.Close('}');

  const StatusBoard::Totals t = board.totals();
  w.Key("counters");
  w.Open('{');
  w.Field("picks", t.picks);
  w.Field("auth", t.auth);
  w.Field("delegate", t.delegate);
  w.Field("unhandled", t.unhandled);
  w.Field("errors", t.errors);
  w.Field("usage_records", t.usage_records);
  w.Field("record_accounts", static_cast<uint64_t>(board.record_accounts().size()));
  w.Close('}');

  uint64_t sessions = 0, moves = 0;
  w.Key("routes");
  w.Open('[');
  if (policy != nullptr) {
    for (const Policy::RouteStatus& route : policy->StatusOfRoutes()) {
      WriteRoute(w, route, board, mono_now, now_ms, &sessions, &moves);
    }
  }
  w.Close(']');

  w.Key("sessions");
  w.Open('{');
  w.Field("count", sessions);
  w.Field("moves", moves);
  w.Close('}');

  w.Key("timeline");
  w.Open('{');
  w.Field("bucket_seconds", DecisionTimeline::kBucketSeconds);
  w.Key("buckets");
  w.Open('[');
  for (const DecisionTimeline::Bucket& b : board.timeline().Read(now_ms)) {
    w.Open('[');
    w.Int(b.start_s);
    w.Uint(b.auth);
    w.Uint(b.delegate);
    w.Uint(b.unhandled);
    w.Uint(b.errors);
    w.Close(']');
  }
  w.Close(']');
  w.Key("columns");
  w.Open('[');
  for (const char* column : {"start_s", "auth", "delegate", "unhandled", "errors"})
    w.String(column);
  w.Close(']');
  w.Close('}');

  w.Close('}');
  return std::move(w.out);
}

}  // namespace cliproxy::scheduler

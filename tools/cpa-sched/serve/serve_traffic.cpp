#include "serve/serve_traffic.hpp"

#include <fstream>

#include "cliproxy/json.hpp"
#include "cliproxy/text.hpp"

namespace cpa_sched {

using cliproxy::host::Status;

namespace {

// Calls each(line, number) for every line of `path` that carries a body.
template <class Fn>
Status ForEachBody(const std::string& path, Fn each) {
  if (path.empty()) return Status();
  std::ifstream in(path);
  if (!in) return Status::Error(path + ": cannot read");
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string_view body = cliproxy::TrimSpace(line);
    if (body.empty() || body.front() == '#') continue;
    if (Status s = each(body, number); !s)
      return Status::Error(path + ":" + std::to_string(number) + ": " + s.message());
  }
  return Status();
}

}  // namespace

Status SendTraffic(cliproxy::host::PluginHost& host, const std::string& picks_path,
                   const std::string& usage_path, TrafficSent* sent) {
  Status picks = ForEachBody(picks_path, [&](std::string_view body, int) {
    cliproxy::PickRequest request;
    if (auto s =
            cliproxy::json::DecodePickRequest(body, &request, cliproxy::json::PickFields::All());
        !s) {
      return Status::Error(s.message);
    }
    cliproxy::host::PickOutcome outcome = host.Pick(request);
    ++sent->picks;
    if (!outcome.ok()) ++sent->failed_picks;
    return Status();
  });
  if (!picks) return picks;
  return ForEachBody(usage_path, [&](std::string_view body, int) {
    cliproxy::UsageRecord record;
    if (auto s = cliproxy::json::DecodeUsageRecord(body, &record); !s)
      return Status::Error(s.message);
    host.DeliverUsage(record);
    ++sent->records;
    return Status();
  });
}

}  // namespace cpa_sched

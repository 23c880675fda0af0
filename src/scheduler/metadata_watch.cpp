#include "scheduler/metadata_watch.hpp"

namespace cliproxy::scheduler {
namespace {

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

MetadataWatch::MetadataWatch(std::map<std::string, std::vector<std::string>> routes_by_key,
                             std::string no_route)
    : routes_by_key_(std::move(routes_by_key)), no_route_(std::move(no_route)) {}

std::optional<MetadataWatch::Report> MetadataWatch::Observe(const PickRequest& request) {
  if (picks_.load(std::memory_order_acquire) >= kPicks) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  const int seen = picks_.load(std::memory_order_relaxed);
  if (seen >= kPicks) return std::nullopt;
  for (const auto& [key, value] : request.options.metadata) {
    if (value.kind == AnyValue::Kind::kNull) continue;
    std::string name = key.substr(0, kMaxKeyLength);
    if (sent_.size() >= kMaxSentKeys && sent_.count(name) == 0) continue;
    sent_.insert(std::move(name));
  }
  picks_.store(seen + 1, std::memory_order_release);
  if (seen + 1 < kPicks) return std::nullopt;

  Report report;
  std::vector<std::string> routes;
  for (const auto& [key, users] : routes_by_key_) {
    if (sent_.count(key) != 0) continue;
    report.missing.push_back(key);
    for (const std::string& r : users) routes.push_back(r);
  }
  if (report.missing.empty()) return std::nullopt;
  report.sent.assign(sent_.begin(), sent_.end());
  const bool one = report.missing.size() == 1;
  report.message = "scheduler: routes match on request metadata key" +
                   std::string(one ? " " : "s ") + Joined(report.missing) + " (" + Joined(routes) +
                   "), but the host sent " + (one ? "it" : "them") + " in none of the first " +
                   std::to_string(kPicks) + " picks; it sends " +
                   (report.sent.empty() ? std::string("no metadata") : Joined(report.sent)) +
                   ". These routes never match on this host: " + no_route_ + ".";
  if (routes_by_key_.count("caller_scope") != 0 && sent_.count("caller_scope") == 0) {
    report.message +=
        " CLIProxyAPI v7.2.140 sends caller_scope, v7.1.57 does not (see the README's "
        "compatibility table).";
  }
  return report;
}

}  // namespace cliproxy::scheduler

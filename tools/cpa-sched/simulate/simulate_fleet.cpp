#include "simulate/simulate_fleet.hpp"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace cpa_sched {
namespace {

using cliproxy::host::Status;

std::string TempRoot() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

}  // namespace

PluginCopies::~PluginCopies() {
  if (dir_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

Status PluginCopies::Make(const std::string& plugin, int instances) {
  paths_ = {plugin};
  if (instances <= 1) return {};
  std::string pattern = TempRoot() + "/cpa-sched-fleet.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::Error("cannot create a temporary directory under " + TempRoot());
  }
  dir_ = pattern;
  const std::string name = std::filesystem::path(plugin).filename().string();
  for (int i = 1; i < instances; ++i) {
    const std::string copy = dir_ + "/" + std::to_string(i) + "/" + name;
    std::error_code error;
    std::filesystem::create_directory(dir_ + "/" + std::to_string(i), error);
    if (!error) std::filesystem::copy_file(plugin, copy, error);
    if (error) {
      return Status::Error("cannot copy " + plugin + " for instance " + std::to_string(i + 1) +
                           " into " + dir_ + ": " + error.message());
    }
    paths_.push_back(copy);
  }
  return {};
}

Status PluginFleet::Load(const std::vector<std::string>& paths, const std::string& id,
                         const cliproxy::host::HostOptions& options,
                         const cliproxy::host::PluginSettings& settings) {
  id_ = id;
  for (size_t i = 0; i < paths.size(); ++i) {
    auto host = std::make_unique<cliproxy::host::PluginHost>(options);
    Status loaded = host->Load(id, paths[i], settings);
    hosts_.push_back(std::move(host));
    if (!loaded) {
      return Status::Error("instance " + std::to_string(i + 1) + ": " + loaded.message());
    }
  }
  return {};
}

PluginFleet::~PluginFleet() {
  for (auto& host : hosts_) host->Unload(id_);
}

std::vector<cliproxy::host::PluginHost*> PluginFleet::hosts() const {
  std::vector<cliproxy::host::PluginHost*> out;
  for (const auto& host : hosts_) out.push_back(host.get());
  return out;
}

std::vector<cliproxy::host::PluginInfo> PluginFleet::Infos() const {
  std::vector<cliproxy::host::PluginInfo> out;
  for (const auto& host : hosts_) {
    if (auto info = host->Info(id_)) out.push_back(*info);
  }
  return out;
}

void PluginFleet::Exchange() {
  ++exchanges_;
  if (failed_rounds_ >= kMaxFailedRounds) {
    unsynced_ += static_cast<int64_t>(hosts_.size());
    return;
  }
  bool failed = false;
  for (const auto& host : hosts_) {
    std::optional<cliproxy::host::CallReply> reply = host->Call(id_, "scheduler.state.sync", "{}");
    // The reply names the store (and Redis's address): read for the flag only, never shown.
    if (!reply || reply->body.find("\"Synced\":true") == std::string::npos) {
      ++unsynced_;
      failed = true;
    }
  }
  failed_rounds_ = failed ? failed_rounds_ + 1 : 0;
}

}  // namespace cpa_sched

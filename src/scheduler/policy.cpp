#include "scheduler/policy.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr const char* kDeniedMessage = "scheduler pick denied by plugin configuration";

bool IsBuiltin(const std::string& delegate) {
  return delegate == "fill-first" || delegate == "round-robin";
}

}  // namespace

std::shared_ptr<const Policy> Policy::Compile(const Config& config, const Policy* /*previous*/) {
  std::shared_ptr<Policy> policy(new Policy(config));
  // The reference keys read only candidate IDs.
  json::PickFields& f = policy->fields_;
  f.plugin = false;
  f.providers = false;
  f.headers = false;
  f.request_metadata = false;
  f.candidate_attributes = false;
  f.candidate_metadata = false;
  return policy;
}

Decision Policy::Pick(const PickRequest& request) const {
  if (config_.deny) {
    PluginError error;
    error.code = "scheduler_denied";
    error.message = kDeniedMessage;
    return Decision::Error(std::move(error), "deny");
  }
  if (!config_.delegate.empty()) {
    if (IsBuiltin(config_.delegate)) return Decision::Delegate(config_.delegate, "delegate");
    return Decision::Unhandled("delegate");
  }
  if (!config_.auth_id.empty()) {
    for (const Candidate& c : request.candidates) {
      if (c.id == config_.auth_id) return Decision::Auth(c.id, "auth_id");
    }
  }
  return Decision::Unhandled();
}

}  // namespace cliproxy::scheduler

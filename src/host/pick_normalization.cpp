// NormalizePickResult: CLIProxyAPI's checks of a scheduler.pick result.
#include "cliproxy/host/pick_normalization.hpp"
#include "cliproxy/text.hpp"

namespace cliproxy::host {

NormalizedPick NormalizePickResult(const PickResult& result, const Slice<Candidate>& candidates) {
  NormalizedPick out;
  if (!result.handled) return out;  // kUnhandled
  std::string_view auth_id = TrimSpace(result.auth_id);
  std::string_view delegate = TrimSpace(result.delegate_builtin);
  out.kind = NormalizedPick::Kind::kInvalid;
  if (auth_id.empty() && delegate.empty()) {
    out.reason = kReasonMissing;
    return out;
  }
  if (!auth_id.empty()) {
    for (const Candidate& candidate : candidates) {
      if (TrimSpace(candidate.id) == auth_id) {
        out.kind = NormalizedPick::Kind::kAuth;
        out.auth_id = candidate.id;
        return out;
      }
    }
    out.reason = kReasonUnknownAuth;
    return out;
  }
  if (std::optional<BuiltinStrategy> strategy = ParseBuiltinStrategy(delegate)) {
    out.kind = NormalizedPick::Kind::kDelegate;
    out.delegate = *strategy;
    return out;
  }
  out.reason = kReasonUnknownDelegate;
  return out;
}

}  // namespace cliproxy::host

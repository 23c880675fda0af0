// cliproxy/host/pick_normalization.hpp -- what the host makes of a plugin's scheduler.pick result.
//
// CLIProxyAPI's normalization (WIRE.md §4), as a pure function of the decoded result and
// the candidates the plugin was offered:
//   1. Handled:false -> unhandled.
//   2. Trim (Go's TrimSpace) AuthID and DelegateBuiltin.
//   3. Neither set -> invalid, "missing auth id or delegate".
//   4. AuthID set -> it must equal the trimmed ID of a candidate (the first such candidate
//      is chosen, with its ID as offered), else invalid, "unknown auth id". A valid AuthID
//      wins whatever DelegateBuiltin says; an unknown one is invalid even beside a valid
//      delegate.
//   5. Otherwise DelegateBuiltin must be exactly "fill-first" or "round-robin", else
//      invalid, "unknown delegate".
// The host logs an invalid result with its reason and treats it as unhandled.
//
// Thread-safety: a pure function.
#ifndef CLIPROXY_HOST_PICK_NORMALIZATION_HPP_
#define CLIPROXY_HOST_PICK_NORMALIZATION_HPP_

#include <string>

#include "cliproxy/host/builtin_scheduler.hpp"
#include "cliproxy/types.hpp"

namespace cliproxy::host {

struct NormalizedPick {
  enum class Kind { kAuth, kDelegate, kUnhandled, kInvalid };
  Kind kind = Kind::kUnhandled;
  std::string auth_id;                                     // kAuth: the candidate's ID
  BuiltinStrategy delegate = BuiltinStrategy::kFillFirst;  // kDelegate
  std::string reason;                                      // kInvalid: why
};

// The reasons of an invalid result, as CLIProxyAPI words them.
inline constexpr std::string_view kReasonMissing = "missing auth id or delegate";
inline constexpr std::string_view kReasonUnknownAuth = "unknown auth id";
inline constexpr std::string_view kReasonUnknownDelegate = "unknown delegate";

NormalizedPick NormalizePickResult(const PickResult& result, const Slice<Candidate>& candidates);

}  // namespace cliproxy::host

#endif  // CLIPROXY_HOST_PICK_NORMALIZATION_HPP_

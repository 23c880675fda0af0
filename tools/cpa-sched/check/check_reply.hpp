// The conformance rules a plugin's replies are judged by (WIRE.md §2-4, CLIProxyAPI's
// host). Stricter than the host where the host is lenient by accident rather than by
// contract: a reply that the host happens to accept but that the contract does not allow
// (a pick result without `DelegateBuiltin`, a key in the wrong case) fails here, with the
// reason spelled out.
//
// Every function returns the problem as a sentence, or "" when the reply conforms.
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_CHECK_REPLY_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_CHECK_REPLY_HPP_

#include <string>
#include <vector>

#include "cliproxy/host/plugin_library.hpp"
#include "cliproxy/types.hpp"

namespace cpa_sched {

// One envelope, read strictly: a JSON object with a boolean `ok`; `ok:true` with return
// code 0 (`result`, if present, is kept raw); `ok:false` with an `error` object whose
// `code` is a non-empty string and `message` a string, `retryable` (if present) a boolean
// and `http_status` (if present) an integer.
struct CheckedEnvelope {
  bool ok = false;
  std::string result;  // raw JSON of `result`; empty if absent
  cliproxy::PluginError error;
};
std::string CheckEnvelope(const cliproxy::host::CallReply& reply, CheckedEnvelope* out);

// A scheduler.pick reply to `request`: a conforming envelope; an error envelope is a valid
// reply (the pick fails); a result is an object with all three keys, spelled exactly,
// `AuthID` and `DelegateBuiltin` strings and `Handled` a boolean; `Handled:true` must
// normalize (WIRE.md §4): AuthID a candidate's ID, or DelegateBuiltin fill-first or
// round-robin.
enum class PickReplyKind { kAuth, kDelegate, kUnhandled, kError };
std::string CheckPickReply(const cliproxy::host::CallReply& reply,
                           const cliproxy::PickRequest& request, PickReplyKind* kind);

// A plugin.register / plugin.reconfigure reply: ok, return code 0, a result that decodes as
// a registration, schema_version an integer from 0 to the host's (6), Name, Version,
// Author and GitHubRepository non-empty after trimming, capability keys spelled exactly
// with values of the right kind, and at least one flag CLIProxyAPI counts set to true
// (host::CountsAsCapability).
struct RegistrationFacts {
  cliproxy::Registration registration;
  std::vector<std::string> capabilities;  // counted flags set to true, in encoding order
  std::vector<std::string> unknown;       // keys this checker does not know (ignored)
  std::string result;                     // raw JSON of the result
};
std::string CheckRegistrationReply(const cliproxy::host::CallReply& reply,
                                   RegistrationFacts* facts);

// The ConfigFields of a registration result (raw JSON): null/absent, or an array of objects
// with a non-empty, unique `Name`, a `Type` among string, number, integer, boolean, enum,
// array, object; an enum has a non-empty `EnumValues` array of strings. `summary` lists the
// fields ("auth_id string, delegate enum(3)").
std::string CheckConfigFields(const std::string& result, std::string* summary);

// An error envelope (strictly, as CheckEnvelope) with `ok:false`; any return code. On
// success `*error` is the error.
std::string CheckErrorReply(const cliproxy::host::CallReply& reply, cliproxy::PluginError* error);

// At most `limit` bytes of `body`, for messages.
std::string Excerpt(const std::string& body, size_t limit = 120);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_CHECK_REPLY_HPP_

// cliproxy/json.hpp -- the JSON codec for the wire types, with Go's encoding/json semantics.
//
// CLIProxyAPI and its reference plugins are Go programs; both ends of the wire use Go's
// `encoding/json`. To answer exactly as they do, decoding here follows Go's rules:
//   - object keys match field names case-insensitively (Go's folding), the last duplicate
//     wins, unknown keys are ignored;
//   - `null` leaves a string, number, bool or struct untouched and resets a map or slice;
//   - a duplicate key decodes *into* what the first one filled (maps gain keys, slices
//     decode into their existing elements), as Go does;
//   - a wrong type anywhere fails the whole value; trailing data after the value fails;
//     so do a NUL byte anywhere and nesting deeper than 10000 (Go's scanner limits);
//   - invalid UTF-8 in strings becomes U+FFFD, as do lone surrogate escapes;
//   - an `any` (AnyValue) keeps what Go would write back after decoding it: numbers as
//     float64 ("1.0" -> "1", "1e21" -> "1e+21"), objects with sorted keys and the last
//     duplicate, strings escaped as below.
// Encoding follows Go's json.Marshal: fields in declaration order, map keys sorted
// bytewise, nil maps and slices as `null`, `<`, `>`, `&`, U+2028 and U+2029 escaped as
// \uXXXX, \b \f \n \r \t short, other control characters as \u00XX, invalid UTF-8 as
// \ufffd.
// Numbers convert as Go's strconv does (correctly rounded; a magnitude below the smallest
// float64 is 0). Known differences from Go: a number too large for a float64 (1e400) is a
// syntax error even where Go would skip it (an unknown key); "-0" read into an `any` is
// written "0"; syntax errors are worded as "invalid JSON at byte N: <what>", not as Go's
// scanner words them.
//
// How (src/sdk/): simdjson, a maintained and continuously fuzzed parser, reads a text first
// (the fast path); a text it refuses, or whose decode fails, is read again by the project's
// own iterative reader (json_reader.hpp), whose outcome is the contract. Both feed one
// handler that writes straight into the wire structs; fuzz/json_paths_fuzzer checks that
// the two paths agree.
//
// Thread-safety: every function is reentrant; none keeps state.
#ifndef CLIPROXY_JSON_HPP_
#define CLIPROXY_JSON_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cliproxy/types.hpp"

namespace cliproxy::json {

// The outcome of a decode: empty `message` means success.
struct DecodeStatus {
  std::string message;
  bool ok() const { return message.empty(); }
  explicit operator bool() const { return ok(); }
};

// Which parts of a pick request the caller will read. Parts not wanted are still
// type-checked (a wrong type anywhere fails the pick, as in Go) but are not stored.
struct PickFields {
  bool plugin = false;
  bool providers = true;
  bool headers = true;
  bool request_metadata = true;
  bool candidate_provider = true;
  bool candidate_status = true;
  bool candidate_attributes = true;
  bool candidate_metadata = true;

  static PickFields All() {
    PickFields f;
    f.plugin = true;
    return f;
  }
  // The candidates' IDs and priorities only: what a policy reads before its routes add theirs.
  static PickFields CandidateIds() {
    PickFields f;
    f.providers = false;
    f.headers = false;
    f.request_metadata = false;
    f.candidate_provider = false;
    f.candidate_status = false;
    f.candidate_attributes = false;
    f.candidate_metadata = false;
    return f;
  }
};

// --- decoding (requests the plugin receives, replies the host receives) ---------------

// A scheduler.pick body. `null` and `{}` decode to an empty request; an empty body fails.
DecodeStatus DecodePickRequest(std::string_view body, PickRequest* out,
                               const PickFields& want = PickFields{});

// A plugin.register / plugin.reconfigure body. `config_yaml` is Go's []byte: a strict,
// padded, standard-alphabet base64 string (newlines ignored), or an array of bytes, or
// null. An empty body (length 0) is an empty request.
DecodeStatus DecodeLifecycleRequest(std::string_view body, LifecycleRequest* out);

DecodeStatus DecodeUsageRecord(std::string_view body, UsageRecord* out);

// A host.log body, as the host reads it. `null` is an empty request; an empty body fails.
DecodeStatus DecodeLogRequest(std::string_view body, LogRequest* out);

// management.register: the request (an empty body is an empty request) and the reply's
// result; management.handle: the request (`Body` as Go's []byte) and the reply's result.
DecodeStatus DecodeManagementRegistrationRequest(std::string_view body,
                                                 ManagementRegistrationRequest* out);
DecodeStatus DecodeManagementRegistration(std::string_view result, ManagementRegistration* out);
DecodeStatus DecodeManagementRequest(std::string_view body, ManagementRequest* out);
DecodeStatus DecodeManagementResponse(std::string_view result, ManagementResponse* out);

// An envelope as the host reads it. `result` is the raw JSON of the result (may be empty).
struct Envelope {
  bool ok = false;
  std::string result;
  bool has_error = false;
  PluginError error;
};
DecodeStatus DecodeEnvelope(std::string_view body, Envelope* out);
DecodeStatus DecodeRegistration(std::string_view result, Registration* out);
DecodeStatus DecodePickResult(std::string_view result, PickResult* out);
DecodeStatus DecodeExplanation(std::string_view result, Explanation* out);

// --- encoding ---------------------------------------------------------------------------

std::string EncodePickRequest(const PickRequest& request);
// The same bytes as EncodePickRequest of a copy of `request` whose `plugin` is `plugin`
// (what a host sends each plugin), without copying the request; `request.plugin` is unused.
std::string EncodePickRequest(const PickRequest& request, const PluginMetadata& plugin);
std::string EncodeLifecycleRequest(const LifecycleRequest& request);  // base64s config_yaml
std::string EncodeUsageRecord(const UsageRecord& record);
std::string EncodeRegistration(const Registration& registration);
std::string EncodePickResult(const PickResult& result);
// {"Decision":{...},"Rule":"..."[,"Error":{...}][,"ConfigError":"..."]}
std::string EncodeExplanation(const Explanation& explanation);
// {"level":...,"message":...[,"fields":{...}]}: `fields` is left out when empty.
std::string EncodeLogRequest(const LogRequest& request);
// {"Plugin":{...},"BasePath":...,"ResourceBasePath":...}
std::string EncodeManagementRegistrationRequest(const ManagementRegistrationRequest& request);
// {"routes":[{"Method","Path"[,"Menu"][,"Description"]}],"resources":[{"Path"[,"Menu"]
// [,"Description"]}]}: empty lists, menus and descriptions are left out.
std::string EncodeManagementRegistration(const ManagementRegistration& registration);
// Bodies are base64 (Go's []byte); an empty body is `null`; `host_callback_id` is left out
// when empty.
std::string EncodeManagementRequest(const ManagementRequest& request);
std::string EncodeManagementResponse(const ManagementResponse& response);

// --- capabilities ---------------------------------------------------------------------

// Every key of a registration's `capabilities` object, as spelled on the wire, in the
// order the encoder writes them, with the kind of value it takes.
enum class CapabilityKind { kFlag, kString, kStringList };
struct CapabilityKey {
  std::string_view name;
  CapabilityKind kind;
};
const std::vector<CapabilityKey>& CapabilityKeys();

// The keys of the flags set in `capabilities`, in encoding order.
std::vector<std::string_view> SetCapabilityFlags(const Capabilities& capabilities);

// {"ok":true,"result":<result_json>}; `result_json` must be valid JSON.
std::string OkEnvelope(std::string_view result_json);
// {"ok":false,"error":{"code":...,"message":...[,"retryable":...][,"http_status":N]}}
std::string ErrorEnvelope(const PluginError& error);

// A JSON string literal of `s`, escaped as Go's encoder does (with quotes).
std::string Quote(std::string_view s);
void AppendQuoted(std::string* out, std::string_view s);

}  // namespace cliproxy::json

#endif  // CLIPROXY_JSON_HPP_

// cliproxy/types.hpp -- the typed wire structures of the CLIProxyAPI plugin protocol.
//
// One struct per JSON object of WIRE.md. Field names follow the domain; the JSON spellings
// (snake_case for envelopes and registration, Go field names for pluginapi types) live in
// the codec (cliproxy/json.hpp), never here.
//
// Go distinguishes a nil map or slice (encoded `null`) from an empty one (`{}`/`[]`). The
// containers below keep that distinction so that a host built on them sends exactly what
// CLIProxyAPI sends.
//
// Thread-safety: plain values; the usual rules for standard containers apply.
#ifndef CLIPROXY_TYPES_HPP_
#define CLIPROXY_TYPES_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cliproxy {

// A Go slice: a vector that remembers whether it was nil (`null`) or merely empty.
template <class T>
struct Slice : std::vector<T> {
  using std::vector<T>::vector;
  // True when the slice is empty but not nil (`[]` rather than `null`).
  bool empty_not_null = false;
  bool is_null() const { return this->empty() && !empty_not_null; }
};

// A Go map with string keys, stored flat in insertion order (small maps, fast scans).
// `Set` replaces an existing key, as assigning to a Go map does. Encoders sort keys.
template <class V>
struct FlatMap {
  std::vector<std::pair<std::string, V>> entries;
  // True when the map is empty but not nil.
  bool empty_not_null = false;

  bool is_null() const { return entries.empty() && !empty_not_null; }
  bool empty() const { return entries.empty(); }
  size_t size() const { return entries.size(); }
  auto begin() const { return entries.begin(); }
  auto end() const { return entries.end(); }

  const V* Find(std::string_view key) const {
    for (const auto& [k, v] : entries) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  V& Set(std::string key, V value) {
    for (auto& [k, v] : entries) {
      if (k == key) return v = std::move(value);
    }
    entries.emplace_back(std::move(key), std::move(value));
    return entries.back().second;
  }
  void Clear() {
    entries.clear();
    empty_not_null = false;
  }
};

// A JSON value of unknown shape (Go `any`). Strings are kept decoded; every other kind is
// kept as compact JSON text.
struct AnyValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  std::string text;  // decoded string for kString, compact JSON text otherwise

  static AnyValue String(std::string s) { return {Kind::kString, std::move(s)}; }
  bool operator==(const AnyValue&) const = default;
};

using StringMap = FlatMap<std::string>;         // map[string]string
using HeaderMap = FlatMap<Slice<std::string>>;  // http.Header
using AnyMap = FlatMap<AnyValue>;               // map[string]any

// Case-insensitive header lookup (HTTP header names are case-insensitive).
const Slice<std::string>* FindHeader(const HeaderMap& headers, std::string_view name);

// --- Registration (plugin.register / plugin.reconfigure reply) --------------------------

struct ConfigField {
  std::string name;
  std::string type;  // string | number | integer | boolean | enum | array | object
  Slice<std::string> enum_values;
  std::string description;
};

struct PluginMetadata {
  std::string name;
  std::string version;
  std::string author;
  std::string github_repository;
  std::string logo;
  Slice<ConfigField> config_fields;
};

// What a plugin serves (CLIProxyAPI's rpcCapabilities, v7.3.x). A plugin sets only what it
// implements; the codec writes only the members that are set (Go's omitempty).
struct Capabilities {
  bool scheduler = false;
  bool usage_plugin = false;
  bool request_lifecycle_plugin = false;
  bool management_api = false;
  bool model_registrar = false;
  bool model_provider = false;
  bool auth_provider = false;
  bool frontend_auth_provider = false;
  bool frontend_auth_provider_exclusive = false;  // honoured only with frontend_auth_provider
  bool model_router = false;
  bool executor = false;
  std::string executor_model_scope;  // both | static | oauth
  Slice<std::string> executor_input_formats;
  Slice<std::string> executor_output_formats;
  bool request_translator = false;
  bool request_normalizer = false;
  bool request_interceptor = false;
  bool outbound_header_interceptor = false;
  bool response_translator = false;
  bool response_before_translator = false;
  bool response_after_translator = false;
  bool response_interceptor = false;
  bool response_stream_interceptor = false;
  bool thinking_applier = false;
  bool command_line_plugin = false;
  bool quota_provider = false;               // v7.3.x: quota.* methods
  bool scheduler_across_priorities = false;  // v7.3.7+: picks see every priority tier
};

struct Registration {
  int64_t schema_version = 0;  // 0 or missing means 1
  PluginMetadata metadata;
  Capabilities capabilities;
};

// --- Lifecycle request ----------------------------------------------------------------

struct LifecycleRequest {
  std::string config_yaml;  // the decoded bytes of the base64 `config_yaml`
  int64_t schema_version = 0;
};

// --- scheduler.pick -------------------------------------------------------------------

struct Candidate {
  std::string id;
  std::string provider;
  int64_t priority = 0;
  std::string status;
  StringMap attributes;
  AnyMap metadata;
};

struct PickOptions {
  HeaderMap headers;
  AnyMap metadata;
};

struct PickRequest {
  PluginMetadata plugin;
  std::string provider;
  Slice<std::string> providers;
  std::string model;
  bool stream = false;
  PickOptions options;
  Slice<Candidate> candidates;
};

struct PickResult {
  std::string auth_id;
  std::string delegate_builtin;
  bool handled = false;
  bool operator==(const PickResult&) const = default;
};

// --- Envelopes ------------------------------------------------------------------------

// The `error` object of an error envelope.
struct PluginError {
  std::string code;
  std::string message;
  bool retryable = false;
  bool has_retryable = false;  // emit `retryable` only when set
  int http_status = 0;         // emitted only when > 0
};

// --- scheduler.explain (an extension method of scheduler.so) ------------------------------

// Which rule or route would decide a pick now, and what the pick would answer.
struct Explanation {
  PickResult decision;        // "Decision": what scheduler.pick would answer
  bool has_decision = false;  // set by the decoder when "Decision" is an object
  std::string rule;           // "Rule": "routes[0] team-a", "deny", ...; "" when nothing matched
  PluginError error;          // "Error": when the pick would answer an error ...
  bool has_error = false;     // ... which is when this is set (else "Error" is left out)
  std::string config_error;   // "ConfigError": the last rejected configuration ("" when none)
};

// --- usage.handle ---------------------------------------------------------------------

struct UsageFailure {
  int64_t status_code = 0;
  std::string body;
};

struct UsageDetail {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t reasoning_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_creation_tokens = 0;
  int64_t total_tokens = 0;
};

struct UsageRecord {
  std::string provider;
  std::string executor_type;
  std::string model;
  std::string alias;
  std::string api_key;
  std::string auth_id;
  std::string auth_index;
  std::string auth_type;
  std::string source;
  std::string reasoning_effort;
  std::string service_tier;
  bool generate = false;
  std::string requested_at;  // RFC 3339, as Go encodes time.Time
  int64_t latency_ns = 0;    // Go time.Duration
  int64_t ttft_ns = 0;
  bool failed = false;
  UsageFailure failure;
  UsageDetail detail;
  HeaderMap response_headers;
};

// --- management_api: management.register / management.handle ---------------------------
// Go's pluginapi types (sdk/pluginapi/types.go) without json tags, so the keys are their
// field names; only the registration reply's two lists are lower-case (`routes`,
// `resources`). Paths: a route lives under the host's Management API (`BasePath`,
// "/v0/management", authenticated by the management key); a resource is a browser page
// under `ResourceBasePath` ("/v0/resource/plugins/<plugin id>", not authenticated) and is
// listed in the management UI's menu by its `Menu`.

// What the host tells a plugin when it asks for its routes.
struct ManagementRegistrationRequest {
  PluginMetadata plugin;
  std::string base_path;           // "/v0/management"
  std::string resource_base_path;  // "/v0/resource/plugins/<plugin id>"
};

// One Management API route. `path` is exact (relative paths resolve under base_path). A GET
// route with a `menu` is taken by the host as a (legacy) resource instead.
struct ManagementRoute {
  std::string method;  // GET, POST, ...; empty means GET
  std::string path;
  std::string menu;
  std::string description;
};

// One browser-navigable resource (always GET), shown in the management UI menu by `menu`.
struct ResourceRoute {
  std::string path;  // exact; relative paths resolve under resource_base_path
  std::string menu;
  std::string description;
};

// The management.register reply.
struct ManagementRegistration {
  Slice<ManagementRoute> routes;
  Slice<ResourceRoute> resources;
};

using QueryMap = FlatMap<Slice<std::string>>;  // url.Values

// One request to a route or resource (management.handle). `path` is the full URL path the
// client asked for (e.g. "/v0/management/plugins/scheduler/status"); `headers` are the
// client's, `Authorization` included: never log or show them.
struct ManagementRequest {
  std::string method;
  std::string path;
  HeaderMap headers;
  QueryMap query;
  std::string body;              // the raw bytes (base64 on the wire)
  std::string host_callback_id;  // set by hosts that accept callbacks during the call
};

// The management.handle reply. A status of 0 means 200.
struct ManagementResponse {
  int64_t status_code = 0;
  HeaderMap headers;
  std::string body;  // the raw bytes (base64 on the wire)
};

// --- host.log (a plugin's callback into the host) ---------------------------------------

// The levels of host.log, the one name map for the SDK (which sends them) and the host
// (which reads them).
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };
// "trace", "debug", "info", "warn", "error".
std::string_view LogLevelName(LogLevel level);
// A level as the host reads it: the names above in any case, and "warning"; anything else
// is kDebug.
LogLevel ParseLogLevel(std::string_view name);

struct LogRequest {
  std::string level;  // trace, debug, info, warn or warning, error; the host logs others at debug
  std::string message;
  AnyMap fields;  // Go map[string]any: the host keeps any JSON value
};

}  // namespace cliproxy

#endif  // CLIPROXY_TYPES_HPP_

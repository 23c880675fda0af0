// Field tables of the wire types: the JSON spelling of each member, in Go declaration
// order. One table serves both the decoder and the encoder, so the two cannot disagree.
#ifndef CLIPROXY_SRC_SDK_WIRE_FIELDS_HPP_
#define CLIPROXY_SRC_SDK_WIRE_FIELDS_HPP_

#include <cstdint>
#include <tuple>

#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"

namespace cliproxy::json::internal {

// How the decoder reads a std::string member whose C++ type does not say it.
enum class Codec : uint8_t {
  kPlain,    // a JSON string
  kGoBytes,  // Go's []byte: a base64 string (see base64.hpp), an array of bytes, or null
  kRawJson,  // any JSON value, kept as compact JSON text (raw_json_writer.hpp)
};

// One member of a struct as it appears on the wire.
//  - `want`: when set, the decoder stores the member only if that PickFields flag is on
//    (it still type-checks it);
//  - `omit_empty`: the encoder leaves the member out when it holds its zero value, or, for
//    a member with a `flag`, when the flag is not set.
//  - `codec`: see Codec; the encoder writes kGoBytes as Go does ([]byte: base64, an empty
//    one as `null`, Go's nil); kRawJson members are written by hand (OkEnvelope);
// The rest is read by the decoder only (the encoder writes such members by hand:
// EncodeLifecycleRequest, OkEnvelope, ErrorEnvelope):
//  - `late`: a scalar read after the object's other members (at the end of the object, in
//    text order), so that an error in those is the one reported;
//  - `fresh`: with `late`, the value is read into a zero value that then replaces the
//    member, so `null` zeroes it;
//  - `flag`: for a struct member, makes it Go's pointer to the struct: `null` zeroes the
//    member and clears the flag, an object sets the flag once its members other than the
//    late ones are read. For a late member: set once its value is read, `null` included.
template <class T, class M>
struct Field {
  const char* name;
  M T::*member;
  bool PickFields::*want = nullptr;
  bool omit_empty = false;
  Codec codec = Codec::kPlain;
  bool late = false;
  bool fresh = false;
  bool T::*flag = nullptr;
};

template <class T>
struct FieldsOf;  // specialized below; `static constexpr auto value = std::make_tuple(...)`

template <class T>
concept WireStruct = requires {
  FieldsOf<T>::value;
};

template <>
struct FieldsOf<ConfigField> {
  static constexpr auto value = std::make_tuple(
      Field<ConfigField, std::string>{"Name", &ConfigField::name},
      Field<ConfigField, std::string>{"Type", &ConfigField::type},
      Field<ConfigField, Slice<std::string>>{"EnumValues", &ConfigField::enum_values},
      Field<ConfigField, std::string>{"Description", &ConfigField::description});
};

template <>
struct FieldsOf<PluginMetadata> {
  using M = PluginMetadata;
  static constexpr auto value = std::make_tuple(
      Field<M, std::string>{"Name", &M::name}, Field<M, std::string>{"Version", &M::version},
      Field<M, std::string>{"Author", &M::author},
      Field<M, std::string>{"GitHubRepository", &M::github_repository},
      Field<M, std::string>{"Logo", &M::logo},
      Field<M, Slice<ConfigField>>{"ConfigFields", &M::config_fields});
};

template <>
struct FieldsOf<Capabilities> {
  using M = Capabilities;
  static constexpr auto value = std::make_tuple(
      Field<M, bool>{"scheduler", &M::scheduler, nullptr, true},
      Field<M, bool>{"usage_plugin", &M::usage_plugin, nullptr, true},
      Field<M, bool>{"request_lifecycle_plugin", &M::request_lifecycle_plugin, nullptr, true},
      Field<M, bool>{"management_api", &M::management_api, nullptr, true},
      Field<M, bool>{"model_registrar", &M::model_registrar, nullptr, true},
      Field<M, bool>{"model_provider", &M::model_provider, nullptr, true},
      Field<M, bool>{"auth_provider", &M::auth_provider, nullptr, true},
      Field<M, bool>{"frontend_auth_provider", &M::frontend_auth_provider, nullptr, true},
      Field<M, bool>{"frontend_auth_provider_exclusive", &M::frontend_auth_provider_exclusive,
                     nullptr, true},
      Field<M, bool>{"model_router", &M::model_router, nullptr, true},
      Field<M, bool>{"executor", &M::executor, nullptr, true},
      Field<M, std::string>{"executor_model_scope", &M::executor_model_scope, nullptr, true},
      Field<M, Slice<std::string>>{"executor_input_formats", &M::executor_input_formats, nullptr,
                                   true},
      Field<M, Slice<std::string>>{"executor_output_formats", &M::executor_output_formats, nullptr,
                                   true},
      Field<M, bool>{"request_translator", &M::request_translator, nullptr, true},
      Field<M, bool>{"request_normalizer", &M::request_normalizer, nullptr, true},
      Field<M, bool>{"request_interceptor", &M::request_interceptor, nullptr, true},
      Field<M, bool>{"outbound_header_interceptor", &M::outbound_header_interceptor, nullptr, true},
      Field<M, bool>{"response_translator", &M::response_translator, nullptr, true},
      Field<M, bool>{"response_before_translator", &M::response_before_translator, nullptr, true},
      Field<M, bool>{"response_after_translator", &M::response_after_translator, nullptr, true},
      Field<M, bool>{"response_interceptor", &M::response_interceptor, nullptr, true},
      Field<M, bool>{"response_stream_interceptor", &M::response_stream_interceptor, nullptr, true},
      Field<M, bool>{"thinking_applier", &M::thinking_applier, nullptr, true},
      Field<M, bool>{"command_line_plugin", &M::command_line_plugin, nullptr, true},
      Field<M, bool>{"quota_provider", &M::quota_provider, nullptr, true},
      Field<M, bool>{"scheduler_across_priorities", &M::scheduler_across_priorities, nullptr,
                     true});
};

template <>
struct FieldsOf<Registration> {
  using M = Registration;
  static constexpr auto value =
      std::make_tuple(Field<M, int64_t>{"schema_version", &M::schema_version},
                      Field<M, PluginMetadata>{"metadata", &M::metadata},
                      Field<M, Capabilities>{"capabilities", &M::capabilities});
};

template <>
struct FieldsOf<Candidate> {
  using M = Candidate;
  static constexpr auto value = std::make_tuple(
      Field<M, std::string>{"ID", &M::id},
      Field<M, std::string>{"Provider", &M::provider, &PickFields::candidate_provider},
      Field<M, int64_t>{"Priority", &M::priority},
      Field<M, std::string>{"Status", &M::status, &PickFields::candidate_status},
      Field<M, StringMap>{"Attributes", &M::attributes, &PickFields::candidate_attributes},
      Field<M, AnyMap>{"Metadata", &M::metadata, &PickFields::candidate_metadata});
};

template <>
struct FieldsOf<PickOptions> {
  using M = PickOptions;
  static constexpr auto value =
      std::make_tuple(Field<M, HeaderMap>{"Headers", &M::headers, &PickFields::headers},
                      Field<M, AnyMap>{"Metadata", &M::metadata, &PickFields::request_metadata});
};

template <>
struct FieldsOf<PickRequest> {
  using M = PickRequest;
  static constexpr auto value = std::make_tuple(
      Field<M, PluginMetadata>{"Plugin", &M::plugin, &PickFields::plugin},
      Field<M, std::string>{"Provider", &M::provider},
      Field<M, Slice<std::string>>{"Providers", &M::providers, &PickFields::providers},
      Field<M, std::string>{"Model", &M::model}, Field<M, bool>{"Stream", &M::stream},
      Field<M, PickOptions>{"Options", &M::options},
      Field<M, Slice<Candidate>>{"Candidates", &M::candidates});
};

template <>
struct FieldsOf<PickResult> {
  using M = PickResult;
  static constexpr auto value =
      std::make_tuple(Field<M, std::string>{"AuthID", &M::auth_id},
                      Field<M, std::string>{"DelegateBuiltin", &M::delegate_builtin},
                      Field<M, bool>{"Handled", &M::handled});
};

template <>
struct FieldsOf<UsageFailure> {
  using M = UsageFailure;
  static constexpr auto value = std::make_tuple(Field<M, int64_t>{"StatusCode", &M::status_code},
                                                Field<M, std::string>{"Body", &M::body});
};

template <>
struct FieldsOf<UsageDetail> {
  using M = UsageDetail;
  static constexpr auto value =
      std::make_tuple(Field<M, int64_t>{"InputTokens", &M::input_tokens},
                      Field<M, int64_t>{"OutputTokens", &M::output_tokens},
                      Field<M, int64_t>{"ReasoningTokens", &M::reasoning_tokens},
                      Field<M, int64_t>{"CachedTokens", &M::cached_tokens},
                      Field<M, int64_t>{"CacheReadTokens", &M::cache_read_tokens},
                      Field<M, int64_t>{"CacheCreationTokens", &M::cache_creation_tokens},
                      Field<M, int64_t>{"TotalTokens", &M::total_tokens});
};

template <>
struct FieldsOf<UsageRecord> {
  using M = UsageRecord;
  static constexpr auto value = std::make_tuple(
      Field<M, std::string>{"Provider", &M::provider},
      Field<M, std::string>{"ExecutorType", &M::executor_type},
      Field<M, std::string>{"Model", &M::model}, Field<M, std::string>{"Alias", &M::alias},
      Field<M, std::string>{"APIKey", &M::api_key}, Field<M, std::string>{"AuthID", &M::auth_id},
      Field<M, std::string>{"AuthIndex", &M::auth_index},
      Field<M, std::string>{"AuthType", &M::auth_type}, Field<M, std::string>{"Source", &M::source},
      Field<M, std::string>{"ReasoningEffort", &M::reasoning_effort},
      Field<M, std::string>{"ServiceTier", &M::service_tier},
      Field<M, bool>{"Generate", &M::generate},
      Field<M, std::string>{"RequestedAt", &M::requested_at},
      Field<M, int64_t>{"Latency", &M::latency_ns}, Field<M, int64_t>{"TTFT", &M::ttft_ns},
      Field<M, bool>{"Failed", &M::failed}, Field<M, UsageFailure>{"Failure", &M::failure},
      Field<M, UsageDetail>{"Detail", &M::detail},
      Field<M, HeaderMap>{"ResponseHeaders", &M::response_headers});
};

template <>
struct FieldsOf<LifecycleRequest> {
  using M = LifecycleRequest;
  static constexpr auto value = std::make_tuple(
      Field<M, std::string>{
          .name = "config_yaml", .member = &M::config_yaml, .codec = Codec::kGoBytes},
      Field<M, int64_t>{"schema_version", &M::schema_version});
};

// As this SDK's host has always read it (ErrorEnvelope writes it): `retryable` and
// `http_status` are read after `code` and `message`; `retryable: null` still marks
// has_retryable and `http_status: null` zeroes it, where Go would leave both as they
// were; `http_status` is a Go int kept in an int (truncated).
template <>
struct FieldsOf<PluginError> {
  using M = PluginError;
  static constexpr auto value = std::make_tuple(
      Field<M, std::string>{"code", &M::code}, Field<M, std::string>{"message", &M::message},
      Field<M, bool>{
          .name = "retryable", .member = &M::retryable, .late = true, .flag = &M::has_retryable},
      Field<M, int>{.name = "http_status", .member = &M::http_status, .late = true, .fresh = true});
};

// As a host reads it (OkEnvelope and ErrorEnvelope write it).
template <>
struct FieldsOf<Envelope> {
  using M = Envelope;
  static constexpr auto value = std::make_tuple(
      Field<M, bool>{"ok", &M::ok},
      Field<M, std::string>{.name = "result", .member = &M::result, .codec = Codec::kRawJson},
      Field<M, PluginError>{.name = "error", .member = &M::error, .flag = &M::has_error});
};

// scheduler.explain's result: "Error" is written only when has_error is set, "ConfigError"
// only when not empty.
template <>
struct FieldsOf<Explanation> {
  using M = Explanation;
  static constexpr auto value = std::make_tuple(
      Field<M, PickResult>{.name = "Decision", .member = &M::decision, .flag = &M::has_decision},
      Field<M, std::string>{"Rule", &M::rule},
      Field<M, PluginError>{
          .name = "Error", .member = &M::error, .omit_empty = true, .flag = &M::has_error},
      Field<M, std::string>{"ConfigError", &M::config_error, nullptr, true});
};

template <>
struct FieldsOf<LogRequest> {
  using M = LogRequest;
  static constexpr auto value = std::make_tuple(
      Field<M, std::string>{"level", &M::level}, Field<M, std::string>{"message", &M::message},
      Field<M, AnyMap>{"fields", &M::fields, nullptr, true});
};

template <>
struct FieldsOf<ManagementRegistrationRequest> {
  using M = ManagementRegistrationRequest;
  static constexpr auto value =
      std::make_tuple(Field<M, PluginMetadata>{"Plugin", &M::plugin},
                      Field<M, std::string>{"BasePath", &M::base_path},
                      Field<M, std::string>{"ResourceBasePath", &M::resource_base_path});
};

// `Menu` and `Description` are left out when empty: a GET route with a Menu is a resource.
template <>
struct FieldsOf<ManagementRoute> {
  using M = ManagementRoute;
  static constexpr auto value = std::make_tuple(
      Field<M, std::string>{"Method", &M::method}, Field<M, std::string>{"Path", &M::path},
      Field<M, std::string>{"Menu", &M::menu, nullptr, true},
      Field<M, std::string>{"Description", &M::description, nullptr, true});
};

template <>
struct FieldsOf<ResourceRoute> {
  using M = ResourceRoute;
  static constexpr auto value =
      std::make_tuple(Field<M, std::string>{"Path", &M::path},
                      Field<M, std::string>{"Menu", &M::menu, nullptr, true},
                      Field<M, std::string>{"Description", &M::description, nullptr, true});
};

template <>
struct FieldsOf<ManagementRegistration> {
  using M = ManagementRegistration;
  static constexpr auto value =
      std::make_tuple(Field<M, Slice<ManagementRoute>>{"routes", &M::routes, nullptr, true},
                      Field<M, Slice<ResourceRoute>>{"resources", &M::resources, nullptr, true});
};

template <>
struct FieldsOf<ManagementRequest> {
  using M = ManagementRequest;
  static constexpr auto value = std::make_tuple(
      Field<M, std::string>{"Method", &M::method}, Field<M, std::string>{"Path", &M::path},
      Field<M, HeaderMap>{"Headers", &M::headers}, Field<M, QueryMap>{"Query", &M::query},
      Field<M, std::string>{.name = "Body", .member = &M::body, .codec = Codec::kGoBytes},
      Field<M, std::string>{
          .name = "host_callback_id", .member = &M::host_callback_id, .omit_empty = true});
};

template <>
struct FieldsOf<ManagementResponse> {
  using M = ManagementResponse;
  static constexpr auto value = std::make_tuple(
      Field<M, int64_t>{"StatusCode", &M::status_code}, Field<M, HeaderMap>{"Headers", &M::headers},
      Field<M, std::string>{.name = "Body", .member = &M::body, .codec = Codec::kGoBytes});
};

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_WIRE_FIELDS_HPP_

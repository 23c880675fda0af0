// host.log: decoded by the SDK codec with Go's rules (keys match case-insensitively,
// unknown keys are ignored, a wrong type fails the request), then recorded as CLIProxyAPI
// logs it.
#include "host/host_callbacks.hpp"

#include "cliproxy/json.hpp"
#include "cliproxy/text.hpp"

namespace cliproxy::host::internal {
namespace {

constexpr std::string_view kHostLog = "host.log";
constexpr std::string_view kOkEmpty = "{\"ok\":true,\"result\":{}}";

CallReply Refuse(std::string message) {
  PluginError error;
  error.code = "host_call_failed";
  error.message = std::move(message);
  return {0, json::ErrorEnvelope(error)};
}

// The JSON text of a field value; strings as they are.
std::string FieldText(const AnyValue& value) {
  return value.kind == AnyValue::Kind::kNull ? "null" : value.text;
}

}  // namespace

CallReply AnswerCallback(std::string_view method, std::string_view body,
                         const std::string& plugin_id, LogBook* log) {
  if (method != kHostLog) return Refuse("unsupported host callback " + std::string(method));
  LogRequest request;
  if (json::DecodeStatus s = json::DecodeLogRequest(body, &request); !s) {
    return Refuse("decode host log request: " + s.message);
  }
  LogEntry entry;
  entry.from_plugin = true;
  entry.plugin_id = plugin_id;
  entry.level = ParseLogLevel(request.level);
  entry.message = request.message.empty() ? "plugin log" : std::move(request.message);
  for (auto& [key, value] : request.fields.entries) {
    if (TrimSpace(key).empty()) continue;  // blank keys are dropped
    entry.fields.Set(std::move(key), FieldText(value));
  }
  log->Append(std::move(entry));
  return {0, std::string(kOkEmpty)};
}

}  // namespace cliproxy::host::internal

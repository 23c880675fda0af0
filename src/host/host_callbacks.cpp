// host.log decoding with Go's rules for a tagged struct: keys match case-insensitively,
// unknown keys are ignored, `null` leaves a field alone, a wrong type fails the request.
#include "host/host_callbacks.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

LogLevel ParseLevel(std::string_view level) {
  if (EqualsAsciiFold(level, "trace")) return LogLevel::kTrace;
  if (EqualsAsciiFold(level, "info")) return LogLevel::kInfo;
  if (EqualsAsciiFold(level, "warn") || EqualsAsciiFold(level, "warning")) return LogLevel::kWarn;
  if (EqualsAsciiFold(level, "error")) return LogLevel::kError;
  return LogLevel::kDebug;
}

std::string CompactJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

// Decodes a host.log body into `entry`; returns an error message or "".
std::string DecodeLog(std::string_view body, LogEntry* entry) {
  if (body.empty()) return "unexpected end of JSON input";
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());  // trailing data after the value is an error too
  if (doc.HasParseError()) {
    return std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " (at byte " +
           std::to_string(doc.GetErrorOffset()) + ")";
  }
  if (doc.IsNull()) return "";
  if (!doc.IsObject()) return "a host.log request must be a JSON object";
  std::string level;
  for (const auto& member : doc.GetObject()) {
    std::string_view key(member.name.GetString(), member.name.GetStringLength());
    const rapidjson::Value& v = member.value;
    if (EqualsAsciiFold(key, "level") || EqualsAsciiFold(key, "message")) {
      if (v.IsNull()) continue;
      if (!v.IsString()) return std::string(key) + ": expected a string";
      std::string text(v.GetString(), v.GetStringLength());
      (EqualsAsciiFold(key, "level") ? level : entry->message) = std::move(text);
    } else if (EqualsAsciiFold(key, "fields")) {
      if (v.IsNull()) {
        entry->fields.Clear();
        continue;
      }
      if (!v.IsObject()) return "fields: expected an object";
      for (const auto& field : v.GetObject()) {
        std::string name(field.name.GetString(), field.name.GetStringLength());
        if (TrimSpace(name).empty()) continue;  // blank keys are dropped
        entry->fields.Set(std::move(name),
                          field.value.IsString()
                              ? std::string(field.value.GetString(), field.value.GetStringLength())
                              : CompactJson(field.value));
      }
    }
  }
  entry->level = ParseLevel(level);
  if (entry->message.empty()) entry->message = "plugin log";
  return "";
}

}  // namespace

CallReply AnswerCallback(std::string_view method, std::string_view body,
                         const std::string& plugin_id, LogBook* log) {
  if (method != kHostLog) return Refuse("unsupported host callback " + std::string(method));
  LogEntry entry;
  entry.from_plugin = true;
  entry.plugin_id = plugin_id;
  if (std::string error = DecodeLog(body, &entry); !error.empty()) {
    return Refuse("decode host log request: " + error);
  }
  log->Append(std::move(entry));
  return {0, std::string(kOkEmpty)};
}

}  // namespace cliproxy::host::internal

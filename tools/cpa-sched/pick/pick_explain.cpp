#include "pick/pick_explain.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cliproxy/host/plugin_reply.hpp"
#include "cliproxy/json.hpp"

namespace cpa_sched {

std::optional<Explanation> ReadExplanation(const cliproxy::host::CallReply& reply) {
  cliproxy::host::PluginReply read = cliproxy::host::ReadReply(kExplainMethod, reply);
  Explanation out;
  switch (read.kind) {
    case cliproxy::host::PluginReply::Kind::kError:
      if (read.error.code == "unknown_method") return std::nullopt;
      out.failure = read.error.code + ": " + read.error.message;
      return out;
    case cliproxy::host::PluginReply::Kind::kProtocolFailure:
      out.failure = read.failure;
      return out;
    case cliproxy::host::PluginReply::Kind::kResult:
      break;
  }
  rapidjson::Document doc;
  doc.Parse(read.result.data(), read.result.size());
  if (!doc.IsObject()) {
    out.failure = "the result is not an object";
    return out;
  }
  auto rule = doc.FindMember("Rule");
  auto decision = doc.FindMember("Decision");
  if (rule == doc.MemberEnd() || !rule->value.IsString() || decision == doc.MemberEnd()) {
    out.failure = "the result has no Rule and Decision";
    return out;
  }
  out.rule = rule->value.GetString();
  rapidjson::StringBuffer raw;
  rapidjson::Writer<rapidjson::StringBuffer> writer(raw);
  decision->value.Accept(writer);
  if (auto s = cliproxy::json::DecodePickResult(raw.GetString(), &out.decision); !s) {
    out.failure = "Decision: " + s.message;
    return out;
  }
  if (auto error = doc.FindMember("Error"); error != doc.MemberEnd() && error->value.IsObject()) {
    cliproxy::PluginError e;
    const rapidjson::Value& v = error->value;
    if (v.HasMember("code") && v["code"].IsString()) e.code = v["code"].GetString();
    if (v.HasMember("message") && v["message"].IsString()) e.message = v["message"].GetString();
    if (v.HasMember("http_status") && v["http_status"].IsInt()) {
      e.http_status = v["http_status"].GetInt();
    }
    out.error = std::move(e);
  }
  if (auto rejected = doc.FindMember("ConfigError");
      rejected != doc.MemberEnd() && rejected->value.IsString()) {
    out.config_error = rejected->value.GetString();
  }
  return out;
}

}  // namespace cpa_sched

#include "check/check_reply.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <strings.h>

#include <algorithm>
#include <set>

#include "cliproxy/host/pick_normalization.hpp"
#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/text.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::CallReply;
using cliproxy::json::CapabilityKey;
using cliproxy::json::CapabilityKind;
using rapidjson::Document;
using rapidjson::Value;

std::string Raw(const Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string Parse(const std::string& text, Document* doc) {
  if (text.empty()) return "an empty reply (want a JSON envelope)";
  doc->Parse(text.data(), text.size());
  if (doc->HasParseError()) {
    return "not JSON (" + std::string(rapidjson::GetParseError_En(doc->GetParseError())) +
           " at byte " + std::to_string(doc->GetErrorOffset()) + "): " + Excerpt(text);
  }
  if (!doc->IsObject()) return "not a JSON object: " + Excerpt(text);
  return "";
}

// The member spelled exactly `name`; if absent, `*other_case` names one that differs only
// in case (Go's decoder would take it).
const Value* Member(const Value& object, const char* name, std::string* other_case = nullptr) {
  auto it = object.FindMember(name);
  if (it != object.MemberEnd()) return &it->value;
  if (other_case != nullptr) {
    for (auto m = object.MemberBegin(); m != object.MemberEnd(); ++m) {
      if (strcasecmp(m->name.GetString(), name) == 0) *other_case = m->name.GetString();
    }
  }
  return nullptr;
}

std::string Missing(const char* name, const std::string& other_case) {
  std::string s = "`" + std::string(name) + "` is missing";
  if (!other_case.empty()) {
    s += " (`" + other_case + "` is there: Go would accept it, but the contract spells it `" +
         name + "`)";
  }
  return s;
}

// The raw `capabilities` object: every key this checker knows spelled exactly and holding
// a value of its kind (or null); keys it does not know are listed in `facts->unknown`.
std::string CheckCapabilityKeys(const Value& caps, RegistrationFacts* facts) {
  if (!caps.IsObject()) return "`capabilities` is not an object";
  const std::vector<CapabilityKey>& keys = cliproxy::json::CapabilityKeys();
  for (auto m = caps.MemberBegin(); m != caps.MemberEnd(); ++m) {
    std::string key = m->name.GetString();
    const Value& v = m->value;
    auto known = std::find_if(keys.begin(), keys.end(),
                              [&](const CapabilityKey& k) { return k.name == key; });
    if (known == keys.end()) {
      auto folded = std::find_if(keys.begin(), keys.end(), [&](const CapabilityKey& k) {
        return strcasecmp(std::string(k.name).c_str(), key.c_str()) == 0;
      });
      if (folded != keys.end()) {
        return "capability `" + key + "`: Go would accept it, but the contract spells it `" +
               std::string(folded->name) + "`";
      }
      facts->unknown.push_back(key);
      continue;
    }
    if (v.IsNull()) continue;
    switch (known->kind) {
      case CapabilityKind::kFlag:
        if (!v.IsBool()) return "capability `" + key + "` is not a boolean";
        break;
      case CapabilityKind::kString:
        if (!v.IsString()) return "`" + key + "` is not a string";
        break;
      case CapabilityKind::kStringList:
        if (!v.IsArray()) return "`" + key + "` is not an array of strings";
        for (const Value& item : v.GetArray()) {
          if (!item.IsString()) return "`" + key + "` is not an array of strings";
        }
        break;
    }
  }
  return "";
}

// At least one flag that CLIProxyAPI counts, listed in `facts->capabilities`.
std::string CheckCountedCapability(RegistrationFacts* facts) {
  for (std::string_view flag :
       cliproxy::json::SetCapabilityFlags(facts->registration.capabilities)) {
    if (cliproxy::host::CountsAsCapability(flag)) facts->capabilities.emplace_back(flag);
  }
  if (facts->capabilities.empty()) {
    return "no capability is set (CLIProxyAPI refuses a plugin without one, e.g. "
           "\"scheduler\": true)";
  }
  return "";
}

}  // namespace

std::string Excerpt(const std::string& body, size_t limit) {
  if (body.size() <= limit) return body;
  return body.substr(0, limit) + "... (" + std::to_string(body.size()) + " bytes)";
}

std::string CheckEnvelope(const CallReply& reply, CheckedEnvelope* out) {
  *out = CheckedEnvelope{};
  Document doc;
  if (std::string problem = Parse(reply.body, &doc); !problem.empty()) return problem;
  std::string other;
  const Value* ok = Member(doc, "ok", &other);
  if (ok == nullptr) return Missing("ok", other) + ": " + Excerpt(reply.body);
  if (!ok->IsBool()) return "`ok` is not a boolean: " + Excerpt(reply.body);
  out->ok = ok->GetBool();
  if (out->ok) {
    if (reply.rc != 0) {
      return "return code " + std::to_string(reply.rc) +
             " with ok:true (the host treats a non-zero code without an error envelope as a "
             "failed call)";
    }
    if (const Value* result = Member(doc, "result")) out->result = Raw(*result);
    return "";
  }
  const Value* error = Member(doc, "error", &other);
  if (error == nullptr) return Missing("error", other) + " in an ok:false envelope";
  if (!error->IsObject()) return "`error` is not an object: " + Excerpt(reply.body);
  const Value* code = Member(*error, "code", &other);
  if (code == nullptr) return Missing("code", other) + " in `error`: " + Excerpt(reply.body);
  if (!code->IsString() || code->GetStringLength() == 0) {
    return "`error.code` is not a non-empty string: " + Excerpt(reply.body);
  }
  const Value* message = Member(*error, "message", &other);
  if (message == nullptr) return Missing("message", other) + " in `error`: " + Excerpt(reply.body);
  if (!message->IsString()) return "`error.message` is not a string: " + Excerpt(reply.body);
  if (const Value* r = Member(*error, "retryable"); r != nullptr && !r->IsBool() && !r->IsNull()) {
    return "`error.retryable` is not a boolean: " + Excerpt(reply.body);
  }
  if (const Value* s = Member(*error, "http_status"); s != nullptr && !s->IsInt() && !s->IsNull()) {
    return "`error.http_status` is not an integer: " + Excerpt(reply.body);
  }
  out->error.code = code->GetString();
  out->error.message = message->GetString();
  if (const Value* s = Member(*error, "http_status"); s != nullptr && s->IsInt()) {
    out->error.http_status = s->GetInt();
  }
  return "";
}

std::string CheckErrorReply(const CallReply& reply, cliproxy::PluginError* error) {
  CheckedEnvelope envelope;
  if (std::string problem = CheckEnvelope(reply, &envelope); !problem.empty()) return problem;
  if (envelope.ok) return "answered ok:true (want an error envelope): " + Excerpt(reply.body);
  *error = envelope.error;
  return "";
}

std::string CheckPickReply(const CallReply& reply, const cliproxy::PickRequest& request,
                           PickReplyKind* kind) {
  CheckedEnvelope envelope;
  if (std::string problem = CheckEnvelope(reply, &envelope); !problem.empty()) return problem;
  if (!envelope.ok) {
    *kind = PickReplyKind::kError;
    return "";
  }
  if (envelope.result.empty()) return "ok:true without a `result`: " + Excerpt(reply.body);
  Document doc;
  doc.Parse(envelope.result.data(), envelope.result.size());
  if (!doc.IsObject()) return "`result` is not an object: " + Excerpt(reply.body);
  for (const char* key : {"AuthID", "DelegateBuiltin", "Handled"}) {
    std::string other;
    const Value* v = Member(doc, key, &other);
    if (v == nullptr) return "result: " + Missing(key, other) + ": " + Excerpt(reply.body);
    bool handled = std::string(key) == "Handled";
    if (handled ? !v->IsBool() : !v->IsString()) {
      return "result: `" + std::string(key) + "` is not a " + (handled ? "boolean" : "string") +
             ": " + Excerpt(reply.body);
    }
  }
  cliproxy::PickResult result;
  if (auto s = cliproxy::json::DecodePickResult(envelope.result, &result); !s) {
    return "result does not decode: " + s.message;
  }
  cliproxy::host::NormalizedPick n =
      cliproxy::host::NormalizePickResult(result, request.candidates);
  switch (n.kind) {
    case cliproxy::host::NormalizedPick::Kind::kAuth:
      *kind = PickReplyKind::kAuth;
      return "";
    case cliproxy::host::NormalizedPick::Kind::kDelegate:
      *kind = PickReplyKind::kDelegate;
      return "";
    case cliproxy::host::NormalizedPick::Kind::kUnhandled:
      *kind = PickReplyKind::kUnhandled;
      return "";
    case cliproxy::host::NormalizedPick::Kind::kInvalid:
      break;
  }
  return "Handled:true but " + n.reason + " (AuthID \"" + result.auth_id +
         "\", DelegateBuiltin \"" + result.delegate_builtin + "\", " +
         std::to_string(request.candidates.size()) + " candidates): the host ignores it";
}

std::string CheckRegistrationReply(const CallReply& reply, RegistrationFacts* facts) {
  *facts = RegistrationFacts{};
  CheckedEnvelope envelope;
  if (std::string problem = CheckEnvelope(reply, &envelope); !problem.empty()) return problem;
  if (!envelope.ok) {
    return "the registration was refused: " + envelope.error.code + ": " + envelope.error.message;
  }
  facts->result = envelope.result;
  Document doc;
  doc.Parse(envelope.result.data(), envelope.result.size());
  if (envelope.result.empty() || !doc.IsObject()) {
    return "the result is not a registration object: " + Excerpt(reply.body);
  }
  // Capabilities first: a value of the wrong kind is named here, not as a decode error.
  const Value* caps = Member(doc, "capabilities");
  if (caps == nullptr || caps->IsNull()) return "no `capabilities` object";
  if (std::string problem = CheckCapabilityKeys(*caps, facts); !problem.empty()) return problem;
  if (auto s = cliproxy::json::DecodeRegistration(envelope.result, &facts->registration); !s) {
    return "the registration does not decode: " + s.message;
  }
  if (const Value* v = Member(doc, "schema_version"); v != nullptr && !v->IsNull()) {
    if (!v->IsInt64()) return "`schema_version` is not an integer";
    int64_t version = v->GetInt64();
    if (version < 0 || version > cliproxy::host::kHostSchemaVersion) {
      return "schema_version " + std::to_string(version) + " is outside 0.." +
             std::to_string(cliproxy::host::kHostSchemaVersion) +
             " (CLIProxyAPI refuses a version above its own)";
    }
  }
  const cliproxy::PluginMetadata& m = facts->registration.metadata;
  std::string empty;
  for (auto [name, value] :
       {std::pair{"Name", &m.name}, std::pair{"Version", &m.version},
        std::pair{"Author", &m.author}, std::pair{"GitHubRepository", &m.github_repository}}) {
    if (cliproxy::TrimSpace(*value).empty())
      empty += (empty.empty() ? "" : ", ") + std::string(name);
  }
  if (!empty.empty()) {
    return "metadata " + empty + " empty (CLIProxyAPI requires Name, Version, Author and " +
           "GitHubRepository)";
  }
  return CheckCountedCapability(facts);
}

std::string CheckConfigFields(const std::string& result, std::string* summary) {
  static const std::set<std::string> kTypes = {"string", "number", "integer", "boolean",
                                               "enum",   "array",  "object"};
  summary->clear();
  Document doc;
  doc.Parse(result.data(), result.size());
  if (!doc.IsObject()) return "the registration result is not an object";
  const Value* metadata = Member(doc, "metadata");
  if (metadata == nullptr || !metadata->IsObject()) return "no `metadata` object";
  const Value* fields = Member(*metadata, "ConfigFields");
  if (fields == nullptr || fields->IsNull()) {
    *summary = "none declared (optional)";
    return "";
  }
  if (!fields->IsArray()) return "`ConfigFields` is not an array";
  std::set<std::string> seen;
  for (rapidjson::SizeType i = 0; i < fields->Size(); ++i) {
    const Value& f = (*fields)[i];
    std::string at = "ConfigFields[" + std::to_string(i) + "]";
    if (!f.IsObject()) return at + " is not an object";
    const Value* name = Member(f, "Name");
    if (name == nullptr || !name->IsString() || cliproxy::TrimSpace(name->GetString()).empty()) {
      return at + ": `Name` is not a non-empty string";
    }
    at += " (" + std::string(name->GetString()) + ")";
    if (!seen.insert(name->GetString()).second) return at + ": duplicate Name";
    const Value* type = Member(f, "Type");
    if (type == nullptr || !type->IsString()) return at + ": `Type` is not a string";
    std::string t = type->GetString();
    if (kTypes.count(t) == 0) {
      return at + ": Type \"" + t +
             "\" is not one of string, number, integer, boolean, enum, array, object";
    }
    if (const Value* d = Member(f, "Description"); d != nullptr && !d->IsString() && !d->IsNull()) {
      return at + ": `Description` is not a string";
    }
    const Value* values = Member(f, "EnumValues");
    if (values != nullptr && !values->IsNull()) {
      if (!values->IsArray()) return at + ": `EnumValues` is not an array";
      for (const Value& v : values->GetArray()) {
        if (!v.IsString()) return at + ": `EnumValues` holds a non-string";
      }
    }
    std::string entry = std::string(name->GetString()) + " " + t;
    if (t == "enum") {
      if (values == nullptr || !values->IsArray() || values->Empty()) {
        return at + ": an enum needs a non-empty `EnumValues`";
      }
      entry += "(" + std::to_string(values->Size()) + ")";
    }
    *summary += (summary->empty() ? "" : ", ") + entry;
  }
  if (summary->empty()) *summary = "an empty list";
  return "";
}

}  // namespace cpa_sched

#include "scheduler_so.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>

namespace cliproxy::abi_test {
namespace {

int RefusingHostCall(void*, const char*, const uint8_t*, size_t, cliproxy_buffer* response) {
  if (response != nullptr) *response = cliproxy_buffer{nullptr, 0};
  return 1;
}
void HostFree(void*, size_t) {}

const cliproxy_host_api kHost{CLIPROXY_ABI_VERSION, nullptr, &RefusingHostCall, &HostFree};

std::string JsonString(std::string_view s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

SchedulerSo::SchedulerSo() : plugin_(CLIPROXY_SCHEDULER_SO, &kHost) {
  if (plugin_.init_result() == -1) return;  // not loaded: already a failure
  EXPECT_EQ(plugin_.init_result(), 0);
  EXPECT_EQ(plugin_.api().abi_version, CLIPROXY_ABI_VERSION);
  EXPECT_NE(plugin_.api().call, nullptr);
  EXPECT_NE(plugin_.api().free_buffer, nullptr);
}

Envelope ReadEnvelope(std::string_view body) {
  Envelope env;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    env.problem = "not valid JSON (UTF-8): " + std::string(body);
    return env;
  }
  if (!doc.IsObject() || !doc.HasMember("ok") || !doc["ok"].IsBool()) {
    env.problem = "not an object with a boolean ok";
    return env;
  }
  env.ok = doc["ok"].GetBool();
  if (env.ok) {
    if (doc.MemberCount() != 2 || !doc.HasMember("result")) {
      env.problem = "ok:true needs exactly ok and result";
      return env;
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc["result"].Accept(writer);
    env.result.assign(buffer.GetString(), buffer.GetSize());
  } else {
    if (doc.MemberCount() != 2 || !doc.HasMember("error") || !doc["error"].IsObject()) {
      env.problem = "ok:false needs exactly ok and an error object";
      return env;
    }
    const auto& error = doc["error"];
    if (!error.HasMember("code") || !error["code"].IsString() || !error.HasMember("message") ||
        !error["message"].IsString()) {
      env.problem = "error needs string code and message";
      return env;
    }
    for (const auto& member : error.GetObject()) {
      std::string_view key(member.name.GetString(), member.name.GetStringLength());
      bool known = (key == "code" || key == "message") ||
                   (key == "retryable" && member.value.IsBool()) ||
                   (key == "http_status" && member.value.IsInt() && member.value.GetInt() > 0);
      if (!known) {
        env.problem = "unexpected error member " + std::string(key);
        return env;
      }
    }
    env.code = error["code"].GetString();
    env.message = error["message"].GetString();
    if (env.code.empty() || env.message.empty()) {
      env.problem = "empty error code or message";
      return env;
    }
  }
  env.valid = true;
  return env;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    unsigned v = at(i) << 16;
    if (i + 1 < bytes.size()) v |= at(i + 1) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string LifecycleBody(std::string_view yaml) {
  return R"({"config_yaml":")" + Base64(yaml) + R"(","schema_version":3})";
}

std::string PickBody(const std::vector<std::string>& ids) {
  std::string body = R"({"Candidates":[)";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) body += ',';
    body += R"({"ID":)" + JsonString(ids[i]) + "}";
  }
  return body + "]}";
}

std::string UnhandledReply() {
  return R"({"ok":true,"result":{"AuthID":"","DelegateBuiltin":"","Handled":false}})";
}
std::string AuthReply(std::string_view id) {
  return R"({"ok":true,"result":{"AuthID":)" + JsonString(id) +
         R"(,"DelegateBuiltin":"","Handled":true}})";
}
std::string DelegateReply(std::string_view strategy) {
  return R"({"ok":true,"result":{"AuthID":"","DelegateBuiltin":)" + JsonString(strategy) +
         R"(,"Handled":true}})";
}
std::string DeniedReply() {
  return R"({"ok":false,"error":{"code":"scheduler_denied",)"
         R"("message":"scheduler pick denied by plugin configuration"}})";
}

}  // namespace cliproxy::abi_test

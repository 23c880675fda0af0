// LoadedScheduler: the built scheduler.so, loaded with dlopen and driven through the C
// ABI with the JSON the host sends, so that each example is tested as an operator runs it.
#ifndef CLIPROXY_TESTS_EXAMPLES_LOADED_SCHEDULER_HPP_
#define CLIPROXY_TESTS_EXAMPLES_LOADED_SCHEDULER_HPP_

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "support/files.hpp"
#include "support/loaded_plugin.hpp"

namespace cliproxy::examples {

// What the host gets back from one scheduler.pick.
struct PickReply {
  int rc = 0;
  bool ok = false;
  PickResult result;  // when ok
  PluginError error;  // when !ok

  // The chosen auth ID, "<delegate X>", "<unhandled>" or "<error CODE STATUS>".
  std::string Chosen() const {
    if (!ok) return "<error " + error.code + " " + std::to_string(error.http_status) + ">";
    if (!result.handled) return "<unhandled>";
    if (!result.auth_id.empty()) return result.auth_id;
    return "<delegate " + result.delegate_builtin + ">";
  }
};

inline std::string ReadExample(const std::string& name) {
  std::string path = std::string(CLIPROXY_EXAMPLES_DIR) + "/" + name;
  EXPECT_TRUE(std::filesystem::is_regular_file(path)) << "cannot read examples/" << name;
  return test_support::ReadFile(path);
}

class LoadedScheduler {
 public:
  LoadedScheduler() {
    if (plugin_.init_result() == -1) return;  // not loaded: already a failure
    if (plugin_.init_result() != 0) {
      ADD_FAILURE() << "cliproxy_plugin_init failed";
      return;
    }
    // The library (and its plugin object) is shared by every LoadedScheduler of this
    // process: start from an empty configuration so no route state of an earlier test
    // is adopted.
    EXPECT_EQ(Register(""), "");
  }

  // Registers `yaml`; returns "" on success, else the error message. A configuration the
  // plugin rejects is answered ok (issue 10: the host would drop a plugin that refuses
  // one), so success also means that scheduler.explain reports no `ConfigError`.
  std::string Register(const std::string& yaml) {
    LifecycleRequest request;
    request.config_yaml = yaml;
    int rc = 0;
    const std::string reply = Call("plugin.register", json::EncodeLifecycleRequest(request), &rc);
    json::Envelope envelope;
    if (!json::DecodeEnvelope(reply, &envelope)) return "undecodable reply: " + reply;
    if (!envelope.ok) return envelope.error.message.empty() ? "error" : envelope.error.message;
    const std::string explained = Call("scheduler.explain", "{}", &rc);
    json::Envelope explanation;
    if (!json::DecodeEnvelope(explained, &explanation) || !explanation.ok) {
      return "scheduler.explain failed: " + explained;
    }
    const std::string key = "\"ConfigError\":";
    if (size_t at = explanation.result.find(key); at != std::string::npos) {
      return explanation.result.substr(at + key.size());
    }
    return "";
  }

  // Sends one usage record (usage.handle); returns "" when it was accepted.
  std::string Usage(const UsageRecord& record) {
    int rc = 0;
    const std::string reply = Call("usage.handle", json::EncodeUsageRecord(record), &rc);
    json::Envelope envelope;
    if (!json::DecodeEnvelope(reply, &envelope)) return "undecodable reply: " + reply;
    if (rc != 0 || !envelope.ok) return "refused: " + reply;
    return "";
  }

  PickReply Pick(const PickRequest& request) {
    PickReply out;
    const std::string reply = Call("scheduler.pick", json::EncodePickRequest(request), &out.rc);
    json::Envelope envelope;
    EXPECT_TRUE(json::DecodeEnvelope(reply, &envelope)) << reply;
    out.ok = envelope.ok;
    if (envelope.ok) {
      EXPECT_TRUE(json::DecodePickResult(envelope.result, &out.result)) << reply;
    } else {
      out.error = envelope.error;
    }
    return out;
  }

 private:
  std::string Call(const char* method, const std::string& body, int* rc) {
    test_support::PluginReply reply = plugin_.Call(method, body);
    *rc = reply.rc;
    return reply.body;
  }

  test_support::LoadedPlugin plugin_{CLIPROXY_SCHEDULER_SO, nullptr,
                                     test_support::LoadedPlugin::OnClose::kKeepInstance};
};

// A pick request as the host builds it.
class Pick {
 public:
  explicit Pick(std::string model = "claude-sonnet-4-5", std::string provider = "claude") {
    request_.provider = provider;
    request_.providers.push_back(provider);
    request_.model = std::move(model);
  }
  Pick& Candidate(std::string id, std::map<std::string, std::string> attributes = {}) {
    cliproxy::Candidate c;
    c.id = std::move(id);
    c.provider = request_.provider;
    c.status = "active";
    for (auto& [k, v] : attributes) c.attributes.Set(k, v);
    request_.candidates.push_back(std::move(c));
    return *this;
  }
  Pick& Candidates(const std::vector<std::string>& ids) {
    for (const std::string& id : ids) Candidate(id);
    return *this;
  }
  Pick& Header(std::string name, std::string value) {
    Slice<std::string> values;
    values.push_back(std::move(value));
    request_.options.headers.Set(std::move(name), std::move(values));
    return *this;
  }
  Pick& Metadata(std::string key, std::string value) {
    request_.options.metadata.Set(std::move(key), AnyValue::String(std::move(value)));
    return *this;
  }
  operator const PickRequest&() const { return request_; }  // NOLINT

 private:
  PickRequest request_;
};

}  // namespace cliproxy::examples

#endif  // CLIPROXY_TESTS_EXAMPLES_LOADED_SCHEDULER_HPP_

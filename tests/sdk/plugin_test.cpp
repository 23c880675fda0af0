// The plugin framework: dispatch on the method name, the C boundary (nothing escapes a
// call), envelopes with their return codes, and host callbacks.
#include "cliproxy/plugin.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace cliproxy {
namespace {

// A plugin whose handlers do what the test asks and record what they saw.
class ScriptedPlugin : public Plugin {
 public:
  enum class Behaviour { kAnswer, kThrowStd, kThrowInt, kThrowBadAlloc, kFail, kFailFatal };
  Behaviour behaviour = Behaviour::kAnswer;
  int picks = 0;
  int registers = 0;
  int reconfigures = 0;
  std::string last_config;
  PickRequest last_pick;

  Result<Registration> Register(const LifecycleRequest& request) override {
    ++registers;
    last_config = request.config_yaml;
    Registration r;
    r.schema_version = 1;
    r.metadata.name = "scripted";
    r.capabilities.scheduler = true;
    return r;
  }

  Result<PickResult> Pick(const PickRequest& request) override {
    ++picks;
    last_pick = request;
    switch (behaviour) {
      case Behaviour::kThrowStd:
        throw std::runtime_error("boom <1>");
      case Behaviour::kThrowInt:
        throw 7;
      case Behaviour::kThrowBadAlloc:
        throw std::bad_alloc();
      case Behaviour::kFail:
      case Behaviour::kFailFatal: {
        PluginError e;
        e.code = "nope";
        e.message = "refused";
        e.http_status = 429;
        return {e, behaviour == Behaviour::kFailFatal};
      }
      case Behaviour::kAnswer:
        break;
    }
    PickResult result;
    if (!request.candidates.empty()) {
      result.auth_id = request.candidates[0].id;
      result.handled = true;
    }
    return result;
  }
};

class ReconfiguringPlugin : public ScriptedPlugin {
 public:
  Result<Registration> Reconfigure(const LifecycleRequest& request) override {
    ++reconfigures;
    return Register(request);
  }
};

TEST(Dispatch, NullMethodIsInvalidMethodWithReturnCodeOne) {
  ScriptedPlugin plugin;
  RawReply reply = Dispatch(&plugin, nullptr, "{}");
  EXPECT_EQ(reply.code, 1);
  EXPECT_EQ(reply.body,
            R"({"ok":false,"error":{"code":"invalid_method","message":"method is required"}})");
}

TEST(Dispatch, UnknownMethodIsUnknownMethodWithReturnCodeZero) {
  ScriptedPlugin plugin;
  RawReply reply = Dispatch(&plugin, "plugin.shutdown", "{}");
  EXPECT_EQ(reply.code, 0);
  EXPECT_EQ(
      reply.body,
      R"({"ok":false,"error":{"code":"unknown_method","message":"unknown method: plugin.shutdown"}})");
  EXPECT_EQ(Dispatch(&plugin, "", "").body,
            R"({"ok":false,"error":{"code":"unknown_method","message":"unknown method: "}})");
  EXPECT_EQ(
      Dispatch(&plugin, "<x>&y", "").body,
      R"({"ok":false,"error":{"code":"unknown_method","message":"unknown method: \u003cx\u003e\u0026y"}})");
  // Method names are exact: Go's dispatch is a string switch.
  EXPECT_EQ(Dispatch(&plugin, "Scheduler.Pick", "{}").code, 0);
  EXPECT_EQ(plugin.picks, 0);
}

TEST(Dispatch, PickDecodesTheBodyAndEncodesTheResult) {
  ScriptedPlugin plugin;
  RawReply reply = Dispatch(&plugin, "scheduler.pick", R"({"Candidates":[{"ID":"a"}]})");
  EXPECT_EQ(reply.code, 0);
  EXPECT_EQ(reply.body,
            R"({"ok":true,"result":{"AuthID":"a","DelegateBuiltin":"","Handled":true}})");
  EXPECT_EQ(plugin.last_pick.candidates.size(), 1u);
}

TEST(Dispatch, UndecodableBodyIsInvalidRequestAndNeverReachesTheHandler) {
  ScriptedPlugin plugin;
  for (std::string_view body : {"", "[]", "{}x", R"({"Candidates":[{"ID":1}]})", "{"}) {
    RawReply reply = Dispatch(&plugin, "scheduler.pick", body);
    EXPECT_EQ(reply.code, 1) << body;
    EXPECT_EQ(
        reply.body.rfind(
            R"({"ok":false,"error":{"code":"invalid_request","message":"scheduler.pick: )", 0),
        0u)
        << reply.body;
  }
  EXPECT_EQ(plugin.picks, 0);
  EXPECT_NE(Dispatch(&plugin, "scheduler.pick", "").body.find("unexpected end of JSON input"),
            std::string::npos);
}

TEST(Dispatch, HandlerErrorsAreEnvelopesWithTheChosenReturnCode) {
  ScriptedPlugin plugin;
  plugin.behaviour = ScriptedPlugin::Behaviour::kFail;
  RawReply reply = Dispatch(&plugin, "scheduler.pick", "{}");
  EXPECT_EQ(reply.code, 0);
  EXPECT_EQ(reply.body,
            R"({"ok":false,"error":{"code":"nope","message":"refused","http_status":429}})");
  plugin.behaviour = ScriptedPlugin::Behaviour::kFailFatal;
  EXPECT_EQ(Dispatch(&plugin, "scheduler.pick", "{}").code, 1);
}

TEST(Dispatch, ExceptionsBecomeInternalErrors) {
  ScriptedPlugin plugin;
  plugin.behaviour = ScriptedPlugin::Behaviour::kThrowStd;
  RawReply reply = Dispatch(&plugin, "scheduler.pick", "{}");
  EXPECT_EQ(reply.code, 1);
  EXPECT_EQ(
      reply.body,
      R"({"ok":false,"error":{"code":"internal_error","message":"internal error: boom \u003c1\u003e"}})");
  plugin.behaviour = ScriptedPlugin::Behaviour::kThrowInt;
  reply = Dispatch(&plugin, "scheduler.pick", "{}");
  EXPECT_EQ(reply.code, 1);
  EXPECT_EQ(reply.body,
            R"({"ok":false,"error":{"code":"internal_error","message":"internal error"}})");
  plugin.behaviour = ScriptedPlugin::Behaviour::kThrowBadAlloc;
  reply = Dispatch(&plugin, "scheduler.pick", "{}");
  EXPECT_EQ(reply.code, 1);
  EXPECT_EQ(reply.body,
            R"({"ok":false,"error":{"code":"internal_error","message":"out of memory"}})");
}

TEST(Dispatch, LifecycleMethodsReachRegisterAndReconfigure) {
  ReconfiguringPlugin plugin;
  RawReply reply =
      Dispatch(&plugin, "plugin.register", R"({"config_yaml":"YQ==","schema_version":3})");
  EXPECT_EQ(reply.code, 0);
  EXPECT_EQ(reply.body.rfind(
                R"({"ok":true,"result":{"schema_version":1,"metadata":{"Name":"scripted")", 0),
            0u);
  EXPECT_EQ(plugin.last_config, "a");
  EXPECT_EQ(plugin.registers, 1);
  EXPECT_EQ(plugin.reconfigures, 0);
  EXPECT_EQ(Dispatch(&plugin, "plugin.reconfigure", "").code, 0);  // empty body: empty config
  EXPECT_EQ(plugin.reconfigures, 1);
  EXPECT_EQ(plugin.last_config, "");
  ScriptedPlugin defaults;
  EXPECT_EQ(Dispatch(&defaults, "plugin.reconfigure", "null").code, 0);
  EXPECT_EQ(defaults.registers, 1);  // Reconfigure defaults to Register
}

TEST(Dispatch, BadLifecycleBodiesAreInvalidConfigOrInvalidRequest) {
  ScriptedPlugin plugin;
  RawReply reply = Dispatch(&plugin, "plugin.register", R"({"config_yaml":"YQ"})");
  EXPECT_EQ(reply.code, 1);
  EXPECT_EQ(reply.body,
            R"({"ok":false,"error":{"code":"invalid_config","message":"plugin.register: )"
            R"(config_yaml: illegal base64 data at input byte 0"}})");
  reply = Dispatch(&plugin, "plugin.reconfigure", "[]");
  EXPECT_EQ(reply.code, 1);
  EXPECT_NE(reply.body.find(R"("code":"invalid_request","message":"plugin.reconfigure: )"),
            std::string::npos);
  EXPECT_EQ(plugin.registers, 0);
}

TEST(Dispatch, UsageIsAnUnknownMethodUnlessTheRegistrationDeclaresIt) {
  ScriptedPlugin plugin;  // registers without usage_plugin
  for (std::string_view body : {R"({"Provider":"codex"})", "", "[]"}) {
    RawReply reply = Dispatch(&plugin, "usage.handle", body);
    EXPECT_EQ(reply.code, 0) << body;
    EXPECT_EQ(reply.body, R"({"ok":false,"error":{"code":"unknown_method",)"
                          R"("message":"unknown method: usage.handle"}})");
  }
  ASSERT_EQ(Dispatch(&plugin, "plugin.register", "{}").code, 0);
  EXPECT_FALSE(plugin.serves_usage());
  EXPECT_NE(Dispatch(&plugin, "usage.handle", "").body.find("unknown_method"), std::string::npos);
}

class UsagePlugin : public ScriptedPlugin {
 public:
  bool declare_usage = true;
  std::string model;
  Result<Registration> Register(const LifecycleRequest& request) override {
    Result<Registration> r = ScriptedPlugin::Register(request);
    Registration registration = r.value();
    registration.capabilities.usage_plugin = declare_usage;
    return registration;
  }
  Result<Empty> HandleUsage(const UsageRecord& record) override {
    model = record.model;
    return Empty{};
  }
};

TEST(Dispatch, UsageReachesTheHandlerOnceDeclared) {
  UsagePlugin plugin;
  EXPECT_NE(Dispatch(&plugin, "usage.handle", R"({"Model":"gpt"})").body.find("unknown_method"),
            std::string::npos);
  EXPECT_EQ(plugin.model, "");
  ASSERT_EQ(Dispatch(&plugin, "plugin.register", "{}").code, 0);
  EXPECT_TRUE(plugin.serves_usage());
  RawReply reply = Dispatch(&plugin, "usage.handle", R"({"Model":"gpt"})");
  EXPECT_EQ(reply.code, 0);
  EXPECT_EQ(reply.body, R"({"ok":true,"result":{}})");
  EXPECT_EQ(plugin.model, "gpt");
  reply = Dispatch(&plugin, "usage.handle", R"({"Latency":"1s"})");
  EXPECT_EQ(reply.code, 1);
  EXPECT_NE(reply.body.find(R"("code":"invalid_request","message":"usage.handle: Latency)"),
            std::string::npos);
  // A reconfigure that drops the capability stops the routing; a failed one keeps it.
  plugin.declare_usage = false;
  ASSERT_EQ(Dispatch(&plugin, "plugin.reconfigure", "{}").code, 0);
  EXPECT_FALSE(plugin.serves_usage());
  plugin.declare_usage = true;
  ASSERT_EQ(Dispatch(&plugin, "plugin.reconfigure", "{}").code, 0);
  ASSERT_EQ(Dispatch(&plugin, "plugin.reconfigure", R"({"config_yaml":"x"})").code, 1);
  EXPECT_TRUE(plugin.serves_usage());
}

// --- host callbacks --------------------------------------------------------------------

struct FakeHost {
  std::vector<std::string> methods;
  std::vector<std::string> bodies;
  std::string reply = R"({"ok":true,"result":{}})";
  int rc = 0;
  int frees = 0;
};
FakeHost* g_host = nullptr;

int FakeHostCall(void* ctx, const char* method, const uint8_t* request, size_t len,
                 cliproxy_buffer* response) {
  auto* host = static_cast<FakeHost*>(ctx);
  host->methods.emplace_back(method);
  host->bodies.emplace_back(reinterpret_cast<const char*>(request), len);
  void* mem = std::malloc(host->reply.size());
  std::memcpy(mem, host->reply.data(), host->reply.size());
  response->ptr = mem;
  response->len = host->reply.size();
  return host->rc;
}

void FakeHostFree(void* ptr, size_t) {
  if (ptr != nullptr) ++g_host->frees;
  std::free(ptr);
}

// A HostApi wired to a FakeHost, the one g_host while it lives.
struct ConnectedHost {
  ConnectedHost() { g_host = &fake; }
  ~ConnectedHost() { g_host = nullptr; }
  FakeHost fake;
  cliproxy_host_api api{CLIPROXY_ABI_VERSION, &fake, &FakeHostCall, &FakeHostFree};
  HostApi host{&api};
};

TEST(HostApi, LogSendsHostLogAndFreesTheReply) {
  ConnectedHost connected;
  FakeHost& fake = connected.fake;
  const HostApi& host = connected.host;
  ASSERT_TRUE(host.available());
  EXPECT_TRUE(host.Log(LogLevel::kWarn, "pool <a> empty"));
  ASSERT_EQ(fake.methods.size(), 1u);
  EXPECT_EQ(fake.methods[0], "host.log");
  EXPECT_EQ(fake.bodies[0], R"({"level":"warn","message":"pool \u003ca\u003e empty"})");
  EXPECT_EQ(fake.frees, 1);
  fake.reply = R"({"ok":false,"error":{"code":"host_call_failed","message":"x"}})";
  EXPECT_FALSE(host.Log(LogLevel::kInfo, "x"));
}

TEST(HostApi, LogSendsFieldsAndTrace) {
  ConnectedHost connected;
  FakeHost& fake = connected.fake;
  const HostApi& host = connected.host;
  StringMap fields;
  fields.Set("route", "team-a");
  fields.Set("auth", "a&b");
  EXPECT_TRUE(host.Log(LogLevel::kTrace, "picked", fields));
  ASSERT_EQ(fake.bodies.size(), 1u);
  EXPECT_EQ(
      fake.bodies[0],
      R"({"level":"trace","message":"picked","fields":{"auth":"a\u0026b","route":"team-a"}})");
}

TEST(HostApi, LogSucceedsOnlyOnACodeZeroOkEnvelope) {
  ConnectedHost connected;
  FakeHost& fake = connected.fake;
  const HostApi& host = connected.host;
  for (const char* reply : {R"({"ok":true,"result":{}})", R"({"ok":true})", R"( {"ok":true} )"}) {
    fake.reply = reply;
    EXPECT_TRUE(host.Log(LogLevel::kInfo, "x")) << reply;
  }
  // Each of these starts with {"ok":true but is not an ok envelope.
  for (const char* reply : {R"({"ok":true,"result":)", R"({"ok":true,"ok":false})",
                            R"({"ok":trueish})", R"({"ok":true}{"ok":false})"}) {
    fake.reply = reply;
    EXPECT_FALSE(host.Log(LogLevel::kInfo, "x")) << reply;
  }
  fake.reply = R"({"ok":true,"result":{}})";
  fake.rc = 1;
  EXPECT_FALSE(host.Log(LogLevel::kInfo, "x"));
}

TEST(HostApi, WithoutCallbacksEveryCallIsRefused) {
  EXPECT_FALSE(HostApi().available());
  EXPECT_FALSE(HostApi().Log(LogLevel::kError, "x"));
  cliproxy_host_api wrong_version{2, nullptr, &FakeHostCall, &FakeHostFree};
  EXPECT_FALSE(HostApi(&wrong_version).available());
  EXPECT_EQ(HostApi().Call("host.log", "{}").code, -1);
}

// --- the exported entry points ---------------------------------------------------------

std::atomic<int> g_shutdowns{0};

class CountingPlugin : public ScriptedPlugin {
 public:
  void Shutdown() override { ++g_shutdowns; }
};

std::string CallThrough(const cliproxy_plugin_api& api, const char* method, const char* body,
                        int* rc) {
  cliproxy_buffer response{reinterpret_cast<void*>(1), 99};  // garbage: must be zeroed
  *rc = api.call(method, body ? reinterpret_cast<const uint8_t*>(body) : nullptr,
                 body ? std::strlen(body) : 0, &response);
  std::string out(static_cast<const char*>(response.ptr), response.len);
  api.free_buffer(response.ptr, response.len);
  return out;
}

TEST(InitPlugin, FillsTheFunctionTableAndServesCallsUntilShutdown) {
  cliproxy_plugin_api api{};
  ASSERT_EQ(internal::InitPlugin([] { return std::unique_ptr<Plugin>(new CountingPlugin); },
                                 nullptr, &api),
            0);
  EXPECT_EQ(api.abi_version, CLIPROXY_ABI_VERSION);
  ASSERT_NE(api.call, nullptr);
  ASSERT_NE(api.free_buffer, nullptr);
  ASSERT_NE(api.shutdown, nullptr);
  int rc = -1;
  EXPECT_EQ(CallThrough(api, "scheduler.pick", R"({"Candidates":[{"ID":"x"}]})", &rc),
            R"({"ok":true,"result":{"AuthID":"x","DelegateBuiltin":"","Handled":true}})");
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(CallThrough(api, nullptr, nullptr, &rc),
            R"({"ok":false,"error":{"code":"invalid_method","message":"method is required"}})");
  EXPECT_EQ(rc, 1);
  api.free_buffer(nullptr, 0);  // harmless
  // A second init (the library opened twice) keeps the one instance.
  cliproxy_plugin_api again{};
  ASSERT_EQ(internal::InitPlugin([] { return std::unique_ptr<Plugin>(new CountingPlugin); },
                                 nullptr, &again),
            0);
  int before = g_shutdowns.load();
  api.shutdown();
  EXPECT_EQ(g_shutdowns.load(), before + 1);
  api.shutdown();  // a second shutdown finds nothing to do
  EXPECT_EQ(g_shutdowns.load(), before + 1);
  EXPECT_EQ(
      CallThrough(api, "scheduler.pick", "{}", &rc),
      R"({"ok":false,"error":{"code":"internal_error","message":"plugin is not initialized"}})");
  EXPECT_EQ(rc, 1);
}

TEST(InitPlugin, RefusesANullTableAndAFailingFactory) {
  EXPECT_EQ(internal::InitPlugin([] { return std::unique_ptr<Plugin>(new CountingPlugin); },
                                 nullptr, nullptr),
            1);
  cliproxy_plugin_api api{};
  EXPECT_EQ(internal::InitPlugin(
                []() -> std::unique_ptr<Plugin> { throw std::runtime_error("no memory"); }, nullptr,
                &api),
            1);
  EXPECT_EQ(api.call, nullptr);
}

TEST(InitPlugin, ACallWithoutAResponseBufferDoesNotCrash) {
  cliproxy_plugin_api api{};
  ASSERT_EQ(internal::InitPlugin([] { return std::unique_ptr<Plugin>(new CountingPlugin); },
                                 nullptr, &api),
            0);
  EXPECT_EQ(api.call(nullptr, nullptr, 0, nullptr), 1);
  EXPECT_EQ(api.call("scheduler.pick", reinterpret_cast<const uint8_t*>("{}"), 2, nullptr), 0);
  api.shutdown();
}

}  // namespace
}  // namespace cliproxy

// PluginLibrary: the dlopen handshake, calls, callbacks, shutdown and dlclose.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cliproxy/host/plugin_library.hpp"
#include "cliproxy/json.hpp"
#include "host_test_support.hpp"
#include "support/loaded_plugin.hpp"

namespace cliproxy::host {
namespace {

using test_support::IsMapped;
using testing::CopyPlugin;
using testing::ReadLines;
using testing::Script;
using testing::TempDir;

CallReply NoCallbacks(std::string_view, std::string_view) { return {1, ""}; }

std::string Lifecycle(const std::string& yaml) {
  LifecycleRequest request;
  request.config_yaml = yaml;
  request.schema_version = 6;
  return json::EncodeLifecycleRequest(request);
}

Status OpenStatus(const std::string& path) {
  std::unique_ptr<PluginLibrary> library;
  Status status = PluginLibrary::Open(path, NoCallbacks, &library);
  EXPECT_EQ(status.ok(), library != nullptr);
  return status;
}

TEST(PluginLibraryTest, MissingFileIsRefusedNamingIt) {
  TempDir dir;
  Status status = OpenStatus(dir.File("nothing-here.so"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(dir.File("nothing-here.so")), std::string::npos)
      << status.message();
}

TEST(PluginLibraryTest, LibraryWithoutInitSymbolIsRefused) {
  Status status = OpenStatus(CLIPROXY_FIXTURE_NO_INIT);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("missing symbol cliproxy_plugin_init"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find(CLIPROXY_FIXTURE_NO_INIT), std::string::npos);
}

TEST(PluginLibraryTest, NonZeroInitIsRefused) {
  Status status = OpenStatus(CLIPROXY_FIXTURE_INIT_FAILS);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), std::string("load plugin ") + CLIPROXY_FIXTURE_INIT_FAILS +
                                  ": cliproxy_plugin_init returned 3");
}

TEST(PluginLibraryTest, AbiVersionTwoIsRefused) {
  Status status = OpenStatus(CLIPROXY_FIXTURE_ABI_V2);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), std::string("load plugin ") + CLIPROXY_FIXTURE_ABI_V2 +
                                  ": plugin ABI version 2 is not supported");
}

TEST(PluginLibraryTest, MissingFreeBufferIsRefused) {
  Status status = OpenStatus(CLIPROXY_FIXTURE_NO_FREE);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), std::string("load plugin ") + CLIPROXY_FIXTURE_NO_FREE +
                                  ": plugin function table is incomplete");
}

TEST(PluginLibraryTest, RefusedPluginIsUnloaded) {
  ASSERT_FALSE(OpenStatus(CLIPROXY_FIXTURE_ABI_V2).ok());
  EXPECT_FALSE(IsMapped(CLIPROXY_FIXTURE_ABI_V2));
}

TEST(PluginLibraryTest, ResolvesEverySymbolAtLoad) {
  // The fixture loads lazily but refers to a function nobody defines: RTLD_NOW refuses it.
  void* lazy = dlopen(CLIPROXY_FIXTURE_UNRESOLVED, RTLD_LAZY | RTLD_LOCAL);
  ASSERT_NE(lazy, nullptr) << dlerror();
  dlclose(lazy);
  Status status = OpenStatus(CLIPROXY_FIXTURE_UNRESOLVED);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cliproxy_fixture_missing_function"), std::string::npos)
      << status.message();
}

TEST(PluginLibraryTest, KeepsPluginSymbolsLocal) {
  std::unique_ptr<PluginLibrary> library;
  ASSERT_TRUE(PluginLibrary::Open(CLIPROXY_FIXTURE_NO_SHUTDOWN, NoCallbacks, &library).ok());
  // With RTLD_GLOBAL the plugin's export would be visible to every later lookup.
  EXPECT_EQ(dlsym(RTLD_DEFAULT, "cliproxy_plugin_init"), nullptr);
}

TEST(PluginLibraryTest, PluginWithoutShutdownLoadsAndUnloads) {
  std::unique_ptr<PluginLibrary> library;
  ASSERT_TRUE(PluginLibrary::Open(CLIPROXY_FIXTURE_NO_SHUTDOWN, NoCallbacks, &library).ok());
  EXPECT_FALSE(library->has_shutdown());
  CallReply reply = library->Call("plugin.register", "");
  EXPECT_EQ(reply.rc, 0);
  EXPECT_NE(reply.body.find("\"Name\":\"variant\""), std::string::npos) << reply.body;
  library.reset();
  EXPECT_FALSE(IsMapped(CLIPROXY_FIXTURE_NO_SHUTDOWN));
}

TEST(PluginLibraryTest, CallCopiesTheReply) {
  TempDir dir;
  std::unique_ptr<PluginLibrary> library;
  ASSERT_TRUE(PluginLibrary::Open(CLIPROXY_FIXTURE_SCRIPTED, NoCallbacks, &library).ok());
  library->Call("plugin.register", Lifecycle(Script({{"pick_rc", "7"}, {"pick_reply", "x"}})));
  EXPECT_EQ(library->Call("scheduler.pick", "{}"), (CallReply{7, "x"}));
  CallReply unknown = library->Call("no.such.method", "");
  EXPECT_EQ(unknown.rc, 0);
  EXPECT_EQ(unknown.body,
            "{\"ok\":false,\"error\":{\"code\":\"unknown_method\","
            "\"message\":\"unknown method: no.such.method\"}}");
}

TEST(PluginLibraryTest, ShutdownRunsBeforeDlclose) {
  TempDir dir;
  std::string path = CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir, "p.so");
  std::string marker = dir.File("marker");
  {
    std::unique_ptr<PluginLibrary> library;
    ASSERT_TRUE(PluginLibrary::Open(path, NoCallbacks, &library).ok());
    library->Call("plugin.register", Lifecycle(Script({{"marker", marker}})));
    EXPECT_TRUE(IsMapped(path));
  }
  std::vector<std::string> lines = ReadLines(marker);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[lines.size() - 2], "shutdown");
  EXPECT_EQ(lines.back(), "unloaded");  // the library's destructor, run by dlclose
  EXPECT_FALSE(IsMapped(path));
}

TEST(PluginLibraryTest, ShutdownIsCalledOnceAndEndsCalls) {
  TempDir dir;
  std::string path = CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir, "p.so");
  std::string marker = dir.File("marker");
  {
    std::unique_ptr<PluginLibrary> library;
    ASSERT_TRUE(PluginLibrary::Open(path, NoCallbacks, &library).ok());
    library->Call("plugin.register", Lifecycle(Script({{"marker", marker}})));
    library->Shutdown();
    library->Shutdown();
    CallReply refused = library->Call("scheduler.pick", "{}");
    EXPECT_EQ(refused.rc, 1);
    EXPECT_NE(refused.body.find("plugin client is closed"), std::string::npos);
  }
  std::vector<std::string> lines = ReadLines(marker);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "shutdown"), 1);
  EXPECT_TRUE(testing::LinesStartingWith(lines, "scheduler.pick").empty());
}

TEST(PluginLibraryTest, CallbacksReachTheHandlerAndItsReplyReachesThePlugin) {
  TempDir dir;
  std::string marker = dir.File("marker");
  std::mutex mu;
  std::vector<std::string> seen;
  auto handler = [&](std::string_view method, std::string_view body) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(std::string(method) + " " + std::string(body));
    return method == "host.nope" ? CallReply{7, "pong"} : CallReply{0, "ok"};
  };
  std::unique_ptr<PluginLibrary> library;
  ASSERT_TRUE(PluginLibrary::Open(CLIPROXY_FIXTURE_SCRIPTED, handler, &library).ok());
  library->Call("plugin.register", Lifecycle(Script({{"marker", marker},
                                                     {"probe_callbacks", "true"},
                                                     {"log_body", "{\"message\":\"m\"}"}})));
  EXPECT_EQ(seen, (std::vector<std::string>{"host.log {\"message\":\"m\"}", "host.nope {}"}));
  std::vector<std::string> lines = testing::LinesStartingWith(ReadLines(marker), "callback");
  EXPECT_EQ(lines, (std::vector<std::string>{"callback host.log rc=0 ok",
                                             "callback host.nope rc=7 pong"}));
}

}  // namespace
}  // namespace cliproxy::host

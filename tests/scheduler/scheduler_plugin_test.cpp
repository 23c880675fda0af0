// SchedulerPlugin in-process: the registration it answers with, and how configurations
// replace each other (the ABI tests drive the same through the built scheduler.so).
#include "scheduler/scheduler_plugin.hpp"

#include <gtest/gtest.h>

#include <string>

#include "cliproxy/base64.hpp"
#include "cliproxy/json.hpp"

namespace cliproxy::scheduler {
namespace {

std::string Lifecycle(const std::string& yaml) {
  LifecycleRequest request;
  request.config_yaml = yaml;
  request.schema_version = 3;
  return json::EncodeLifecycleRequest(request);
}

TEST(SchedulerRegistration, DeclaresSchemaOneTheSchedulerAndTheStatusPageOnly) {
  Registration r = SchedulerRegistration();
  EXPECT_EQ(r.schema_version, 1);
  EXPECT_TRUE(r.capabilities.scheduler);
  EXPECT_FALSE(r.capabilities.usage_plugin);
  EXPECT_FALSE(r.capabilities.request_lifecycle_plugin);
  EXPECT_TRUE(r.capabilities.management_api);  // the status page (docs/status.md)
  EXPECT_FALSE(
      SchedulerRegistration(false, false, /*status_page=*/false).capabilities.management_api);
  EXPECT_EQ(r.metadata.name, "scheduler");
  EXPECT_EQ(r.metadata.version, CLIPROXY_PROJECT_VERSION);
  // CLIProxyAPI refuses a plugin whose trimmed Name, Version, Author or GitHubRepository is
  // empty.
  EXPECT_FALSE(r.metadata.author.empty());
  EXPECT_FALSE(r.metadata.github_repository.empty());
  ASSERT_EQ(r.metadata.config_fields.size(), 4u);
  EXPECT_EQ(r.metadata.config_fields[0].name, "auth_id");
  EXPECT_EQ(r.metadata.config_fields[1].name, "delegate");
  EXPECT_EQ(r.metadata.config_fields[2].name, "deny");
  EXPECT_EQ(r.metadata.config_fields[3].name, "routes");
  EXPECT_EQ(r.metadata.config_fields[3].type, "array");
}

TEST(SchedulerPlugin, ABadConfigurationKeepsThePolicyInForce) {
  SchedulerPlugin plugin;
  EXPECT_EQ(plugin.policy(), nullptr);
  ASSERT_EQ(Dispatch(&plugin, "plugin.register", Lifecycle("auth_id: b\n")).code, 0);
  std::shared_ptr<const Policy> before = plugin.policy();
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->config().auth_id, "b");
  // Issue 10: answered ok (the host would otherwise drop the plugin), and kept out.
  RawReply reply = Dispatch(&plugin, "plugin.reconfigure", Lifecycle("auth_id: [b]\n"));
  EXPECT_EQ(reply.code, 0) << reply.body;
  EXPECT_EQ(plugin.policy(), before);  // the very same snapshot
  EXPECT_EQ(plugin.rejection(),
            "invalid configuration: auth_id: line 1, column 10: expected a string, got a sequence");
  // With fail_open it is refused, naming the key and its position; still kept out.
  reply = Dispatch(&plugin, "plugin.reconfigure", Lifecycle("fail_open: yes\nauth_id: [b]\n"));
  EXPECT_EQ(reply.code, 1);
  EXPECT_NE(reply.body.find(R"("code":"invalid_config")"), std::string::npos);
  EXPECT_NE(reply.body.find("auth_id: line 2, column 10"), std::string::npos) << reply.body;
  EXPECT_EQ(plugin.policy(), before);
  ASSERT_EQ(Dispatch(&plugin, "plugin.reconfigure", Lifecycle("deny: yes\n")).code, 0);
  EXPECT_NE(plugin.policy(), before);
  EXPECT_TRUE(plugin.policy()->config().deny);
  EXPECT_EQ(plugin.policy()->config().auth_id, "");  // the whole configuration is replaced
  EXPECT_EQ(plugin.rejection(), "");
}

TEST(SchedulerPlugin, PickBeforeAnyRegisterIsUnhandledButStillDecoded) {
  SchedulerPlugin plugin;
  EXPECT_EQ(Dispatch(&plugin, "scheduler.pick", R"({"Candidates":[{"ID":"a"}]})").body,
            R"({"ok":true,"result":{"AuthID":"","DelegateBuiltin":"","Handled":false}})");
  EXPECT_EQ(Dispatch(&plugin, "scheduler.pick", R"({"Candidates":[{"ID":1}]})").code, 1);
}

}  // namespace
}  // namespace cliproxy::scheduler

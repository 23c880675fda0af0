// examples/model-routes.yaml: Opus only on Max-plan accounts (429 otherwise), small models
// on API keys first, everything else to the host's round-robin.
#include <gtest/gtest.h>

#include "loaded_scheduler.hpp"

namespace cliproxy::examples {
namespace {

class ModelRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(plugin_.Register(ReadExample("model-routes.yaml")), ""); }
  static Pick Accounts(const std::string& model) {
    Pick p(model);
    p.Candidate("oauth-max-1.json", {{"plan_type", "max20"}})
        .Candidate("oauth-max-2.json", {{"plan_type", "max5"}})
        .Candidate("oauth-pro-1.json", {{"plan_type", "pro"}})
        .Candidate("api-key-2")
        .Candidate("api-key-1");
    return p;
  }
  LoadedScheduler plugin_;
};

TEST_F(ModelRoutesTest, OpusRotatesOverMaxPlanAccountsOnly) {
  std::map<std::string, int> count;
  for (int i = 0; i < 10; ++i) ++count[plugin_.Pick(Accounts("claude-opus-4-1")).Chosen()];
  EXPECT_EQ(count, (std::map<std::string, int>{{"oauth-max-1.json", 5}, {"oauth-max-2.json", 5}}));
}

TEST_F(ModelRoutesTest, OpusWithoutAMaxAccountIs429) {
  Pick p("claude-opus-4-1");
  p.Candidate("oauth-pro-1.json", {{"plan_type", "pro"}}).Candidate("api-key-1");
  EXPECT_EQ(plugin_.Pick(p).Chosen(), "<error no_max_account 429>");
}

TEST_F(ModelRoutesTest, SmallModelsFillTheApiKeysFirst) {
  EXPECT_EQ(plugin_.Pick(Accounts("claude-haiku-4-5")).Chosen(), "api-key-1");
  EXPECT_EQ(plugin_.Pick(Accounts("claude-haiku-4-5")).Chosen(), "api-key-1");
  EXPECT_EQ(plugin_.Pick(Accounts("gpt-5-mini")).Chosen(), "api-key-1");
  // No API key offered: the next route (the host's round-robin) takes it.
  Pick p("claude-haiku-4-5");
  p.Candidate("oauth-pro-1.json", {{"plan_type", "pro"}});
  EXPECT_EQ(plugin_.Pick(p).Chosen(), "<delegate round-robin>");
}

TEST_F(ModelRoutesTest, OtherModelsGoToTheHostsRoundRobin) {
  EXPECT_EQ(plugin_.Pick(Accounts("claude-sonnet-4-5")).Chosen(), "<delegate round-robin>");
}

}  // namespace
}  // namespace cliproxy::examples

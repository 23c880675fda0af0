// examples/tenant-pools.yaml: each tenant is served only from its own accounts and gets
// 429 when none of them is available; other callers only use the shared accounts.
#include <gtest/gtest.h>

#include "loaded_scheduler.hpp"

namespace cliproxy::examples {
namespace {

constexpr const char* kAcme = "3f9a2c41d87e6b05c1a9f3e27d4b8c60e5f1a7b39d2c8e4f06a1b5c9d3e7f2a8";
constexpr const char* kGlobex = "b71e04f9a3c25d8e6f1b0a4c7e93d2f58a6c1e0b4d7f3a9c2e5b8d1f6a0c4e7b";

const std::vector<std::string> kAll = {"acme-1.json",   "acme-2.json",   "globex-1.json",
                                       "globex-2.json", "shared-1.json", "shared-2.json"};

class TenantPoolsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(plugin_.Register(ReadExample("tenant-pools.yaml")), ""); }
  LoadedScheduler plugin_;
};

TEST_F(TenantPoolsTest, EachTenantStaysInsideItsOwnAccounts) {
  std::map<std::string, int> acme;
  std::map<std::string, int> globex;
  std::map<std::string, int> others;
  for (int i = 0; i < 60; ++i) {
    ++acme[plugin_.Pick(Pick().Candidates(kAll).Metadata("caller_scope", kAcme)).Chosen()];
    ++globex[plugin_.Pick(Pick().Candidates(kAll).Metadata("caller_scope", kGlobex)).Chosen()];
    ++others[plugin_.Pick(Pick().Candidates(kAll).Metadata("caller_scope", "0000")).Chosen()];
  }
  // acme rotates over its two accounts; globex fills its first; others rotate shared.
  EXPECT_EQ(acme, (std::map<std::string, int>{{"acme-1.json", 30}, {"acme-2.json", 30}}));
  EXPECT_EQ(globex, (std::map<std::string, int>{{"globex-1.json", 60}}));
  EXPECT_EQ(others, (std::map<std::string, int>{{"shared-1.json", 30}, {"shared-2.json", 30}}));
}

TEST_F(TenantPoolsTest, ATenantWithoutAFreeAccountGets429NotAnotherTeamsAccount) {
  PickReply reply = plugin_.Pick(
      Pick().Candidates({"globex-1.json", "shared-1.json"}).Metadata("caller_scope", kAcme));
  EXPECT_FALSE(reply.ok);
  EXPECT_EQ(reply.rc, 0);
  EXPECT_EQ(reply.error.http_status, 429);
  EXPECT_EQ(reply.error.code, "tenant_exhausted");
  EXPECT_EQ(reply.error.message, "every account of team acme is busy or cooling down; retry later");
  // The same for a caller without a tenant when no shared account is offered.
  EXPECT_EQ(plugin_.Pick(Pick().Candidates({"acme-1.json"})).Chosen(),
            "<error no_shared_account 429>");
}

TEST_F(TenantPoolsTest, AScopeThatOnlyResemblesATenantsIsNotThatTenant) {
  const std::string almost = std::string(kAcme).substr(0, 63) + "9";
  EXPECT_EQ(plugin_.Pick(Pick().Candidates(kAll).Metadata("caller_scope", almost)).Chosen(),
            "shared-1.json");
}

}  // namespace
}  // namespace cliproxy::examples

// examples/claude-code-sticky.yaml: a Claude Code conversation stays on one account; new
// accounts do not take running conversations; a vanished account's conversations move
// once and stay; requests without a session rotate; other providers are left to the host.
#include <gtest/gtest.h>

#include <set>

#include "loaded_scheduler.hpp"

namespace cliproxy::examples {
namespace {

const std::vector<std::string> kAccounts = {"claude-a.json", "claude-b.json", "claude-c.json",
                                            "claude-d.json"};

class ClaudeCodeStickyTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(plugin_.Register(ReadExample("claude-code-sticky.yaml")), ""); }
  std::string Conversation(const std::string& session, const std::vector<std::string>& ids) {
    return plugin_.Pick(Pick().Candidates(ids).Header("X-Claude-Code-Session-Id", session))
        .Chosen();
  }
  LoadedScheduler plugin_;
};

TEST_F(ClaudeCodeStickyTest, AConversationStaysOnOneAccount) {
  std::set<std::string> used;
  for (int s = 0; s < 40; ++s) {
    const std::string session = "6f1c2a4e-0000-4000-8000-" + std::to_string(100000 + s);
    const std::string first = Conversation(session, kAccounts);
    for (int turn = 0; turn < 10; ++turn) EXPECT_EQ(Conversation(session, kAccounts), first);
    used.insert(first);
  }
  EXPECT_EQ(used.size(), kAccounts.size());  // conversations are spread over all accounts
}

TEST_F(ClaudeCodeStickyTest, ANewAccountDoesNotTakeRunningConversations) {
  std::vector<std::string> before;
  for (int s = 0; s < 200; ++s)
    before.push_back(Conversation("conv-" + std::to_string(s), kAccounts));
  std::vector<std::string> grown = kAccounts;
  grown.push_back("claude-e.json");
  for (int s = 0; s < 200; ++s) {
    EXPECT_EQ(Conversation("conv-" + std::to_string(s), grown), before[s]) << s;
  }
}

TEST_F(ClaudeCodeStickyTest, AVanishedAccountsConversationsMoveOnceAndStay) {
  const std::string first = Conversation("conv-x", kAccounts);
  std::vector<std::string> without;
  for (const std::string& id : kAccounts) {
    if (id != first) without.push_back(id);
  }
  const std::string moved = Conversation("conv-x", without);
  EXPECT_NE(moved, first);
  EXPECT_EQ(Conversation("conv-x", kAccounts), moved);  // the old account is back: no hop
}

TEST_F(ClaudeCodeStickyTest, TheHostsExecutionSessionIsTheSecondSource) {
  const std::string chosen =
      plugin_.Pick(Pick().Candidates(kAccounts).Metadata("execution_session_id", "exec-1"))
          .Chosen();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(plugin_.Pick(Pick().Candidates(kAccounts).Metadata("execution_session_id", "exec-1"))
                  .Chosen(),
              chosen);
  }
}

TEST_F(ClaudeCodeStickyTest, RequestsWithoutASessionRotate) {
  std::vector<std::string> seq;
  for (int i = 0; i < 5; ++i) seq.push_back(plugin_.Pick(Pick().Candidates(kAccounts)).Chosen());
  EXPECT_EQ(seq, (std::vector<std::string>{"claude-a.json", "claude-b.json", "claude-c.json",
                                           "claude-d.json", "claude-a.json"}));
}

TEST_F(ClaudeCodeStickyTest, OtherProvidersAreLeftToTheHost) {
  EXPECT_EQ(plugin_
                .Pick(Pick("gpt-5", "codex")
                          .Candidates({"codex-a.json"})
                          .Header("X-Claude-Code-Session-Id", "s"))
                .Chosen(),
            "<unhandled>");
}

}  // namespace
}  // namespace cliproxy::examples

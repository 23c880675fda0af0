// examples/weighted-plans.yaml: a 3:1 split between the Max and the Pro account,
// interleaved; one account takes everything while the other is away.
#include <gtest/gtest.h>

#include "loaded_scheduler.hpp"

namespace cliproxy::examples {
namespace {

class WeightedPlansTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(plugin_.Register(ReadExample("weighted-plans.yaml")), ""); }
  LoadedScheduler plugin_;
};

TEST_F(WeightedPlansTest, SplitsThreeToOneAndInterleaves) {
  const Pick pick = Pick().Candidates({"claude-pro-1.json", "claude-max-1.json", "other.json"});
  std::map<std::string, int> count;
  int run = 0;
  int longest_max_run = 0;
  for (int i = 0; i < 10'000; ++i) {
    const std::string id = plugin_.Pick(pick).Chosen();
    ++count[id];
    run = id == "claude-max-1.json" ? run + 1 : 0;
    longest_max_run = std::max(longest_max_run, run);
  }
  EXPECT_EQ(count,
            (std::map<std::string, int>{{"claude-max-1.json", 7500}, {"claude-pro-1.json", 2500}}));
  EXPECT_LE(longest_max_run, 3);  // never four Max requests in a row
}

TEST_F(WeightedPlansTest, OneAccountTakesEverythingWhileTheOtherIsAway) {
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(plugin_.Pick(Pick().Candidates({"claude-pro-1.json"})).Chosen(), "claude-pro-1.json");
  }
  EXPECT_EQ(plugin_.Pick(Pick().Candidates({"other.json"})).Chosen(), "<unhandled>");
}

}  // namespace
}  // namespace cliproxy::examples

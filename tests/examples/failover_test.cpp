// examples/failover.yaml: main account first, then the backups in order, back to the main
// account when it returns, 503 when all three are gone.
#include <gtest/gtest.h>

#include "loaded_scheduler.hpp"

namespace cliproxy::examples {
namespace {

class FailoverTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(plugin_.Register(ReadExample("failover.yaml")), ""); }
  std::string With(const std::vector<std::string>& ids) {
    return plugin_.Pick(Pick().Candidates(ids)).Chosen();
  }
  LoadedScheduler plugin_;
};

TEST_F(FailoverTest, FailsOverInOrderAndBack) {
  EXPECT_EQ(With({"backup-2.json", "backup-1.json", "main.json", "other.json"}), "main.json");
  EXPECT_EQ(With({"backup-2.json", "backup-1.json", "other.json"}), "backup-1.json");
  EXPECT_EQ(With({"backup-2.json", "other.json"}), "backup-2.json");
  EXPECT_EQ(With({"backup-2.json", "main.json"}), "main.json");
}

TEST_F(FailoverTest, NoListedAccountIs503) {
  EXPECT_EQ(With({"other.json"}), "<error no_account 503>");
}

}  // namespace
}  // namespace cliproxy::examples

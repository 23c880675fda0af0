// The ABI driven from C: c_abi.c is compiled as C99 with -pedantic -Werror.
#include <gtest/gtest.h>

#include <string>

#include "c_abi.h"
#include "scheduler_so.hpp"

namespace cliproxy::abi_test {
namespace {

TEST(CAbi, ACClientRegistersAndPicks) {
  char reply[512];
  int rc = c_abi_register_and_pick(CLIPROXY_SCHEDULER_SO, LifecycleBody("auth_id: b\n").c_str(),
                                   PickBody({"a", "b", "c"}).c_str(), reply, sizeof reply);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(std::string(reply), AuthReply("b"));
}

TEST(CAbi, ACClientSeesErrorEnvelopesAndReturnCodes) {
  char reply[512];
  int rc = c_abi_register_and_pick(CLIPROXY_SCHEDULER_SO, LifecycleBody("deny: true\n").c_str(),
                                   "{}", reply, sizeof reply);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(std::string(reply), DeniedReply());
  rc = c_abi_register_and_pick(CLIPROXY_SCHEDULER_SO, "{}", "[]", reply, sizeof reply);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(ReadEnvelope(reply).code, "invalid_request");
}

}  // namespace
}  // namespace cliproxy::abi_test

// ReadReply: how the host reads the return code and bytes of a call.
#include <gtest/gtest.h>

#include "cliproxy/host/plugin_reply.hpp"

namespace cliproxy::host {
namespace {

using Kind = PluginReply::Kind;

TEST(ReadReplyTest, OkEnvelopeGivesTheRawResult) {
  PluginReply reply = ReadReply("scheduler.pick", {0, R"({"ok":true,"result":{"AuthID":"a"}})"});
  EXPECT_EQ(reply.kind, Kind::kResult);
  EXPECT_EQ(reply.result, R"({"AuthID":"a"})");
}

TEST(ReadReplyTest, MissingOrNullResultIsEmpty) {
  EXPECT_EQ(ReadReply("m", {0, R"({"ok":true})"}).result, "");
  PluginReply null_result = ReadReply("m", {0, R"({"ok":true,"result":null})"});
  EXPECT_EQ(null_result.kind, Kind::kResult);
  EXPECT_EQ(null_result.result, "");
}

TEST(ReadReplyTest, ErrorEnvelopeKeepsCodeStatusAndTrimmedMessage) {
  PluginReply reply = ReadReply(
      "m",
      {0,
       R"({"ok":false,"error":{"code":"quota","message":"  slow down\n","http_status":429,"retryable":true}})"});
  ASSERT_EQ(reply.kind, Kind::kError);
  EXPECT_EQ(reply.error.code, "quota");
  EXPECT_EQ(reply.error.message, "slow down");
  EXPECT_EQ(reply.error.http_status, 429);
  EXPECT_TRUE(reply.error.retryable);
}

TEST(ReadReplyTest, ErrorWithoutMessageOrObjectReadsPluginCallFailed) {
  PluginReply blank = ReadReply("m", {0, R"({"ok":false,"error":{"code":"x","message":"  "}})"});
  ASSERT_EQ(blank.kind, Kind::kError);
  EXPECT_EQ(blank.error.message, "plugin call failed");
  PluginReply bare = ReadReply("m", {0, R"({"ok":false})"});
  ASSERT_EQ(bare.kind, Kind::kError);
  EXPECT_EQ(bare.error.message, "plugin call failed");
}

TEST(ReadReplyTest, NonZeroCodeWithErrorEnvelopeIsAnError) {
  PluginReply reply = ReadReply("m", {1, R"({"ok":false,"error":{"code":"c","message":"bad"}})"});
  ASSERT_EQ(reply.kind, Kind::kError);
  EXPECT_EQ(reply.error.message, "bad");
}

TEST(ReadReplyTest, NonZeroCodeWithoutErrorEnvelopeIsAProtocolFailure) {
  PluginReply text = ReadReply("scheduler.pick", {1, "boom"});
  ASSERT_EQ(text.kind, Kind::kProtocolFailure);
  EXPECT_EQ(text.failure, "plugin call scheduler.pick returned 1: boom");
  // Even a well-formed success envelope, or ok:false without an error object.
  EXPECT_EQ(ReadReply("m", {2, R"({"ok":true,"result":{}})"}).kind, Kind::kProtocolFailure);
  EXPECT_EQ(ReadReply("m", {1, R"({"ok":false})"}).kind, Kind::kProtocolFailure);
  EXPECT_EQ(ReadReply("m", {-1, ""}).kind, Kind::kProtocolFailure);
}

TEST(ReadReplyTest, ReplyThatIsNotAJsonEnvelopeIsAProtocolFailure) {
  PluginReply garbage = ReadReply("scheduler.pick", {0, "not json"});
  ASSERT_EQ(garbage.kind, Kind::kProtocolFailure);
  EXPECT_EQ(garbage.failure.rfind("decode plugin envelope scheduler.pick: ", 0), 0u)
      << garbage.failure;
  EXPECT_EQ(ReadReply("m", {0, "[1,2]"}).kind, Kind::kProtocolFailure);
  EXPECT_EQ(ReadReply("m", {0, R"({"ok":true} trailing)"}).kind, Kind::kProtocolFailure);
  EXPECT_EQ(ReadReply("m", {0, R"({"ok":"yes"})"}).kind, Kind::kProtocolFailure);
}

TEST(ReadReplyTest, EmptyReplyIsAProtocolFailure) {
  PluginReply empty = ReadReply("scheduler.pick", {0, ""});
  ASSERT_EQ(empty.kind, Kind::kProtocolFailure);
  EXPECT_EQ(empty.failure, "decode plugin envelope scheduler.pick: empty reply");
}

}  // namespace
}  // namespace cliproxy::host

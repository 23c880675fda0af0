// Quota state (`headroom`) and `fastest` latency averages in the state stores, through the
// public surface: store_instance processes loading scheduler.so, fed usage records with
// rate-limit headers; a state file across a restart, and two processes sharing a real
// redis-server started by the test.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <fstream>
#include <string>

#include "base/hash.hpp"
#include "scheduler/store/snapshot.hpp"
#include "store_processes.hpp"
#include "support/files.hpp"

namespace cliproxy::store_test {
namespace {

using test_support::TempDir;

constexpr const char* kRecordKey = "sk-PLANTED-record-key";  // store_instance's APIKey/Source

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t UnixNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A Claude plan's 5-hour window `used` (e.g. "0.97"), resetting in an hour.
std::string Claude5h(const std::string& used) {
  const std::string reset = std::to_string(UnixSeconds() + 3600);
  return "Anthropic-Ratelimit-Unified-Status=allowed|Anthropic-Ratelimit-Unified-5h-Status=allowed|"
         "Anthropic-Ratelimit-Unified-5h-Utilization=" +
         used + "|Anthropic-Ratelimit-Unified-5h-Reset=" + reset;
}

const std::string kHeadroomRoutes =
    "routes:\n"
    "  - name: plans\n"
    "    strategy: headroom\n";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string FileState(const std::string& path) {
  return "state: {store: file, path: \"" + path + "\"}\n";
}

std::string RedisState(const RedisServer& redis, const std::string& prefix) {
  return "state: {store: redis, url: \"" + redis.url() + "\", prefix: " + prefix +
         ", interval: 50ms}\n";
}

// The one key of `redis` that starts with `prefix`, or "".
std::string KeyStartingWith(const RedisServer& redis, const std::string& prefix) {
  std::string found;
  for (const std::string& k : redis.Keys()) {
    if (k.rfind(prefix, 0) == 0) found = k;
  }
  return found;
}

// A restart with the file store keeps each account's windows and refusals: a 429 with
// retry-after, a window at 97%, and one at 10%.
TEST(FileStoreQuotaTest, RestartKeepsWindowsAndRefusals) {
  TempDir dir;
  const std::string path = dir.File("state.bin");
  {
    Instance first;
    ASSERT_EQ(first.Config(FileState(path) + kHeadroomRoutes), "ok");
    EXPECT_EQ(first.Record("a", 429, 5, "Retry-After=3600"), "ok");
    EXPECT_EQ(first.Record("b", 0, 5, Claude5h("0.97")), "ok");
    EXPECT_EQ(first.Record("c", 0, 5, Claude5h("0.10")), "ok");
    EXPECT_EQ(first.Explain("-", "a,b,c"), "c");
    first.Quit();  // shutdown writes the last snapshot
  }
  const std::string at_rest = ReadAll(path);
  EXPECT_EQ(at_rest.substr(0, 8), "CPASTATE");
  EXPECT_EQ(at_rest.find(kRecordKey), std::string::npos);
  EXPECT_EQ(at_rest.find("Anthropic"), std::string::npos);  // numbers only, no header

  Instance second;
  ASSERT_EQ(second.Config(FileState(path) + kHeadroomRoutes), "ok");
  EXPECT_EQ(second.Explain("-", "a,b,c"), "c");
  EXPECT_EQ(second.Pick("-", "a,b"), "<error>");  // refused, and over 95%

  // Without the file, both are unknown: the first by ID is probed.
  Instance fresh;
  ASSERT_EQ(fresh.Config(FileState(dir.File("other.bin")) + kHeadroomRoutes), "ok");
  EXPECT_EQ(fresh.Pick("-", "a,b"), "a");
}

// A quota section of the snapshot that does not pass the checks is not trusted at all, even
// the valid part before the damage.
TEST(FileStoreQuotaTest, CorruptQuotaSectionIsRejected) {
  TempDir dir;
  const int64_t now = UnixNanos();
  const int64_t hour = int64_t{3600} * 1'000'000'000;
  // quota/<route>: usage clock, wall time, lost-until, accounts; per account its hash,
  // refused until, refused at, lost-until, windows; per window kind, observed,
  // utilization (double bits), reset, length, rejected.
  auto body = [&](bool damaged) {
    scheduler::SnapshotWriter w;
    w.I64(now);
    w.I64(now);
    w.I64(0);
    w.U64(1);
    w.U64(scheduler::Hash64("a"));
    w.I64(now + hour);  // refused for an hour
    w.I64(now);
    w.I64(0);
    w.U64(damaged ? 1 : 0);
    if (damaged) {
      w.U64(4);  // "5h"
      w.I64(now);
      w.U64(std::bit_cast<uint64_t>(7.0));  // a utilization of 700%
      w.I64(now + hour);
      w.I64(0);
      w.U64(0);
    }
    return w.Take();
  };
  const std::string good = dir.File("good.bin");
  const std::string bad = dir.File("bad.bin");
  WriteAll(good, scheduler::EncodeSnapshot({{"quota/plans", body(false)}}));
  WriteAll(bad, scheduler::EncodeSnapshot({{"quota/plans", body(true)}}));

  Instance trusted;
  ASSERT_EQ(trusted.Config(FileState(good) + kHeadroomRoutes), "ok");
  EXPECT_EQ(trusted.Explain("-", "a,b"), "b");  // the body is well made: a is refused

  Instance rejected;
  ASSERT_EQ(rejected.Config(FileState(bad) + kHeadroomRoutes), "ok");
  EXPECT_EQ(rejected.Explain("-", "a,b"), "a");  // nothing of it was trusted
}

// A restart keeps the latency averages: the pick order reflects what was learnt.
TEST(FileStoreQuotaTest, RestartKeepsFastestAverages) {
  TempDir dir;
  const std::string path = dir.File("state.bin");
  const std::string routes =
      "routes:\n"
      "  - name: fast\n"
      "    strategy: fastest\n"
      "    latency: {explore: 0}\n";
  {
    Instance first;
    ASSERT_EQ(first.Config(FileState(path) + routes), "ok");
    EXPECT_EQ(first.Record("a", 0, 900), "ok");
    EXPECT_EQ(first.Record("b", 0, 100), "ok");
    EXPECT_EQ(first.Explain("-", "a,b"), "b");
    first.Quit();
  }
  Instance second;
  ASSERT_EQ(second.Config(FileState(path) + routes), "ok");
  EXPECT_EQ(second.Pick("-", "a,b"), "b");

  Instance fresh;  // nothing learnt: the first by ID
  ASSERT_EQ(fresh.Config(FileState(dir.File("other.bin")) + routes), "ok");
  EXPECT_EQ(fresh.Pick("-", "a,b"), "a");
}

class RedisQuotaTest : public ::testing::Test {
 protected:
  TempDir dir_;
  RedisServer redis_{dir_.path()};
  void SetUp() override { ASSERT_TRUE(redis_.running()) << "redis-server did not start"; }
};

// A 429 with retry-after seen by instance A, and a window at 99% it read, make instance B
// leave those accounts out after a sync.
TEST_F(RedisQuotaTest, RefusalSeenByOneInstanceHoldsOnTheOther) {
  Instance a, b;
  const std::string config = RedisState(redis_, "quota") + kHeadroomRoutes;
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  EXPECT_EQ(b.Explain("-", "x,y,z"), "x");  // nothing known: the first by ID
  EXPECT_EQ(a.Record("x", 429, 5, "Retry-After=3600"), "ok");
  EXPECT_EQ(a.Record("y", 0, 5, Claude5h("0.99")), "ok");
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Explain("-", "x,y,z"), "z");
  EXPECT_EQ(b.Pick("-", "x,y"), "<error>");

  // Numbers and account hashes only, kept no longer than the latest reset plus a margin.
  const std::string key = KeyStartingWith(redis_, "quota:q:");
  ASSERT_FALSE(key.empty());
  const long long ttl_ms = redis_.Integer({"PTTL", key});
  EXPECT_GT(ttl_ms, 3'000'000);
  EXPECT_LE(ttl_ms, (3600 + 61) * 1000LL);
  const std::string dump = redis_.Dump();
  EXPECT_EQ(dump.find(kRecordKey), std::string::npos) << dump;
  EXPECT_EQ(dump.find("Anthropic"), std::string::npos) << dump;
}

// Picks in flight of a headroom route count on every instance: an account with nothing
// known that instance A is probing is not probed by instance B at the same time.
TEST_F(RedisQuotaTest, PicksInFlightAreCountedAcrossProcesses) {
  Instance a, b;
  const std::string config = RedisState(redis_, "busy") + kHeadroomRoutes;
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  EXPECT_EQ(a.Pick("-", "x,y"), "x");  // no record yet: in flight
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Explain("-", "x,y"), "y");  // alone, b would also probe "x"
  EXPECT_EQ(a.Record("x", 0, 5), "ok");   // x's request ended
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Explain("-", "x,y"), "x");
}

// Redis restarted empty: the facts come back from the instances that hold them, and a new
// instance learns them.
TEST_F(RedisQuotaTest, FactsAreWrittenAgainAfterRedisLosesThem) {
  Instance a;
  const std::string config = RedisState(redis_, "again") + kHeadroomRoutes;
  ASSERT_EQ(a.Config(config), "ok");
  EXPECT_EQ(a.Record("x", 429, 5, "Retry-After=3600"), "ok");
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(redis_.Command({"FLUSHALL"}));
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(a.Sync());
  Instance b;
  ASSERT_EQ(b.Config(config), "ok");
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Explain("-", "x,y"), "y");
}

// Garbage in the quota key (another writer's) is skipped and counted; exchanges go on and
// what is valid is still shared.
TEST_F(RedisQuotaTest, GarbageInTheQuotaKeyIsSkippedAndCounted) {
  Instance a, b;
  const std::string config = RedisState(redis_, "junk") + kHeadroomRoutes;
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  EXPECT_EQ(a.Record("x", 429, 5, "Retry-After=3600"), "ok");
  ASSERT_TRUE(a.Sync());
  const std::string key = KeyStartingWith(redis_, "junk:q:");
  ASSERT_FALSE(key.empty());
  const std::string future = std::to_string(UnixNanos() + int64_t{3600} * 1'000'000'000);
  const std::string now = std::to_string(UnixNanos());
  ASSERT_TRUE(
      redis_.Command({"HSET", key, "not-an-account:5h", now + " 0.5 " + future + " 0 0",  // field
                      "0000000000000001:5h", "x y z",                                     // value
                      "0000000000000002:5h", now + " nan " + future + " 0 0", "0000000000000003:5h",
                      now + " 0.5 " + future + " 0 2", "0000000000000004:9y",
                      now + " 0.5 " + future + " 0 0",  // kind
                      "0000000000000005:refused", now + " " + future + " extra",
                      "0000000000000006:5h", now + " 1e308 " + future + " 0 0"}));
  ASSERT_TRUE(b.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Explain("-", "x,y"), "y");  // the valid fact still holds
  const std::string status = b.Send("status");
  EXPECT_NE(status.find("malformed entries ignored"), std::string::npos) << status;
  EXPECT_NE(status.find("\"Synced\":true"), std::string::npos) << status;
  ASSERT_TRUE(a.Sync());
  EXPECT_EQ(a.Explain("-", "x,y"), "y");
}

}  // namespace
}  // namespace cliproxy::store_test

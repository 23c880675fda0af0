// The state stores through the public surface: store_instance processes, each loading the
// built scheduler.so, sharing a redis-server started by the test (or a state file), and
// what is at rest read back for secrets.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "scheduler/config.hpp"
#include "scheduler/logger.hpp"
#include "scheduler/store/keyed_hash.hpp"
#include "scheduler/store/snapshot.hpp"
#include "scheduler/store/state_store.hpp"
#include "store_processes.hpp"
#include "support/files.hpp"

namespace cliproxy::store_test {
namespace {

// A socket listening on a free loopback port (fd -1 if that failed); `flags` are added to
// SOCK_STREAM (e.g. SOCK_NONBLOCK).
struct LoopbackListener {
  int fd = -1;
  int port = 0;
};
LoopbackListener ListenOnLoopback(int flags) {
  LoopbackListener out;
  const int fd = ::socket(AF_INET, SOCK_STREAM | flags, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || ::listen(fd, 16) != 0) {
    if (fd >= 0) ::close(fd);
    return out;
  }
  out.fd = fd;
  out.port = ntohs(addr.sin_port);
  return out;
}

using test_support::TempDir;

constexpr const char* kPlantedApiKey = "sk-PLANTED-api-key-7c1d";
constexpr const char* kPlantedSession = "PLANTED-session-5e9a";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string RedisState(const RedisServer& redis, const std::string& prefix) {
  return "state: {store: redis, url: \"" + redis.url() + "\", prefix: " + prefix +
         ", interval: 50ms}\n";
}

std::string BudgetRoutes(long limit) {
  return "routes:\n"
         "  - name: budget\n"
         "    strategy: least-used\n"
         "    usage: {window: 1h, limit: " +
         std::to_string(limit) + "}\n";
}

const std::string kStickyRoutes =
    "routes:\n"
    "  - name: sessions\n"
    "    strategy: sticky\n"
    "    session: {headers: [X-Session-Id]}\n";

// A session key whose rendezvous choice over "a,b" (nothing bound) is "a", asked of
// `instance` without binding anything.
std::string SessionGoingTo(Instance& instance, const std::string& prefix) {
  for (int i = 0; i < 64; ++i) {
    const std::string s = prefix + std::to_string(i);
    if (instance.Explain(s, "a,b") == "a") return s;
  }
  ADD_FAILURE() << "no session key goes to a";
  return prefix;
}

// Two instances spend one least-used budget (limit L, 1000 tokens a request) in rounds:
// each makes up to k picks (each followed by its usage record) without seeing the other's,
// then both sync. Returns the tokens spent by both.
long SpendBudget(Instance& a, Instance& b, long limit, int k, bool sync) {
  long spent = 0;
  for (int round = 0; round < 100; ++round) {
    int admitted = 0;
    for (Instance* instance : {&a, &b}) {
      for (int i = 0; i < k; ++i) {
        if (instance->Pick("-", "acct") != "acct") break;
        EXPECT_EQ(instance->Usage("acct", 1000, kPlantedApiKey), "ok");
        spent += 1000;
        ++admitted;
      }
    }
    if (sync) {
      EXPECT_TRUE(a.Sync());
      EXPECT_TRUE(b.Sync());
      EXPECT_TRUE(a.Sync());
    }
    if (admitted == 0) break;
  }
  (void)limit;
  return spent;
}

class RedisStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  RedisServer redis_{dir_.path()};
  void SetUp() override { ASSERT_TRUE(redis_.running()) << "redis-server did not start"; }
};

// The stated bound: a budget overshoots by at most what the other instances admit before
// they are seen (here k requests of 1000 tokens: k * 1000) plus one request.
TEST_F(RedisStoreTest, LeastUsedBudgetHoldsAcrossTwoProcesses) {
  constexpr long kLimit = 20'000;
  constexpr int kUnseen = 3;
  Instance a, b;
  const std::string config = RedisState(redis_, "budget") + BudgetRoutes(kLimit);
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  const long spent = SpendBudget(a, b, kLimit, kUnseen, /*sync=*/true);
  EXPECT_GE(spent, kLimit);
  EXPECT_LE(spent, kLimit + kUnseen * 1000 + 1000);

  // Each process alone (memory) spends the whole budget: twice the limit in all.
  Instance c, d;
  ASSERT_EQ(c.Config(BudgetRoutes(kLimit)), "ok");
  ASSERT_EQ(d.Config(BudgetRoutes(kLimit)), "ok");
  EXPECT_GE(SpendBudget(c, d, kLimit, kUnseen, /*sync=*/false), 2 * kLimit);

  // No usage record's APIKey/Source is at rest.
  const std::string dump = redis_.Dump();
  EXPECT_NE(dump.find("budget:u:"), std::string::npos) << dump;
  EXPECT_EQ(dump.find(kPlantedApiKey), std::string::npos);
}

TEST_F(RedisStoreTest, StickySessionsAgreeAcrossProcesses) {
  Instance a, b;
  const std::string config = RedisState(redis_, "sticky") + kStickyRoutes;
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  const std::string session = SessionGoingTo(b, kPlantedSession);
  // a sees only b's account "b" offered: the session is bound to "b" there...
  EXPECT_EQ(a.Pick(session, "b"), "b");
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  // ...and b, offered both, follows the binding rather than its own choice ("a").
  EXPECT_EQ(b.Pick(session, "a,b"), "b");
  EXPECT_EQ(a.Pick(session, "a,b"), "b");

  const std::string dump = redis_.Dump();
  EXPECT_NE(dump.find("sticky:s:"), std::string::npos) << dump;
  EXPECT_EQ(dump.find(kPlantedSession), std::string::npos) << dump;
  EXPECT_EQ(dump.find(session), std::string::npos);
}

// Entries of the bindings stream that do not parse (another writer's) are skipped: later
// bindings still reach the other instances, and exchanges keep succeeding.
TEST_F(RedisStoreTest, MalformedStreamEntriesAreSkipped) {
  Instance a, b;
  const std::string config = RedisState(redis_, "bad") + kStickyRoutes;
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  EXPECT_EQ(a.Pick("first", "b"), "b");
  ASSERT_TRUE(a.Sync());
  std::string stream;
  for (const std::string& k : redis_.Keys()) {
    if (k.find("bad:s:") == 0) stream = k;
  }
  ASSERT_FALSE(stream.empty());
  ASSERT_TRUE(redis_.Command({"XADD", stream, "*", "b", "garbage"}));
  ASSERT_TRUE(redis_.Command({"XADD", stream, "*", "q", "1", "w", "2"}));
  ASSERT_TRUE(redis_.Command({"XADD", stream, "*", "b",
                              "x 0000000000000001 0000000000000002 0000000000000002 "
                              "-9223372036854775808"}));
  const std::string session = SessionGoingTo(b, "after-");
  EXPECT_EQ(a.Pick(session, "b"), "b");
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Pick(session, "a,b"), "b");
}

TEST_F(RedisStoreTest, PicksInFlightAreCountedAcrossProcesses) {
  Instance a, b;
  const std::string config =
      RedisState(redis_, "flight") + "routes:\n  - name: spread\n    strategy: least-used\n";
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  EXPECT_EQ(a.Pick("-", "a,b"), "a");  // no record yet: in flight
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Pick("-", "a,b"), "b");  // alone, b would also have chosen "a"
  ASSERT_TRUE(b.Sync());
  ASSERT_TRUE(a.Sync());
  EXPECT_EQ(a.Pick("-", "a,b,c"), "c");
}

// `pool.max_in_flight` is a cap on the fleet: a pick in flight on one instance takes the
// account's place on the other once they have exchanged (and only with the Redis store).
TEST_F(RedisStoreTest, InFlightCapHoldsAcrossProcesses) {
  const std::string routes =
      "routes:\n  - name: capped\n    strategy: fill-first\n    pool: {max_in_flight: 1}\n";
  Instance a, b;
  const std::string config = RedisState(redis_, "cap") + routes;
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  EXPECT_EQ(a.Pick("-", "a,b"), "a");  // no record yet: in flight until it ends
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Pick("-", "a,b"), "b");  // alone, fill-first would choose "a"
  ASSERT_TRUE(b.Sync());
  ASSERT_TRUE(a.Sync());
  EXPECT_EQ(a.Pick("-", "a,b"), "<error>");  // both at the cap: when_empty deny
  // A record ends a's pick on `a`: the fleet sees the place free again.
  EXPECT_EQ(a.Record("a", 0, 100), "ok");
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Pick("-", "a,b"), "a");

  // The same with each instance's memory: the cap holds per instance only.
  Instance c, d;
  ASSERT_EQ(c.Config(routes), "ok");
  ASSERT_EQ(d.Config(routes), "ok");
  EXPECT_EQ(c.Pick("-", "a,b"), "a");
  EXPECT_EQ(d.Pick("-", "a,b"), "a");
}

// A reconfigure to another store that is rejected (here a bad strategy) leaves the Redis
// store in force sharing as before.
TEST_F(RedisStoreTest, RejectedReconfigureKeepsSharing) {
  TempDir files;
  Instance a, b;
  const std::string config =
      RedisState(redis_, "kept") + "routes:\n  - name: spread\n    strategy: least-used\n";
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  // Answered ok (the last good configuration stays in force), and not used.
  ASSERT_EQ(a.Config("state: {store: file, path: \"" + files.File("s.bin") +
                     "\"}\nroutes:\n  - name: spread\n    strategy: nope\n"),
            "ok");
  EXPECT_EQ(a.Pick("-", "a,b"), "a");
  ASSERT_TRUE(a.Sync());
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(b.Pick("-", "a,b"), "b");
  EXPECT_FALSE(std::filesystem::exists(files.File("s.bin")));
}

// A rejected configuration naming another Redis never connects to it.
TEST(RedisStoreFaultTest, RejectedConfigurationNeverConnects) {
  const LoopbackListener loopback = ListenOnLoopback(SOCK_NONBLOCK);
  ASSERT_GE(loopback.fd, 0);
  const int listener = loopback.fd;
  {
    Instance a;
    ASSERT_EQ(a.Config(kStickyRoutes), "ok");
    ASSERT_EQ(
        a.Config("state: {store: redis, url: \"redis://127.0.0.1:" + std::to_string(loopback.port) +
                 "/0\"}\nroutes:\n  - name: sessions\n    strategy: nope\n"),
        "ok");  // rejected: the last good configuration stays in force
    EXPECT_TRUE(a.Sync());
    EXPECT_EQ(a.Pick("s", "a"), "a");
    a.Quit();
  }
  EXPECT_LT(::accept(listener, nullptr, nullptr), 0);  // nobody ever connected
  ::close(listener);
}

TEST_F(RedisStoreTest, RedisKilledMidRunPicksGoOnAndStateResyncs) {
  Instance a, b;
  const std::string config = RedisState(redis_, "fault") + BudgetRoutes(0);
  ASSERT_EQ(a.Config(config), "ok");
  ASSERT_EQ(b.Config(config), "ok");
  EXPECT_EQ(a.Pick("-", "a,b"), "a");
  EXPECT_EQ(a.Usage("a", 1000), "ok");
  ASSERT_TRUE(a.Sync());
  const int port = redis_.port();
  redis_.Stop();
  for (int i = 0; i < 50; ++i) {
    const std::string chosen = a.Pick("-", "a,b");
    EXPECT_TRUE(chosen == "a" || chosen == "b") << chosen;
    EXPECT_EQ(a.Usage(chosen, 10), "ok");
    const std::string other = b.Pick("-", "a,b");
    EXPECT_TRUE(other == "a" || other == "b") << other;
  }
  EXPECT_FALSE(a.Sync());
  // Back, empty: both instances push their state again.
  RedisServer restarted(dir_.path(), port);
  ASSERT_TRUE(restarted.running());
  bool synced = false;
  for (int i = 0; i < 20 && !synced; ++i) synced = a.Sync() && b.Sync();
  EXPECT_TRUE(synced);
  std::string keys;
  for (const std::string& k : restarted.Keys()) keys += k + " ";
  EXPECT_NE(keys.find("fault:u:"), std::string::npos) << keys;
  EXPECT_EQ(b.Pick("-", "a,b"), "b");  // sees a's usage again
}

// A server that answers every command with bytes that are not the Redis protocol.
TEST(RedisStoreFaultTest, GarbageAnswersNeverFailAPick) {
  const LoopbackListener loopback = ListenOnLoopback(0);
  ASSERT_GE(loopback.fd, 0);
  const int listener = loopback.fd;
  std::atomic<bool> stop{false};
  std::thread server([&] {
    while (!stop) {
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) return;
      char buf[512];
      if (::read(fd, buf, sizeof buf) > 0) {
        const char garbage[] = "?\x01\xff garbage\r\n";
        (void)::write(fd, garbage, sizeof garbage - 1);
      }
      ::close(fd);
    }
  });
  {
    Instance a;
    const std::string config =
        "state: {store: redis, url: \"redis://127.0.0.1:" + std::to_string(loopback.port) +
        "/0\", interval: 20ms}\n" + BudgetRoutes(5000);
    ASSERT_EQ(a.Config(config), "ok");
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(a.Pick("-", "a"), "a");
      EXPECT_EQ(a.Usage("a", 1000), "ok");
    }
    EXPECT_EQ(a.Pick("-", "a"), "<error>");  // the local budget still holds
    EXPECT_FALSE(a.Sync());
  }
  stop = true;
  ::shutdown(listener, SHUT_RDWR);
  ::close(listener);
  server.join();
}

// A server that accepts connections and never answers (a Redis that hangs): every batch
// times out on the store's thread; picks are not held up.
TEST(RedisStoreFaultTest, SilentServerNeverHoldsAPick) {
  // The kernel accepts; nobody ever reads or writes.
  const LoopbackListener loopback = ListenOnLoopback(0);
  ASSERT_GE(loopback.fd, 0);
  const int listener = loopback.fd;
  {
    Instance a;
    const std::string config =
        "state: {store: redis, url: \"redis://127.0.0.1:" + std::to_string(loopback.port) +
        "/0\"}\n" + kStickyRoutes;
    ASSERT_EQ(a.Config(config), "ok");
    for (int i = 0; i < 20; ++i) EXPECT_EQ(a.Pick("s" + std::to_string(i % 3), "a"), "a");
    EXPECT_FALSE(a.Sync());
    EXPECT_EQ(a.Pick("s1", "a,b"), a.Pick("s1", "b,a"));
  }
  ::close(listener);
}

// A Redis that answers the handshake, then drops the connection while a large batch (a full
// push of 100,000 bindings restored from a state file) is being written to it: the write
// fails with EPIPE on the store's thread; SIGPIPE must not end the process.
TEST(RedisStoreFaultTest, ConnectionDroppedMidBatchDoesNotKillTheProcess) {
  TempDir dir;
  const std::string path = dir.File("state.bin");
  {
    scheduler::SnapshotWriter body;
    constexpr uint64_t kBindings = 100'000;
    body.U64(kBindings);
    for (uint64_t i = 0; i < kBindings; ++i) {
      body.U64(0x1000 + i);  // session hash
      body.U64(0xabc);       // account
      body.U64(0xabc);       // home
      body.I64(1000);        // age (ms)
    }
    body.I64(std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count());
    WriteAll(path, scheduler::EncodeSnapshot({{"sticky/sessions", body.Take()}}));
  }
  const LoopbackListener loopback = ListenOnLoopback(0);
  ASSERT_GE(loopback.fd, 0);
  const int listener = loopback.fd;
  std::atomic<bool> stop{false};
  std::thread server([&] {
    while (!stop) {
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) return;
      std::string seen;
      char buf[512];
      ssize_t n = 0;
      while (seen.find("PING") == std::string::npos && (n = ::read(fd, buf, sizeof buf)) > 0) {
        seen.append(buf, static_cast<size_t>(n));
      }
      const char pong[] = "+PONG\r\n";
      (void)::write(fd, pong, sizeof pong - 1);
      ::close(fd);  // everything read: a FIN, then a reset for what is sent next
    }
  });
  {
    Instance a;
    const std::string routes =
        "routes:\n"
        "  - name: sessions\n"
        "    strategy: sticky\n"
        "    session: {headers: [X-Session-Id], max_sessions: 200000}\n";
    ASSERT_EQ(a.Config("state: {store: file, path: \"" + path + "\"}\n" + routes), "ok");
    ASSERT_EQ(a.Config("state: {store: redis, url: \"redis://127.0.0.1:" +
                       std::to_string(loopback.port) + "/0\", interval: 20ms}\n" + routes),
              "ok");
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(a.Sync());
    EXPECT_EQ(a.Pick("s1", "a"), "a");  // still alive
  }
  stop = true;
  ::shutdown(listener, SHUT_RDWR);
  ::close(listener);
  server.join();
}

TEST_F(RedisStoreTest, ReconfigureBetweenStoresLive) {
  // One secret for the hashes of session keys in all three: bindings keep their identity.
  TempDir files;
  const std::string path = files.path() + "/state.bin";
  Instance a;
  ASSERT_EQ(a.Config("state: {secret: s3}\n" + kStickyRoutes), "ok");
  const std::string session = SessionGoingTo(a, "live-");
  EXPECT_EQ(a.Pick(session, "b"), "b");
  ASSERT_EQ(a.Config("state: {store: file, secret: s3, path: \"" + path + "\"}\n" + kStickyRoutes),
            "ok");
  EXPECT_EQ(a.Pick(session, "a,b"), "b");  // the binding made in memory is kept
  ASSERT_TRUE(a.Sync());
  EXPECT_EQ(ReadAll(path).substr(0, 8), "CPASTATE");
  ASSERT_EQ(a.Config("state: {store: redis, secret: s3, url: \"" + redis_.url() +
                     "\", prefix: live}\n" + kStickyRoutes),
            "ok");
  EXPECT_EQ(a.Pick(session, "a,b"), "b");
  ASSERT_TRUE(a.Sync());
  EXPECT_NE(redis_.Dump().find("live:s:"), std::string::npos);
  ASSERT_EQ(a.Config("state: {secret: s3}\n" + kStickyRoutes), "ok");
  EXPECT_EQ(a.Pick(session, "a,b"), "b");
}

class FileStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.path() + "/state.bin";
  std::string Config() const {
    return "state: {store: file, path: \"" + path_ +
           "\"}\n"
           "routes:\n"
           "  - name: sessions\n"
           "    when: {headers: {X-Session-Id: \"*\"}}\n"
           "    strategy: sticky\n"
           "    session: {headers: [X-Session-Id]}\n"
           "  - name: spread\n"
           "    strategy: least-used\n";
  }
};

TEST_F(FileStoreTest, RestartKeepsBindingsAndWindows) {
  std::string session;
  {
    Instance first;
    ASSERT_EQ(first.Config(Config()), "ok");
    session = SessionGoingTo(first, kPlantedSession);
    EXPECT_EQ(first.Pick(session, "b"), "b");
    EXPECT_EQ(first.Usage("a", 5000, kPlantedApiKey), "ok");
    first.Quit();  // shutdown writes the last snapshot
  }
  const std::string at_rest = ReadAll(path_);
  EXPECT_EQ(at_rest.substr(0, 8), "CPASTATE");
  EXPECT_EQ(at_rest.find(kPlantedSession), std::string::npos);
  EXPECT_EQ(at_rest.find(session), std::string::npos);
  EXPECT_EQ(at_rest.find(kPlantedApiKey), std::string::npos);

  Instance second;
  ASSERT_EQ(second.Config(Config()), "ok");
  EXPECT_EQ(second.Pick(session, "a,b"), "b");  // the binding survived
  EXPECT_EQ(second.Pick("-", "a,b"), "b");      // and a's 5000 tokens in the window

  // Without the file, a new process starts from nothing.
  Instance fresh;
  path_ = dir_.path() + "/other.bin";
  ASSERT_EQ(fresh.Config(Config()), "ok");
  EXPECT_EQ(fresh.Pick(session, "a,b"), "a");
  EXPECT_EQ(fresh.Pick("-", "a,b"), "a");
}

TEST_F(FileStoreTest, ForeignFileIsIgnoredAndLeftUntouched) {
  WriteAll(path_, "these are somebody else's bytes\n");
  Instance a;
  ASSERT_EQ(a.Config(Config()), "ok");
  EXPECT_EQ(a.Pick("-", "a,b"), "a");
  EXPECT_FALSE(a.Sync());
  a.Quit();
  EXPECT_EQ(ReadAll(path_), "these are somebody else's bytes\n");
}

TEST_F(FileStoreTest, CorruptFileIsIgnoredThenReplaced) {
  std::string bytes = "CPASTATE";
  bytes += std::string(40, '\x7f');
  WriteAll(path_, bytes);
  Instance a;
  ASSERT_EQ(a.Config(Config()), "ok");
  EXPECT_EQ(a.Pick("-", "a,b"), "a");
  EXPECT_TRUE(a.Sync());
  EXPECT_NE(ReadAll(path_), bytes);
  EXPECT_EQ(ReadAll(path_).substr(0, 8), "CPASTATE");
}

// A FIFO at `path` neither blocks the configuration nor is written to; a link planted at the
// old fixed temporary name is not followed.
TEST_F(FileStoreTest, FifoIsRefusedAndPlantedLinkIsNotFollowed) {
  ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
  {
    Instance a;
    ASSERT_EQ(a.Config(Config()), "ok");
    EXPECT_EQ(a.Pick("-", "a,b"), "a");
    EXPECT_FALSE(a.Sync());
    a.Quit();
  }
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));

  const std::string victim = dir_.File("victim");
  WriteAll(victim, "victim");
  path_ = dir_.File("state2.bin");
  ASSERT_EQ(::symlink(victim.c_str(), (path_ + ".tmp").c_str()), 0);
  Instance b;
  ASSERT_EQ(b.Config(Config()), "ok");
  EXPECT_TRUE(b.Sync());
  EXPECT_EQ(ReadAll(victim), "victim");
  EXPECT_EQ(ReadAll(path_).substr(0, 8), "CPASTATE");
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

std::string ConfigError(const std::string& yaml) {
  try {
    scheduler::ParseConfig(yaml);
  } catch (const scheduler::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(StoreConfigTest, ErrorsNameKeyLineAndColumn) {
  EXPECT_EQ(ConfigError("state: {store: disk}"),
            "state.store: line 1, column 16: unknown store \"disk\" (known: memory, file, redis)");
  EXPECT_EQ(ConfigError("state:\n  store: file\n"),
            "state: line 2, column 3: `store: file` needs a `path`");
  EXPECT_EQ(ConfigError("state:\n  store: redis\n  url: http://secret@x\n"),
            "state.url: line 3, column 8: expected redis://host:port/db");
  EXPECT_EQ(ConfigError("state:\n  store: redis\n  url: redis://:pw@h:99999\n"),
            "state.url: line 3, column 8: the port must be a number from 1 to 65535");
  EXPECT_EQ(ConfigError("state: {store: memory, path: x}"),
            "state.path: line 1, column 30: only read with `store: file`");
  EXPECT_EQ(ConfigError("state: {store: redis, interval: 1ms}"),
            "state.interval: line 1, column 33: must be from 10ms to 10m");
  EXPECT_EQ(ConfigError("state: {stor: redis}").substr(0, 27), "state.stor: line 1, column ");
  EXPECT_EQ(ConfigError("state: {store: redis, url: \"redis://u:pw@h:6379/2\", prefix: p}"), "");
}

}  // namespace
}  // namespace cliproxy::store_test

namespace cliproxy::store_test {
namespace {

// The reference vectors of SipHash-2-4 (key 00..0f; messages 00..n-1).
TEST(KeyedHashTest, MatchesSipHashReferenceVectors) {
  const scheduler::KeyedHash sip(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL);
  std::string message;
  EXPECT_EQ(sip.Hash(message), 0x726fdb47dd0e0e31ULL);
  for (int i = 0; i < 15; ++i) message.push_back(static_cast<char>(i));
  EXPECT_EQ(sip.Hash(message), 0xa129ca6149be45e5ULL);
  EXPECT_NE(scheduler::KeyedHash("a").Hash("session"), scheduler::KeyedHash("b").Hash("session"));
}

TEST(SnapshotTest, EveryDamagedByteIsRefused) {
  const std::string good = scheduler::EncodeSnapshot({{"sticky/r", "body"}, {"x", ""}});
  std::map<std::string, std::string> sections;
  std::string why;
  ASSERT_EQ(scheduler::DecodeSnapshot(good, &sections, &why), scheduler::SnapshotProblem::kNone);
  EXPECT_EQ(sections.at("sticky/r"), "body");
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_NE(scheduler::DecodeSnapshot(bad, &sections, &why), scheduler::SnapshotProblem::kNone)
        << i;
    EXPECT_TRUE(sections.empty());
  }
  EXPECT_EQ(scheduler::DecodeSnapshot(good.substr(0, good.size() - 1), &sections, &why),
            scheduler::SnapshotProblem::kCorrupt);
  EXPECT_EQ(scheduler::DecodeSnapshot("{\"json\":1}", &sections, &why),
            scheduler::SnapshotProblem::kForeign);
}

}  // namespace
}  // namespace cliproxy::store_test

namespace cliproxy::store_test {
namespace {

// Collects the warnings a store logs (what the plugin sends to host.log).
class CapturingLogger : public scheduler::Logger {
 public:
  void Warn(std::string_view message) const noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.emplace_back(message);
  }
  std::vector<std::string> Lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }
  int Count(const std::string& part) const {
    int n = 0;
    for (const std::string& line : Lines()) n += line.find(part) != std::string::npos;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::vector<std::string> lines_;
};

scheduler::StoreConfig RedisConfig(int port, const std::string& password = "") {
  scheduler::StoreConfig c;
  c.kind = scheduler::StoreConfig::Kind::kRedis;
  c.redis.port = port;
  c.redis.password = password;
  c.prefix = "log";
  c.interval = std::chrono::milliseconds(20);
  return c;
}

// One line per transition: unreachable at start, reachable again, lost, reachable again.
TEST(RedisStoreLogTest, OneLinePerTransition) {
  TempDir dir;
  const int port = FreePort();
  auto logger = std::make_shared<CapturingLogger>();
  std::shared_ptr<scheduler::StateStore> store =
      scheduler::MakeStateStore(RedisConfig(port), logger);
  store->Start();
  auto sync_eventually = [&] {
    for (int i = 0; i < 20; ++i) {
      if (store->SyncNow(std::chrono::seconds(5))) return true;
    }
    return false;
  };
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(store->SyncNow(std::chrono::seconds(5)));
  EXPECT_EQ(logger->Count("is unreachable"), 1);
  auto redis = std::make_unique<RedisServer>(dir.path(), port);
  ASSERT_TRUE(redis->running());
  EXPECT_TRUE(sync_eventually());
  EXPECT_EQ(logger->Count("is reachable again"), 1);
  redis->Stop();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(store->SyncNow(std::chrono::seconds(5)));
  EXPECT_EQ(logger->Count("was lost"), 1);
  redis = std::make_unique<RedisServer>(dir.path(), port);
  EXPECT_TRUE(sync_eventually());
  EXPECT_EQ(logger->Count("is reachable again"), 2);
  EXPECT_EQ(logger->Lines().size(), 4u);
  store->Close();
}

// A password in the URL reaches Redis with AUTH and never a log line (here Redis refuses
// it: no password is configured).
TEST(RedisStoreLogTest, PasswordIsNeverLogged) {
  TempDir dir;
  RedisServer redis(dir.path());
  ASSERT_TRUE(redis.running());
  auto logger = std::make_shared<CapturingLogger>();
  std::shared_ptr<scheduler::StateStore> store =
      scheduler::MakeStateStore(RedisConfig(redis.port(), "never-logged-pw"), logger);
  store->Start();
  EXPECT_FALSE(store->SyncNow(std::chrono::seconds(5)));
  store->Close();
  ASSERT_EQ(logger->Lines().size(), 1u);
  EXPECT_EQ(logger->Lines()[0].find("never-logged-pw"), std::string::npos) << logger->Lines()[0];
  EXPECT_EQ(store->Describe().find("never-logged-pw"), std::string::npos);
}

// Close() may be called from several threads at once (shutdown racing a reconfigure): the
// thread is joined once, every caller returns, and the store is inert after.
TEST(StoreCloseTest, ConcurrentCloseIsIdempotent) {
  TempDir dir;
  scheduler::StoreConfig file;
  file.kind = scheduler::StoreConfig::Kind::kFile;
  file.path = dir.File("state.bin");
  for (const scheduler::StoreConfig& config : {RedisConfig(FreePort()), file}) {
    std::shared_ptr<scheduler::StateStore> store = scheduler::MakeStateStore(config, nullptr);
    store->Start();
    std::vector<std::thread> closers;
    for (int i = 0; i < 4; ++i) closers.emplace_back([&] { store->Close(); });
    for (std::thread& t : closers) t.join();
    EXPECT_FALSE(store->SyncNow(std::chrono::milliseconds(10)));
    store->Start();  // inert: no thread again
    store->Close();
  }
}

// The file store reports a damaged file once, at start.
TEST(FileStoreLogTest, DamagedFileIsReportedOnce) {
  TempDir dir;
  const std::string path = dir.File("state.bin");
  WriteAll(path, "CPASTATE and then nothing valid");
  auto logger = std::make_shared<CapturingLogger>();
  scheduler::StoreConfig c;
  c.kind = scheduler::StoreConfig::Kind::kFile;
  c.path = path;
  std::shared_ptr<scheduler::StateStore> store = scheduler::MakeStateStore(c, logger);
  store->Start();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(store->SyncNow(std::chrono::seconds(5)));
  store->Close();
  ASSERT_EQ(logger->Lines().size(), 1u);
  EXPECT_NE(logger->Lines()[0].find("is damaged"), std::string::npos) << logger->Lines()[0];
}

}  // namespace
}  // namespace cliproxy::store_test

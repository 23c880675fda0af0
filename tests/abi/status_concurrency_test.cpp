// The status page racing picks, usage records and reconfigures through the ABI: every pick
// is counted exactly once (the counters since start and the route's account counts add up),
// and every page rendered meanwhile is a whole JSON document.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "scheduler_so.hpp"

namespace cliproxy::abi_test {
namespace {

constexpr int kPickThreads = 4;
constexpr int kPicksPerThread = 2000;

const char kConfig[] =
    "routes:\n  - name: even\n    strategy: least-used\n    usage: {measure: requests}\n";

std::string StatusRequest() {
  return R"({"Method":"GET","Path":"/v0/management/plugins/scheduler/status","Body":null})";
}

// The JSON document of a management.handle reply (base64 Body), parsed.
bool ParseStatus(const Reply& reply, rapidjson::Document* d) {
  Envelope env = ReadEnvelope(reply.body);
  if (!env.ok) return false;
  rapidjson::Document r;
  r.Parse(env.result.c_str());
  if (!r.IsObject() || !r["Body"].IsString()) return false;
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string body;
  uint32_t acc = 0;
  int bits = 0;
  for (const char* c = r["Body"].GetString(); *c != '\0' && *c != '='; ++c) {
    acc = (acc << 6) | static_cast<uint32_t>(kAlphabet.find(*c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      body.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  d->Parse(body.c_str());
  return d->IsObject();
}

TEST(AbiStatusConcurrency, EveryPickIsCountedOnceWhilePagesRenderAndConfigurationsChange) {
  SchedulerSo so;
  ASSERT_TRUE(ReadEnvelope(so.Register(LifecycleBody(kConfig)).body).ok);
  std::atomic<bool> done{false};
  std::atomic<int> bad_pages{0};
  std::atomic<long> pages{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kPickThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string pick = PickBody({"a" + std::to_string(t), "b", "c"});
      for (int i = 0; i < kPicksPerThread; ++i) so.Pick(pick);
    });
  }
  std::thread records([&] {
    const std::string record = R"({"AuthID":"b","Latency":1000000,"Detail":{"TotalTokens":5}})";
    while (!done.load()) so.Call("usage.handle", record);
  });
  std::thread renderer([&] {
    while (!done.load()) {
      rapidjson::Document d;
      if (!ParseStatus(so.Call("management.handle", StatusRequest()), &d)) ++bad_pages;
      ++pages;
    }
  });
  std::thread reconfigurer([&] {
    for (int i = 0; i < 20 && !done.load(); ++i) so.Reconfigure(LifecycleBody(kConfig));
  });
  for (int t = 0; t < kPickThreads; ++t) threads[t].join();
  done = true;
  records.join();
  renderer.join();
  reconfigurer.join();

  EXPECT_EQ(bad_pages.load(), 0) << "of " << pages.load();
  rapidjson::Document d;
  ASSERT_TRUE(ParseStatus(so.Call("management.handle", StatusRequest()), &d));
  const uint64_t total = static_cast<uint64_t>(kPickThreads) * kPicksPerThread;
  EXPECT_EQ(d["counters"]["picks"].GetUint64(), total);
  EXPECT_EQ(d["counters"]["auth"].GetUint64(), total);
  const auto& route = d["routes"][0];
  EXPECT_EQ(route["picks"].GetUint64(), total);  // the route kept its counts across reconfigures
  uint64_t by_account = 0;
  for (const auto& a : route["accounts"].GetArray()) by_account += a["picks"].GetUint64();
  EXPECT_EQ(by_account + route["accounts_omitted_picks"].GetUint64() +
                route["other_accounts_picks"].GetUint64(),
            total);
}

}  // namespace
}  // namespace cliproxy::abi_test

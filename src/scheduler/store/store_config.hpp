// StoreConfig: the top-level key `state:` (docs/state.md): where the scheduler keeps the
// state its strategies learn (sticky bindings, usage windows and budgets, picks in flight).
//
//   state: {store: memory}                                  # the default: this process only
//   state: {store: file, path: /var/lib/cpa/state.bin}      # snapshots, read at start
//   state: {store: redis, url: redis://127.0.0.1:6379/0, prefix: cpa}   # shared by a fleet
//
// Optional for every store: `secret` (the key of the hashes of session keys at rest; by
// default derived from `prefix`), `prefix` (default "cpa-sched"), `interval` (how often a
// file is written, default 5s; how often Redis is exchanged with, default 250ms).
//
// Thread-safety: a plain value.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_STORE_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_STORE_CONFIG_HPP_

#include <chrono>
#include <cstdint>
#include <string>

#include "base/yaml_reader.hpp"

namespace cliproxy::scheduler {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string user;      // from the URL's user information (Redis 6 ACL); "" for none
  std::string password;  // from the URL's user information; never logged
  bool operator==(const RedisAddress&) const = default;
  // "redis://host:port/db", without the password: for log lines.
  std::string Display() const;
};

struct StoreConfig {
  enum class Kind { kMemory, kFile, kRedis };
  Kind kind = Kind::kMemory;
  std::string path;    // kFile
  RedisAddress redis;  // kRedis
  std::string prefix = "cpa-sched";
  std::string secret;                     // empty: derived from the prefix
  std::chrono::milliseconds interval{0};  // 0: the store's default

  bool operator==(const StoreConfig&) const = default;
  // The secret the hashes of session keys at rest are keyed with.
  std::string HashSecret() const {
    return secret.empty() ? "cliproxy-scheduler/" + prefix : secret;
  }
};

inline constexpr std::chrono::milliseconds kDefaultFileInterval = std::chrono::seconds(5);
inline constexpr std::chrono::milliseconds kDefaultRedisInterval{250};

// Reads the value of `state:`. Throws ConfigError naming `state.<key>` with line and column.
StoreConfig ParseStoreConfig(const YamlReader& value);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_STORE_CONFIG_HPP_

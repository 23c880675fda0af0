// RedisConnection: one blocking connection to a Redis server (hiredis, linked into
// scheduler.so), used only by RedisStore's thread. Commands are pipelined: a batch is sent
// at once and its replies read in order. Every read and write has a time-out, so a slow or
// silent server costs the store's thread at most that long per batch, never a pick.
//
// Replies are copied out of hiredis into Reply values, checked for their kind by the
// caller; an error reply, a protocol error (garbage) or an I/O error fails the batch and
// drops the connection.
//
// Thread-safety: none; one thread owns a connection.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_REDIS_CONNECTION_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_REDIS_CONNECTION_HPP_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "scheduler/store/store_config.hpp"

struct redisContext;

namespace cliproxy::scheduler {

class RedisConnection {
 public:
  struct Reply {
    enum class Kind { kNil, kInteger, kString, kStatus, kArray };
    Kind kind = Kind::kNil;
    int64_t integer = 0;
    std::string text;          // kString, kStatus
    std::vector<Reply> items;  // kArray
  };
  using Command = std::vector<std::string>;

  RedisConnection() = default;
  ~RedisConnection() { Close(); }
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects, authenticates (a password in the URL) and selects the database; "" on
  // success, else what went wrong (never the password).
  std::string Connect(const RedisAddress& address, std::chrono::milliseconds timeout);
  bool connected() const { return context_ != nullptr; }
  void Close();

  // Sends `commands` and reads one reply each into `replies`. On failure returns false with
  // `problem` set and closes the connection.
  bool Run(const std::vector<Command>& commands, std::vector<Reply>* replies, std::string* problem);

 private:
  redisContext* context_ = nullptr;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_REDIS_CONNECTION_HPP_

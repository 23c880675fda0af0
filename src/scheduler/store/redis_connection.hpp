// RedisConnection: one blocking connection to a Redis server (hiredis, linked into
// scheduler.so), used only by RedisStore's thread. Commands are pipelined: a batch is sent
// at once and its replies read in order. Every read and write has a time-out, and a batch
// has an overall deadline, so a slow, silent or trickling server costs the store's thread
// at most that long per batch, never a pick. Interrupt() (from any thread) shuts the
// socket down so that a blocked read or write returns at once (RedisStore::Close).
//
// Replies are copied out of hiredis into Reply values, checked for their kind by the
// caller; an error reply, a protocol error (garbage), a reply larger than the bounds below
// or an I/O error fails the batch and drops the connection.
//
// Thread-safety: one thread owns a connection; Interrupt() may be called from any other.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_REDIS_CONNECTION_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_REDIS_CONNECTION_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
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

  using Deadline = std::chrono::steady_clock::time_point;

  // Connects, authenticates (`AUTH [user] password` when the URL has a password) and
  // selects the database, each read and write timed out after `timeout`; "" on success,
  // else what went wrong (never the password, nor the server's answer to AUTH, which may
  // echo it).
  std::string Connect(const RedisAddress& address, std::chrono::milliseconds timeout);
  bool connected() const { return context_ != nullptr; }
  void Close();
  // Shuts the socket down (a blocked read or write returns) and refuses to connect again.
  // Any thread.
  void Interrupt();

  // Sends `commands` and reads one reply each into `replies`, by `deadline`. On failure
  // returns false with `problem` set and closes the connection.
  bool Run(const std::vector<Command>& commands, std::vector<Reply>* replies, std::string* problem,
           Deadline deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5));

 private:
  bool Wait(Deadline deadline, std::string* problem);  // sets the socket's time-outs

  redisContext* context_ = nullptr;
  std::chrono::milliseconds timeout_{1000};
  std::mutex fd_mutex_;  // guards fd_ against Interrupt() racing Close()
  int fd_ = -1;          // guarded
  std::atomic<bool> interrupted_{false};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_REDIS_CONNECTION_HPP_

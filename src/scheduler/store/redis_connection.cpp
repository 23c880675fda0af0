#include "scheduler/store/redis_connection.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>

#include "hiredis.h"

namespace cliproxy::scheduler {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// Bounds of what one reply may hold once copied (an exchange reads at most a window of
// usage hashes, the picks in flight of the live instances and 5,000 stream entries).
constexpr size_t kMaxReplyItems = 4'000'000;  // array elements in one reply, at every depth
constexpr size_t kMaxReplyText = 1 << 20;     // bytes of one string

// Copies a hiredis reply; false for an error reply, an unknown kind or a reply beyond the
// bounds. `items` counts down the elements left to this reply.
bool Copy(const redisReply* r, RedisConnection::Reply* out, std::string* problem, int depth,
          size_t* items) {
  using Kind = RedisConnection::Reply::Kind;
  if (r == nullptr || depth > 8) {
    *problem = "malformed reply";
    return false;
  }
  if ((r->type == REDIS_REPLY_ARRAY && r->elements > *items) ||
      ((r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) &&
       r->len > kMaxReplyText)) {
    *problem = "reply too large";
    return false;
  }
  switch (r->type) {
    case REDIS_REPLY_NIL:
      out->kind = Kind::kNil;
      return true;
    case REDIS_REPLY_INTEGER:
      out->kind = Kind::kInteger;
      out->integer = r->integer;
      return true;
    case REDIS_REPLY_STRING:
      out->kind = Kind::kString;
      out->text.assign(r->str, r->len);
      return true;
    case REDIS_REPLY_STATUS:
      out->kind = Kind::kStatus;
      out->text.assign(r->str, r->len);
      return true;
    case REDIS_REPLY_ARRAY:
      out->kind = Kind::kArray;
      *items -= r->elements;
      out->items.resize(r->elements);
      for (size_t i = 0; i < r->elements; ++i) {
        if (!Copy(r->element[i], &out->items[i], problem, depth + 1, items)) return false;
      }
      return true;
    case REDIS_REPLY_ERROR:
      // The server's words, cut short: they name a command, never our data.
      *problem = "error reply: " + std::string(r->str, std::min<size_t>(r->len, 80));
      return false;
    default:
      *problem = "unexpected reply type";
      return false;
  }
}

}  // namespace

std::string RedisConnection::Connect(const RedisAddress& address,
                                     std::chrono::milliseconds timeout) {
  Close();
  if (interrupted_.load()) return "closing";
  timeout_ = timeout;
  redisContext* c = redisConnectWithTimeout(address.host.c_str(), address.port, ToTimeval(timeout));
  if (c == nullptr) return "out of memory";
  if (c->err != 0) {
    std::string problem = c->errstr;
    redisFree(c);
    return problem.empty() ? "cannot connect" : problem;
  }
  if (redisSetTimeout(c, ToTimeval(timeout)) != REDIS_OK) {
    redisFree(c);
    return "cannot set the time-out";
  }
  {
    std::lock_guard<std::mutex> lock(fd_mutex_);
    context_ = c;
    fd_ = c->fd;
  }
  if (interrupted_.load()) {  // Interrupt() ran while connecting
    Close();
    return "closing";
  }
  const Deadline deadline = std::chrono::steady_clock::now() + 3 * timeout;
  std::vector<Reply> replies;
  std::string problem;
  if (!address.password.empty()) {
    Command auth = {"AUTH"};
    if (!address.user.empty()) auth.push_back(address.user);
    auth.push_back(address.password);
    // The server's answer is not repeated: a proxy in between may echo the password.
    if (!Run({auth}, &replies, &problem, deadline)) {
      return problem.rfind("error reply", 0) == 0 ? "authentication refused"
                                                  : "authentication failed (" + problem + ")";
    }
  }
  std::vector<Command> setup;
  if (address.db != 0) setup.push_back({"SELECT", std::to_string(address.db)});
  setup.push_back({"PING"});
  if (!Run(setup, &replies, &problem, deadline)) return problem;
  if (replies.back().kind != Reply::Kind::kStatus || replies.back().text != "PONG") {
    Close();
    return "the server does not answer PING as Redis does";
  }
  return "";
}

void RedisConnection::Close() {
  redisContext* c = nullptr;
  {
    std::lock_guard<std::mutex> lock(fd_mutex_);
    c = context_;
    context_ = nullptr;
    fd_ = -1;
  }
  if (c != nullptr) redisFree(c);
}

void RedisConnection::Interrupt() {
  interrupted_.store(true);
  std::lock_guard<std::mutex> lock(fd_mutex_);
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

bool RedisConnection::Wait(Deadline deadline, std::string* problem) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0 || interrupted_.load()) {
    *problem = interrupted_.load() ? "closing" : "timed out";
    Close();
    return false;
  }
  if (redisSetTimeout(context_, ToTimeval(std::min(left, timeout_))) != REDIS_OK) {
    *problem = "cannot set the time-out";
    Close();
    return false;
  }
  return true;
}

bool RedisConnection::Run(const std::vector<Command>& commands, std::vector<Reply>* replies,
                          std::string* problem, Deadline deadline) {
  replies->clear();
  if (context_ == nullptr) {
    *problem = "not connected";
    return false;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const Command& command : commands) {
    argv.clear();
    lengths.clear();
    for (const std::string& arg : command) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      *problem = "cannot queue a command";
      Close();
      return false;
    }
  }
  auto io_failed = [&] {
    *problem = interrupted_.load()           ? "closing"
               : context_->errstr[0] != '\0' ? context_->errstr
                                             : "connection lost";
    Close();
    return false;
  };
  // Written and read here rather than by redisGetReply, so that every step is held to
  // the deadline.
  for (int done = 0; !done;) {
    if (!Wait(deadline, problem)) return false;
    if (redisBufferWrite(context_, &done) != REDIS_OK) return io_failed();
  }
  replies->resize(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    for (;;) {
      if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) return io_failed();
      if (raw != nullptr) break;
      if (!Wait(deadline, problem)) return false;
      if (redisBufferRead(context_) != REDIS_OK) return io_failed();
    }
    size_t items = kMaxReplyItems;
    const bool ok = Copy(static_cast<redisReply*>(raw), &(*replies)[i], problem, 0, &items);
    freeReplyObject(raw);
    if (!ok) {
      Close();
      return false;
    }
  }
  return true;
}

}  // namespace cliproxy::scheduler

#include "scheduler/store/redis_connection.hpp"

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

// Copies a hiredis reply; false for an error reply or an unknown kind.
bool Copy(const redisReply* r, RedisConnection::Reply* out, std::string* problem, int depth) {
  using Kind = RedisConnection::Reply::Kind;
  if (r == nullptr || depth > 8) {
    *problem = "malformed reply";
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
      out->items.resize(r->elements);
      for (size_t i = 0; i < r->elements; ++i) {
        if (!Copy(r->element[i], &out->items[i], problem, depth + 1)) return false;
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
  context_ = c;
  std::vector<Command> setup;
  if (!address.password.empty()) setup.push_back({"AUTH", address.password});
  if (address.db != 0) setup.push_back({"SELECT", std::to_string(address.db)});
  setup.push_back({"PING"});
  std::vector<Reply> replies;
  std::string problem;
  if (!Run(setup, &replies, &problem)) return problem;
  if (replies.back().kind != Reply::Kind::kStatus || replies.back().text != "PONG") {
    Close();
    return "the server does not answer PING as Redis does";
  }
  return "";
}

void RedisConnection::Close() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

bool RedisConnection::Run(const std::vector<Command>& commands, std::vector<Reply>* replies,
                          std::string* problem) {
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
  replies->resize(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK) {
      *problem = context_->errstr[0] != '\0' ? context_->errstr : "connection lost";
      Close();
      return false;
    }
    const bool ok = Copy(static_cast<redisReply*>(raw), &(*replies)[i], problem, 0);
    freeReplyObject(raw);
    if (!ok) {
      Close();
      return false;
    }
  }
  return true;
}

}  // namespace cliproxy::scheduler

#include "store_processes.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <limits>

#include "cliproxy/base64.hpp"
#include "scheduler/store/redis_connection.hpp"

namespace cliproxy::store_test {
namespace {

using scheduler::RedisAddress;
using scheduler::RedisConnection;

RedisAddress Address(int port) {
  RedisAddress a;
  a.port = port;
  return a;
}

}  // namespace

RedisServer::RedisServer(const std::string& dir, int port) {
  // A server that does not start fails the tests that use it by their results.
  std::string error;
  if (!process_.Start(dir, port, &error)) std::fprintf(stderr, "redis-server: %s\n", error.c_str());
}

std::vector<std::string> RedisServer::Keys() const {
  RedisConnection c;
  std::vector<std::string> keys;
  if (!c.Connect(Address(port()), std::chrono::seconds(2)).empty()) return keys;
  std::vector<RedisConnection::Reply> replies;
  std::string problem;
  if (!c.Run({{"KEYS", "*"}}, &replies, &problem)) return keys;
  for (const auto& r : replies[0].items) keys.push_back(r.text);
  return keys;
}

bool RedisServer::Command(const std::vector<std::string>& command) const {
  RedisConnection c;
  if (!c.Connect(Address(port()), std::chrono::seconds(2)).empty()) return false;
  std::vector<RedisConnection::Reply> replies;
  std::string problem;
  return c.Run({command}, &replies, &problem);
}

long long RedisServer::Integer(const std::vector<std::string>& command) const {
  RedisConnection c;
  constexpr long long kFailed = std::numeric_limits<long long>::min();
  if (!c.Connect(Address(port()), std::chrono::seconds(2)).empty()) return kFailed;
  std::vector<RedisConnection::Reply> replies;
  std::string problem;
  if (!c.Run({command}, &replies, &problem) ||
      replies[0].kind != RedisConnection::Reply::Kind::kInteger) {
    return kFailed;
  }
  return replies[0].integer;
}

std::string RedisServer::Dump() const {
  RedisConnection c;
  if (!c.Connect(Address(port()), std::chrono::seconds(2)).empty()) return "<unreachable>";
  std::string out;
  std::vector<RedisConnection::Reply> replies;
  std::string problem;
  auto flatten = [&](const RedisConnection::Reply& r, auto& self) -> void {
    out += r.text + " " + std::to_string(r.integer) + "\n";
    for (const auto& item : r.items) self(item, self);
  };
  for (const std::string& key : Keys()) {
    out += key + "\n";
    if (!c.Run({{"TYPE", key}}, &replies, &problem)) return "<failed>";
    const std::string type = replies[0].text;
    RedisConnection::Command dump;
    if (type == "hash") dump = {"HGETALL", key};
    if (type == "stream") dump = {"XRANGE", key, "-", "+"};
    if (type == "zset") dump = {"ZRANGE", key, "0", "-1", "WITHSCORES"};
    if (type == "string") dump = {"GET", key};
    if (type == "list") dump = {"LRANGE", key, "0", "-1"};
    if (type == "set") dump = {"SMEMBERS", key};
    if (dump.empty()) return "<unknown type " + type + ">";
    if (!c.Run({dump}, &replies, &problem)) return "<failed>";
    flatten(replies[0], flatten);
  }
  return out;
}

Instance::Instance() {
  int in_pipe[2], out_pipe[2];
  if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    ::execl(CLIPROXY_STORE_INSTANCE, CLIPROXY_STORE_INSTANCE, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  to_ = ::fdopen(in_pipe[1], "w");
  from_ = ::fdopen(out_pipe[0], "r");
}

Instance::~Instance() { Quit(); }

std::string Instance::Send(const std::string& line) {
  if (to_ == nullptr) return "<closed>";
  std::fputs((line + "\n").c_str(), to_);
  std::fflush(to_);
  std::string answer;
  for (int c = std::fgetc(from_); c != EOF && c != '\n'; c = std::fgetc(from_)) {
    answer.push_back(static_cast<char>(c));
  }
  return answer;
}

std::string Instance::Config(const std::string& yaml) {
  return Send("config " + base64::Encode(yaml));
}

void Instance::Quit() {
  if (to_ == nullptr) return;
  Send("quit");
  std::fclose(to_);
  std::fclose(from_);
  to_ = from_ = nullptr;
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace cliproxy::store_test

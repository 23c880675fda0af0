#include "store_processes.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

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

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

RedisServer::RedisServer(const std::string& dir, int port) : port_(port > 0 ? port : FreePort()) {
  pid_ = ::fork();
  if (pid_ == 0) {
    const std::string log = dir + "/redis-" + std::to_string(port_) + ".log";
    if (std::FILE* f = std::fopen(log.c_str(), "a")) {
      ::dup2(::fileno(f), 1);
      ::dup2(::fileno(f), 2);
    }
    const std::string p = std::to_string(port_);
    ::execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", "127.0.0.1", "--save",
             "", "--appendonly", "no", "--dir", dir.c_str(), "--daemonize", "no", "--loglevel",
             "warning", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Ready when it answers PING (each attempt times out; a server that never starts fails
  // the tests that use it by their results, not by a clock).
  for (int i = 0; i < 200; ++i) {
    RedisConnection c;
    if (c.Connect(Address(port_), std::chrono::milliseconds(200)).empty()) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::vector<std::string> RedisServer::Keys() const {
  RedisConnection c;
  std::vector<std::string> keys;
  if (!c.Connect(Address(port_), std::chrono::seconds(2)).empty()) return keys;
  std::vector<RedisConnection::Reply> replies;
  std::string problem;
  if (!c.Run({{"KEYS", "*"}}, &replies, &problem)) return keys;
  for (const auto& r : replies[0].items) keys.push_back(r.text);
  return keys;
}

bool RedisServer::Command(const std::vector<std::string>& command) const {
  RedisConnection c;
  if (!c.Connect(Address(port_), std::chrono::seconds(2)).empty()) return false;
  std::vector<RedisConnection::Reply> replies;
  std::string problem;
  return c.Run({command}, &replies, &problem);
}

std::string RedisServer::Dump() const {
  RedisConnection c;
  if (!c.Connect(Address(port_), std::chrono::seconds(2)).empty()) return "<unreachable>";
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

// Test support for the state-store tests: a redis-server of the test's own (a free loopback
// port, a temporary directory, no persistence) and proxy instances (store_instance
// processes, each loading scheduler.so) driven line by line.
#ifndef CLIPROXY_TESTS_STORE_STORE_PROCESSES_HPP_
#define CLIPROXY_TESTS_STORE_STORE_PROCESSES_HPP_

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/redis_server_process.hpp"

namespace cliproxy::store_test {

// A redis-server on 127.0.0.1:<port> (scheduler::RedisServerProcess), stopped (SIGKILL)
// by Stop() or the destructor.
class RedisServer {
 public:
  explicit RedisServer(const std::string& dir, int port = 0);
  bool running() const { return process_.running(); }
  int port() const { return process_.port(); }
  std::string url() const { return process_.url(); }
  void Stop() { process_.Stop(); }
  // Every key and every value (hashes and streams flattened) as one text.
  std::string Dump() const;
  std::vector<std::string> Keys() const;
  // Runs one command; false when it fails.
  bool Command(const std::vector<std::string>& command) const;
  // Runs one command answered by an integer (PTTL, HLEN, ...); INT64_MIN when it fails.
  long long Integer(const std::vector<std::string>& command) const;

 private:
  scheduler::RedisServerProcess process_;
};

// A free TCP port on 127.0.0.1.
inline int FreePort() { return scheduler::FreeLoopbackPort(); }

class Instance {
 public:
  Instance();
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Sends one command line and returns the answer line.
  std::string Send(const std::string& line);
  std::string Config(const std::string& yaml);
  std::string Pick(const std::string& session, const std::string& ids) {
    return Send("pick " + session + " " + ids);
  }
  std::string Explain(const std::string& session, const std::string& ids) {
    return Send("explain " + session + " " + ids);
  }
  std::string Usage(const std::string& id, long tokens, const std::string& secret = "-") {
    return Send("usage " + id + " " + std::to_string(tokens) + " " + secret);
  }
  // A usage record of `id` answered with HTTP `status` (0: success) after `latency_ms`, with
  // these response headers (`Name=value|Name=value`, or "-").
  std::string Record(const std::string& id, int status, long latency_ms,
                     const std::string& headers = "-") {
    return Send("record " + id + " " + std::to_string(status) + " " + std::to_string(latency_ms) +
                " " + headers);
  }
  bool Sync() {
    const std::string answer = Send("sync");
    if (answer != "synced") std::fprintf(stderr, "sync: %s\n", answer.c_str());
    return answer == "synced";
  }
  // Shuts the plugin down (the file store writes its last snapshot) and waits for the exit.
  void Quit();

 private:
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
};

}  // namespace cliproxy::store_test

#endif  // CLIPROXY_TESTS_STORE_STORE_PROCESSES_HPP_

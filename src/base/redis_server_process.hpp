// RedisServerProcess: a redis-server of our own, a child process listening on 127.0.0.1 only
// (a free port unless one is given), persisting nothing, killed (SIGKILL) by Stop() or the
// destructor, and by the kernel if this process dies first (PR_SET_PDEATHSIG). Tests and
// `cpa-sched simulate --instances` start one; neither ever waits on it without a bound.
//
// Start() finds `redis-server` on PATH first (a clear error when it is missing), then waits
// until it answers PING, at most 5 s (plus one 400 ms attempt), and fails if the child exits
// before.
//
// Thread-safety: not shared between threads; Start() forks (call it before starting
// threads that could hold locks the child needs: the child only calls execvp).
#ifndef CLIPROXY_SRC_BASE_REDIS_SERVER_PROCESS_HPP_
#define CLIPROXY_SRC_BASE_REDIS_SERVER_PROCESS_HPP_

#include <sys/types.h>

#include <string>

namespace cliproxy::scheduler {

class RedisServerProcess {
 public:
  RedisServerProcess() = default;
  ~RedisServerProcess() { Stop(); }
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // Starts redis-server on 127.0.0.1:`port` (0: a free port), its working directory and
  // log file (`redis-<port>.log`) in `dir`. False with `*error` set when redis-server is not
  // on PATH, cannot be started, or does not answer.
  bool Start(const std::string& dir, int port, std::string* error);
  void Stop();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago (0 if none could be found).
int FreeLoopbackPort();

// The full path of `program` found on PATH, or "" (a name with a slash is taken as is when
// it is executable).
std::string FindOnPath(const std::string& program);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_BASE_REDIS_SERVER_PROCESS_HPP_

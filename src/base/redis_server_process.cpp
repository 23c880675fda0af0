#include "base/redis_server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace cliproxy::scheduler {
namespace {

// Whether a server on 127.0.0.1:`port` answers PING with +PONG, each step bounded by a
// 200 ms time-out.
bool AnswersPing(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval timeout{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    constexpr char kPing[] = "PING\r\n";
    if (::send(fd, kPing, sizeof kPing - 1, MSG_NOSIGNAL) ==
        static_cast<ssize_t>(sizeof kPing - 1)) {
      char reply[8] = {};
      ssize_t n = ::recv(fd, reply, 5, MSG_WAITALL);
      ok = n == 5 && std::memcmp(reply, "+PONG", 5) == 0;
    }
  }
  ::close(fd);
  return ok;
}

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

}  // namespace

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string FindOnPath(const std::string& program) {
  if (program.empty()) return "";
  if (program.find('/') != std::string::npos) return IsExecutable(program) ? program : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t begin = 0;
  while (begin <= dirs.size()) {
    size_t end = dirs.find(':', begin);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(begin, end - begin);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + program;
    if (IsExecutable(candidate)) return candidate;
    begin = end + 1;
  }
  return "";
}

bool RedisServerProcess::Start(const std::string& dir, int port, std::string* error) {
  Stop();
  const std::string program = FindOnPath("redis-server");
  if (program.empty()) {
    *error = "redis-server is not on PATH (Debian: apt-get install redis-server)";
    return false;
  }
  port_ = port > 0 ? port : FreeLoopbackPort();
  if (port_ <= 0) {
    *error = "no free port on 127.0.0.1 for redis-server";
    return false;
  }
  const std::string log = dir + "/redis-" + std::to_string(port_) + ".log";
  const std::string port_text = std::to_string(port_);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    *error = std::string("cannot start redis-server: ") + std::strerror(errno);
    pid_ = -1;
    return false;
  }
  if (pid_ == 0) {
    // Dies with us: a killed tool or test never leaves a server behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execl(program.c_str(), "redis-server", "--port", port_text.c_str(), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", dir.c_str(), "--daemonize", "no",
            "--loglevel", "warning", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (AnswersPing(port_)) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "redis-server exited at start (port " + port_text + ", log " + log + ")";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  Stop();
  *error = "redis-server did not answer on 127.0.0.1:" + port_text + " (log " + log + ")";
  return false;
}

void RedisServerProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace cliproxy::scheduler

#include "check/check_child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <sstream>
#include <thread>

namespace cpa_sched {
namespace {

using Clock = std::chrono::steady_clock;

void WriteAll(int fd, const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// The child's standard streams: stdout into a memory file (inspected at the verdict),
// stderr discarded, no core file; a crash ends it by its signal, even where the checker
// itself runs with handlers installed (a sanitizer build turns a SIGSEGV into exit 1).
void PrepareChild() {
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, nullptr);
  }
  int captured = memfd_create("cpa-sched-check-stdout", 0);
  if (captured >= 0) {
    dup2(captured, STDOUT_FILENO);
    close(captured);
  }
  int null = open("/dev/null", O_WRONLY);
  if (null >= 0) {
    dup2(null, STDERR_FILENO);
    close(null);
  }
}

std::string CapturedStdout(int fd) {
  std::fflush(stdout);
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size <= 0) return "";
  std::string head(static_cast<size_t>(std::min<off_t>(st.st_size, 60)), '\0');
  ssize_t n = pread(fd, head.data(), head.size(), 0);
  head.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return std::to_string(st.st_size) + " bytes, starting \"" + head + "\"";
}

void ParseLine(const std::string& line, ChildOutcome* out, bool* have_verdict) {
  if (line.size() < 2) return;
  std::string rest = line.substr(2);
  switch (line[0]) {
    case 'S':
      out->last_step = rest;
      break;
    case 'F': {
      size_t space = rest.find(' ');
      out->facts[rest.substr(0, space)] = space == std::string::npos ? "" : rest.substr(space + 1);
      break;
    }
    case 'R':
      if (rest.empty()) return;
      *have_verdict = true;
      out->verdict = rest[0] == 'P'   ? Verdict::kPass
                     : rest[0] == 'S' ? Verdict::kSkip
                                      : Verdict::kFail;
      out->detail = rest.size() > 2 ? rest.substr(2) : "";
      break;
  }
}

// Reads the pipe until EOF or the deadline. Returns false on timeout.
bool ReadUntilEof(int fd, Clock::time_point deadline, std::string* buffer) {
  char chunk[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    buffer->append(chunk, static_cast<size_t>(n));
  }
}

// Waits for the child up to the deadline; kills it after. Returns false on timeout.
bool Reap(pid_t pid, Clock::time_point deadline, int* status) {
  for (;;) {
    pid_t done = waitpid(pid, status, WNOHANG);
    if (done == pid) return true;
    if (done < 0 && errno != EINTR) return true;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
  return false;
}

}  // namespace

void ProbeChannel::Send(char kind, const std::string& text) {
  std::string line(1, kind);
  line += ' ';
  for (char c : text) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  WriteAll(fd_, line);
}

void ProbeChannel::Step(const std::string& step) { Send('S', step); }

void ProbeChannel::Fact(const std::string& key, const std::string& value) {
  Send('F', key + " " + value);
}

void ProbeChannel::Finish(Verdict verdict, const std::string& detail) {
  std::string written = CapturedStdout(stdout_fd_);
  if (!written.empty()) {
    verdict = Verdict::kFail;
    std::string before = detail.empty() ? "" : " (otherwise: " + detail + ")";
    Send('R', "F the plugin wrote to stdout inside a call: " + written + before);
    return;
  }
  char mark = verdict == Verdict::kPass ? 'P' : verdict == Verdict::kSkip ? 'S' : 'F';
  Send('R', std::string(1, mark) + " " + detail);
}

std::string SignalName(int signal) {
  struct Named {
    int number;
    const char* name;
  };
  static constexpr Named kNames[] = {
      {SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
      {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGTRAP, "SIGTRAP"},
      {SIGSYS, "SIGSYS"},   {SIGPIPE, "SIGPIPE"}, {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
      {SIGALRM, "SIGALRM"}, {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGHUP, "SIGHUP"}};
  for (const Named& n : kNames) {
    if (n.number == signal) return n.name;
  }
  return "signal " + std::to_string(signal);
}

ChildOutcome RunInChild(const std::function<void(ProbeChannel&)>& probe,
                        std::chrono::milliseconds timeout) {
  ChildOutcome out;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.detail = std::string("cannot create a pipe: ") + std::strerror(errno);
    return out;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    out.detail = std::string("cannot fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return out;
  }
  if (pid == 0) {
    close(fds[0]);
    PrepareChild();
    ProbeChannel channel(fds[1], STDOUT_FILENO);
    try {
      probe(channel);
    } catch (const std::exception& e) {
      channel.Finish(Verdict::kFail, std::string("the checker failed: ") + e.what());
    } catch (...) {
      channel.Finish(Verdict::kFail, "the checker failed");
    }
    // No exit handlers and no static destructors: only what the probe did is judged.
    _exit(0);
  }
  close(fds[1]);
  Clock::time_point deadline = Clock::now() + timeout;
  std::string buffer;
  bool eof = ReadUntilEof(fds[0], deadline, &buffer);
  close(fds[0]);
  int status = 0;
  bool reaped = Reap(pid, eof ? deadline : Clock::now(), &status);

  bool have_verdict = false;
  std::stringstream lines(buffer);
  for (std::string line; std::getline(lines, line);) ParseLine(line, &out, &have_verdict);

  double seconds = std::chrono::duration<double>(timeout).count();
  std::ostringstream timeout_text;
  timeout_text << "timed out after " << seconds << " s (the plugin hung; killed)";
  if (!eof || !reaped) {
    out.end = ChildOutcome::End::kTimeout;
    out.detail = timeout_text.str();
  } else if (WIFSIGNALED(status)) {
    out.end = ChildOutcome::End::kSignal;
    out.detail = "crashed with " + SignalName(WTERMSIG(status));
  } else if (!have_verdict) {
    out.end = ChildOutcome::End::kExit;
    out.detail = "the process exited with status " + std::to_string(WEXITSTATUS(status)) +
                 " inside a plugin call";
  } else {
    out.end = ChildOutcome::End::kVerdict;
  }
  return out;
}

}  // namespace cpa_sched

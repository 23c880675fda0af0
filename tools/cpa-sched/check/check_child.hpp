// Runs one conformance probe in a child process, so that a plugin that crashes, hangs or
// exits only ends the child and is reported as a failed check.
//
// RunInChild() forks. The child (which loads the plugin itself: the parent never does)
// runs the probe with a ProbeChannel and reports over a pipe, one line per event:
//   S <step>         the probe is about to do <step> (named in a crash report)
//   F <key> <value>  a fact for later probes (e.g. "scheduler 1")
//   R <P|F|S> <text> the verdict (pass, fail, skip) and its detail; the last line
// The child's stdout is a memory file: a plugin that writes to stdout inside a call
// breaks the host's output, so any byte found there fails the probe. Its stderr goes to
// /dev/null (plugins may log there; the table is ours) and it dumps no core.
//
// The parent waits for the verdict and the child's exit up to the timeout, then kills it
// (SIGKILL). The outcome says how the child ended: a verdict, a signal (by name, e.g.
// SIGSEGV), an exit without a verdict, or a timeout; with the last step it announced.
//
// Thread-safety: call RunInChild() from a single-threaded process (it forks); the probe
// itself may start threads in the child.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_CHECK_CHILD_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_CHECK_CHILD_HPP_

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace cpa_sched {

enum class Verdict { kPass, kFail, kSkip };

// The child's side: what a probe reports.
class ProbeChannel {
 public:
  explicit ProbeChannel(int fd, int stdout_fd) : fd_(fd), stdout_fd_(stdout_fd) {}
  void Step(const std::string& step);
  void Fact(const std::string& key, const std::string& value);
  // The verdict; a probe calls it once, last. A plugin's writes to stdout turn a pass
  // into a failure here.
  void Finish(Verdict verdict, const std::string& detail);

 private:
  void Send(char kind, const std::string& text);
  int fd_;
  int stdout_fd_;
};

struct ChildOutcome {
  enum class End { kVerdict, kSignal, kExit, kTimeout, kForkFailed };
  End end = End::kForkFailed;
  Verdict verdict = Verdict::kFail;  // kVerdict
  std::string detail;                // kVerdict: the probe's; otherwise how the child ended
  std::string last_step;             // the last step the child announced, if any
  std::map<std::string, std::string> facts;
};

// "SIGSEGV", "SIGABRT", ..., or "signal N".
std::string SignalName(int signal);

ChildOutcome RunInChild(const std::function<void(ProbeChannel&)>& probe,
                        std::chrono::milliseconds timeout);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_CHECK_CHILD_HPP_

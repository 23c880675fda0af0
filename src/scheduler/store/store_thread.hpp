// What every thread a state store starts does first (RedisStore, FileStore).
//
// SIGPIPE: the bundled hiredis writes to its socket with plain write(), so a Redis that
// drops the connection while a batch is being sent raises SIGPIPE on the writing thread;
// its default action would end the host process (CLIProxyAPI). A store thread blocks it:
// the write then fails with EPIPE, which fails the batch like any I/O error. A SIGPIPE left
// pending on the thread is discarded when the thread ends.
//
// Thread-safety: acts on the calling thread only.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_STORE_THREAD_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_STORE_THREAD_HPP_

#include <pthread.h>
#include <signal.h>

namespace cliproxy::scheduler {

inline void BlockSigpipeOnThisThread() noexcept {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_STORE_THREAD_HPP_

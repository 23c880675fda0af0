// FileStore (`state: {store: file, path: P}`): snapshots of every attached state in one
// file (snapshot.hpp), written every `interval` (default 5 s) and at Close(), read once at
// Start(). A write goes to a new "P.tmp.XXXXXX" (mkstemp: exclusive, mode 0600, same
// directory), is flushed to disk (fsync), renamed over P and the directory flushed, so P is
// always a whole snapshot, old or new; a snapshot beyond 1 GiB is not written.
//
// A file that is not ours (no CPASTATE magic), not a regular file (opened non-blocking, so
// a FIFO never blocks) or that cannot be opened is never trusted and never overwritten:
// logged once, and nothing is saved until the configuration names another path. A corrupt
// one (our magic; bad version, length or checksum) is logged once, ignored, and replaced
// by the next snapshot. A missing file is a first start. Write failures are logged once per
// transition (failing, then writing again).
//
// Restore: a state attached fresh (a route the process did not have yet) merges the
// section of its name from the file read at start; sections no route claims are dropped
// at the next write.
//
// Thread-safety: see state_store.hpp; one thread writes snapshots.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_FILE_STORE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_FILE_STORE_HPP_

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "scheduler/store/state_store.hpp"

namespace cliproxy::scheduler {

class FileStore : public StateStore {
 public:
  FileStore(StoreConfig config, std::shared_ptr<const Logger> logger);
  ~FileStore() override;

  void Start() override;
  void Attach(const std::shared_ptr<StoredState>& state, bool fresh) override;
  void Close() override { Stop(/*last_write=*/true); }
  void Discard() override { Stop(/*last_write=*/false); }
  bool SyncNow(std::chrono::milliseconds timeout) override;
  std::string Describe() const override { return "file " + config().path; }

 private:
  void Run();
  void Read();  // the file, once, at Start
  void Stop(bool last_write) noexcept;
  // Writes one snapshot; false on failure (logged once per transition), also when it
  // throws (memory).
  bool Write() noexcept;
  bool WriteSnapshot();
  void Failed(const std::string& error) noexcept;
  void Warn(const std::string& message) const;

  const std::shared_ptr<const Logger> logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::map<std::string, std::string> restored_;     // sections read at start; guarded
  std::vector<std::weak_ptr<StoredState>> states_;  // guarded
  bool foreign_ = false;              // the path holds a file that is not ours: never written
  std::atomic<bool> failing_{false};  // the last write failed (logged)
  bool stopping_ = false;             // guarded
  bool closed_ = false;               // guarded
  uint64_t requested_ = 0;            // SyncNow generations; guarded
  uint64_t completed_ = 0;            // guarded
  std::mutex write_mutex_;            // one write at a time
  std::mutex close_mutex_;            // held through Stop(): a second Stop() waits
  std::thread thread_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_FILE_STORE_HPP_

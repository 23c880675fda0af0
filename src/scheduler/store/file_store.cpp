#include "scheduler/store/file_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "scheduler/store/store_thread.hpp"

namespace cliproxy::scheduler {
namespace {

// Snapshots larger than this are not read (one of 100 routes with 100,000 sessions each is
// about 330 MB; the default bound of sessions is per route).
constexpr std::streamoff kMaxFileBytes = std::streamoff{1} << 30;

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

FileStore::FileStore(StoreConfig config, std::shared_ptr<const Logger> logger)
    : StateStore(std::move(config)), logger_(std::move(logger)) {
  const std::string& path = this->config().path;
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : 0;
  in.seekg(0);
  if (in && size != 0) {  // a missing or empty file: a first start
    // The magic first: a file that is not ours is never read beyond it.
    std::string bytes(std::min<std::streamoff>(std::max<std::streamoff>(size, 0),
                                               static_cast<std::streamoff>(kSnapshotMagic.size())),
                      '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::string why;
    SnapshotProblem problem = SnapshotProblem::kNone;
    if (!in || bytes != kSnapshotMagic) {
      problem = SnapshotProblem::kForeign;
      why = "not a scheduler state file (no CPASTATE header)";
    } else if (size > kMaxFileBytes) {
      problem = SnapshotProblem::kCorrupt;
      why = "larger than 1 GiB";
    } else {
      bytes.resize(static_cast<size_t>(size));
      in.read(
          bytes.data() + kSnapshotMagic.size(),
          static_cast<std::streamsize>(size) - static_cast<std::streamsize>(kSnapshotMagic.size()));
      problem = in ? DecodeSnapshot(bytes, &restored_, &why) : SnapshotProblem::kCorrupt;
      if (!in) why = "cannot be read whole";
    }
    if (problem == SnapshotProblem::kForeign) {
      foreign_ = true;
      Warn("scheduler: state file " + path + " is " + why +
           ": ignored and left untouched; state is kept in memory only (choose another "
           "state.path)");
    } else if (problem == SnapshotProblem::kCorrupt) {
      Warn("scheduler: state file " + path + " is damaged (" + why +
           "): ignored, starting without saved state; the next snapshot replaces it");
    }
  }
  thread_ = std::thread([this] { Run(); });
}

FileStore::~FileStore() { Close(); }

void FileStore::Warn(const std::string& message) const {
  if (logger_) logger_->Warn(message);
}

void FileStore::Attach(const std::shared_ptr<StoredState>& state, bool fresh) {
  std::string body;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    if (std::find_if(states_.begin(), states_.end(), [&](const std::weak_ptr<StoredState>& w) {
          return w.lock() == state;
        }) == states_.end()) {
      states_.push_back(state);
    }
    auto it = restored_.find(state->StoreName());
    if (it == restored_.end()) return;
    body = std::move(it->second);
    restored_.erase(it);
    if (!fresh) return;
  }
  if (!state->Restore(body, StoreTime::Now())) {
    Warn("scheduler: state file " + config().path + ": the saved state of " + state->StoreName() +
         " is malformed and was ignored");
  }
}

bool FileStore::Write() noexcept {
  try {
    return WriteSnapshot();
  } catch (const std::exception& e) {  // std::bad_alloc, mostly: a failed write
    Failed(std::string("internal error: ") + e.what());
  } catch (...) {
    Failed("internal error");
  }
  return false;
}

void FileStore::Failed(const std::string& error) noexcept try {
  if (!failing_.exchange(true)) {
    Warn("scheduler: cannot write state file " + config().path + " (" + error +
         "); picks go on, state is kept in memory; retrying every interval");
  }
} catch (...) {  // a log line that could not be made
}

bool FileStore::WriteSnapshot() {
  std::lock_guard<std::mutex> write_lock(write_mutex_);
  std::vector<std::shared_ptr<StoredState>> states;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    states_.erase(std::remove_if(states_.begin(), states_.end(),
                                 [](const std::weak_ptr<StoredState>& w) { return w.expired(); }),
                  states_.end());
    for (const auto& w : states_) {
      if (auto s = w.lock()) states.push_back(std::move(s));
    }
  }
  if (foreign_) return false;
  const StoreTime t = StoreTime::Now();
  std::map<std::string, std::string> sections;
  for (const auto& s : states) sections[s->StoreName()] = s->Save(t);
  states.clear();
  const std::string bytes = EncodeSnapshot(sections);
  const std::string& path = config().path;
  const std::string temp = path + ".tmp";
  std::string error;
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = std::strerror(errno);
  } else {
    if (!WriteAll(fd, bytes) || ::fsync(fd) != 0) error = std::strerror(errno);
    if (::close(fd) != 0 && error.empty()) error = std::strerror(errno);
    if (error.empty() && ::rename(temp.c_str(), path.c_str()) != 0) error = std::strerror(errno);
    if (!error.empty()) ::unlink(temp.c_str());
  }
  if (!error.empty()) {
    Failed(error);
    return false;
  }
  if (failing_.exchange(false)) {
    Warn("scheduler: state file " + path + " written again");
  }
  return true;
}

void FileStore::Run() {
  BlockSigpipeOnThisThread();
  const std::chrono::milliseconds interval =
      config().interval.count() > 0 ? config().interval : kDefaultFileInterval;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, interval, [&] { return stopping_ || requested_ > completed_; });
    if (stopping_) return;
    const uint64_t serving = requested_;
    lock.unlock();
    const bool ok = Write();
    lock.lock();
    (void)ok;  // a failed write is answered too: SyncNow reads failing_
    completed_ = std::max(completed_, serving);
    written_.notify_all();
  }
}

bool FileStore::SyncNow(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (closed_) return false;
  const uint64_t wanted = ++requested_;
  wake_.notify_all();
  written_.wait_for(lock, timeout, [&] { return completed_ >= wanted || closed_; });
  return completed_ >= wanted && !failing_ && !foreign_;
}

void FileStore::Stop(bool last_write) noexcept {
  // Idempotent, also when called concurrently: a second caller waits for the first.
  std::lock_guard<std::mutex> closing(close_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  try {
    if (thread_.joinable()) thread_.join();
  } catch (...) {  // std::system_error: nothing to join after all
  }
  if (last_write) Write();
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  states_.clear();
  written_.notify_all();
}

}  // namespace cliproxy::scheduler

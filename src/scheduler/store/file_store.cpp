#include "scheduler/store/file_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "scheduler/store/store_thread.hpp"

namespace cliproxy::scheduler {
namespace {

// Snapshots larger than this are not read (one of 100 routes with 100,000 sessions each is
// about 330 MB; the default bound of sessions is per route).
constexpr off_t kMaxFileBytes = off_t{1} << 30;

// Reads from `fd` until `bytes` holds `size` bytes or the file ends (more is not read);
// false on an error. The descriptor is non-blocking, but a regular file never blocks.
bool ReadUpTo(int fd, size_t size, std::string* bytes) {
  size_t done = bytes->size();
  bytes->resize(size);
  while (done < size) {
    const ssize_t n = ::read(fd, bytes->data() + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      bytes->resize(done);
      return false;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes->resize(done);
  return true;
}

// The directory of `path` ("." for a bare name).
std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

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
    : StateStore(std::move(config)), logger_(std::move(logger)) {}

void FileStore::Start() {
  std::lock_guard<std::mutex> closing(close_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || stopping_ || thread_.joinable()) return;
  }
  Read();
  thread_ = std::thread([this] { Run(); });
}

void FileStore::Read() {
  const std::string& path = config().path;
  // O_NONBLOCK: a FIFO at `path` must not hold the reconfigure; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;  // a first start
    foreign_ = true;
    Warn("scheduler: state file " + path + " cannot be read (" + std::strerror(errno) +
         "): left untouched; state is kept in memory only (choose another state.path)");
    return;
  }
  std::string bytes;
  std::string why;
  SnapshotProblem problem = SnapshotProblem::kNone;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    problem = SnapshotProblem::kForeign;
    why = "not a regular file";
  } else if (st.st_size == 0) {
    // an empty file: a first start
  } else if (!ReadUpTo(fd, kSnapshotMagic.size(), &bytes) || bytes != kSnapshotMagic) {
    // The magic first: a file that is not ours is never read beyond it.
    problem = SnapshotProblem::kForeign;
    why = "not a scheduler state file (no CPASTATE header)";
  } else if (st.st_size > kMaxFileBytes) {
    problem = SnapshotProblem::kCorrupt;
    why = "larger than 1 GiB";
  } else if (!ReadUpTo(fd, static_cast<size_t>(st.st_size), &bytes) ||
             bytes.size() != static_cast<size_t>(st.st_size)) {
    problem = SnapshotProblem::kCorrupt;
    why = "cannot be read whole";
  } else {
    problem = DecodeSnapshot(bytes, &restored_, &why);
  }
  ::close(fd);
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
    states = LiveStates(&states_);
  }
  if (foreign_) return false;
  const StoreTime t = StoreTime::Now();
  std::map<std::string, std::string> sections;
  for (const auto& s : states) sections[s->StoreName()] = s->Save(t);
  states.clear();
  const std::string bytes = EncodeSnapshot(sections);
  const std::string& path = config().path;
  std::string error;
  if (bytes.size() > static_cast<size_t>(kMaxFileBytes)) {
    // It would not be read back.
    error = "the snapshot would be larger than 1 GiB";
  } else {
    // A fresh name in the same directory (mkstemp: O_EXCL, so never through a link an
    // attacker planted; mode 0600), renamed over `path` once whole and on disk.
    std::string temp = path + ".tmp.XXXXXX";
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) {
      error = std::strerror(errno);
    } else {
      if (!WriteAll(fd, bytes) || ::fsync(fd) != 0) error = std::strerror(errno);
      if (::close(fd) != 0 && error.empty()) error = std::strerror(errno);
      if (error.empty() && ::rename(temp.c_str(), path.c_str()) != 0) {
        error = std::strerror(errno);
      }
      if (!error.empty()) ::unlink(temp.c_str());
    }
    if (error.empty()) {
      // The rename itself on disk.
      const int dir = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir >= 0) {
        (void)::fsync(dir);
        ::close(dir);
      }
    }
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
    if (!thread_.joinable()) {  // never started: nothing read, nothing to write
      closed_ = true;
      written_.notify_all();
      return;
    }
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

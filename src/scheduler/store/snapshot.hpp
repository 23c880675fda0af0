// Snapshot: the bytes of the file store (store: file). One file holds one section per
// stored state, by its store name:
//
//   magic "CPASTATE" | u32 format version (1) | u64 payload length | payload | u64 checksum
//   payload = u64 section count, then per section: bytes name, bytes body
//   bytes   = u64 length, then the bytes
//
// Integers are little-endian. The checksum is XXH64 (seeded) over everything before it.
// A file that does not start with the magic is foreign; one with the magic and a wrong
// version, length or checksum is corrupt. Either is never trusted (DecodeSnapshot fails).
// SnapshotWriter/SnapshotReader are the codec of section bodies: a reader never reads
// past its input and reports a short or malformed body by returning false.
//
// Thread-safety: plain values.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_SNAPSHOT_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_SNAPSHOT_HPP_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace cliproxy::scheduler {

inline constexpr std::string_view kSnapshotMagic = "CPASTATE";
inline constexpr uint32_t kSnapshotVersion = 1;

class SnapshotWriter {
 public:
  void U64(uint64_t v);
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Bytes(std::string_view b);
  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view in) : in_(in) {}
  bool U64(uint64_t* v);
  bool I64(int64_t* v);
  bool Bytes(std::string_view* b);
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

enum class SnapshotProblem { kNone, kForeign, kCorrupt };

// The file bytes for `sections` (name -> body).
std::string EncodeSnapshot(const std::map<std::string, std::string>& sections);
// The sections of `bytes`; on failure returns kForeign or kCorrupt with `why` set.
SnapshotProblem DecodeSnapshot(std::string_view bytes, std::map<std::string, std::string>* sections,
                               std::string* why);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_SNAPSHOT_HPP_

#include "scheduler/store/snapshot.hpp"

#include "base/hash.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr uint64_t kChecksumSeed = 0xC0A5'7A7E'5AFE'0001ULL;
constexpr size_t kHeader = 8 + 4 + 8;

}  // namespace

void SnapshotWriter::U64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void SnapshotWriter::Bytes(std::string_view b) {
  U64(b.size());
  out_.append(b);
}

bool SnapshotReader::U64(uint64_t* v) {
  if (in_.size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i)
    r |= static_cast<uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
  in_.remove_prefix(8);
  *v = r;
  return true;
}

bool SnapshotReader::I64(int64_t* v) {
  uint64_t u;
  if (!U64(&u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

bool SnapshotReader::Bytes(std::string_view* b) {
  uint64_t n;
  if (!U64(&n) || n > in_.size()) return false;
  *b = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

std::string EncodeSnapshot(const std::map<std::string, std::string>& sections) {
  SnapshotWriter payload;
  payload.U64(sections.size());
  for (const auto& [name, body] : sections) {
    payload.Bytes(name);
    payload.Bytes(body);
  }
  std::string out(kSnapshotMagic);
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((kSnapshotVersion >> (8 * i)) & 0xff));
  SnapshotWriter length;
  length.U64(payload.bytes().size());
  out += length.bytes();
  out += payload.bytes();
  SnapshotWriter checksum;
  checksum.U64(Hash64(out, kChecksumSeed));
  out += checksum.bytes();
  return out;
}

SnapshotProblem DecodeSnapshot(std::string_view bytes, std::map<std::string, std::string>* sections,
                               std::string* why) {
  sections->clear();
  if (bytes.substr(0, kSnapshotMagic.size()) != kSnapshotMagic) {
    *why = "not a scheduler state file (no CPASTATE header)";
    return SnapshotProblem::kForeign;
  }
  auto corrupt = [&](const char* what) {
    sections->clear();
    *why = what;
    return SnapshotProblem::kCorrupt;
  };
  if (bytes.size() < kHeader + 8) return corrupt("truncated header");
  uint32_t version = 0;
  for (int i = 0; i < 4; ++i) {
    version |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  }
  if (version != kSnapshotVersion) return corrupt("unknown format version");
  SnapshotReader header(bytes.substr(12, 8));
  uint64_t length = 0;
  header.U64(&length);
  if (length != bytes.size() - kHeader - 8) return corrupt("length does not match the file size");
  SnapshotReader tail(bytes.substr(bytes.size() - 8));
  uint64_t checksum = 0;
  tail.U64(&checksum);
  if (checksum != Hash64(bytes.substr(0, bytes.size() - 8), kChecksumSeed)) {
    return corrupt("checksum mismatch");
  }
  SnapshotReader in(bytes.substr(kHeader, length));
  uint64_t count = 0;
  if (!in.U64(&count)) return corrupt("truncated section count");
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name, body;
    if (!in.Bytes(&name) || !in.Bytes(&body)) return corrupt("truncated section");
    (*sections)[std::string(name)] = std::string(body);
  }
  if (!in.done()) return corrupt("trailing bytes");
  return SnapshotProblem::kNone;
}

}  // namespace cliproxy::scheduler

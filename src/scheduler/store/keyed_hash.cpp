#include "scheduler/store/keyed_hash.hpp"

#include <bit>
#include <cstring>

#include "base/hash.hpp"

namespace cliproxy::scheduler {
namespace {

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

struct Sip {
  uint64_t v0, v1, v2, v3;
  void Round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void Compress(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

}  // namespace

KeyedHash::KeyedHash(std::string_view secret)
    : k0_(Hash64(secret, 0x5ec2'e7a0'0000'0001ULL)),
      k1_(Hash64(secret, 0x5ec2'e7a0'0000'0002ULL)) {}

uint64_t KeyedHash::Hash(std::string_view data) const {
  Sip s{k0_ ^ 0x736f6d6570736575ULL, k1_ ^ 0x646f72616e646f6dULL, k0_ ^ 0x6c7967656e657261ULL,
        k1_ ^ 0x7465646279746573ULL};
  const size_t n = data.size();
  const char* p = data.data();
  const size_t whole = n & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) s.Compress(Load64(p + i));
  uint64_t last = static_cast<uint64_t>(n & 0xff) << 56;
  for (size_t i = 0; i < (n & 7); ++i) {
    last |= static_cast<uint64_t>(static_cast<unsigned char>(p[whole + i])) << (8 * i);
  }
  s.Compress(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace cliproxy::scheduler

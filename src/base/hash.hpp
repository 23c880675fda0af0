// Hashing for the policy engine: XXH64 (Yann Collet's xxHash, 64-bit variant, written
// here from its published specification) for strings, and the SplitMix64 finalizer to
// combine two 64-bit hashes into one well-mixed value.
//
// Why these: rendezvous hashing and the session table need a hash whose every bit is
// uniform (the sticky strategy turns one into a number in (0, 1)), that is fast on short
// strings (account IDs, session IDs), and that is the same on every run and every machine
// (so a session keeps its account across restarts). std::hash promises none of that.
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_SRC_BASE_HASH_HPP_
#define CLIPROXY_SRC_BASE_HASH_HPP_

#include <cstdint>
#include <string_view>

namespace cliproxy::scheduler {

// XXH64 of `data` with `seed`; equal to the reference implementation's output.
uint64_t Hash64(std::string_view data, uint64_t seed = 0);

// The SplitMix64 finalizer: a bijection on 64-bit values with full avalanche.
constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

// One hash from two: mixes `b` before combining so that (a, b) and (b, a) differ.
constexpr uint64_t Combine64(uint64_t a, uint64_t b) {
  return Mix64(a ^ Mix64(b + 0x9E3779B97F4A7C15ULL));
}

// Maps a hash to a double strictly inside (0, 1): the top 52 bits, centred in their cell,
// so neither 0 nor 1 is ever produced (the sticky score divides by ln of it). 52, not 53:
// the largest centred 53-bit value, 1 - 2^-54, would round to 1.0.
constexpr double ToUnitInterval(uint64_t h) {
  return (static_cast<double>(h >> 12) + 0.5) * (1.0 / 4503599627370496.0);
}

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_BASE_HASH_HPP_

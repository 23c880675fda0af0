// KeyedHash: SipHash-2-4 (Aumasson and Bernstein's keyed pseudo-random function, written
// here from its published specification) for what a state store keeps of client input.
//
// Session keys come from client headers. The in-memory tables never hold them in clear, but
// an unkeyed hash at rest (a snapshot file, Redis) would let whoever reads it test guesses
// offline. A store therefore keys the hash with a 128-bit secret: `state.secret` when set,
// else one derived from the store's prefix (stable across instances that share the prefix,
// so they agree on a session's binding, but only as secret as the prefix; docs/state.md).
//
// Thread-safety: an immutable value; Hash() may be called concurrently.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_KEYED_HASH_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_KEYED_HASH_HPP_

#include <cstdint>
#include <string_view>

namespace cliproxy::scheduler {

class KeyedHash {
 public:
  // The key derived from `secret` (any length; two XXH64 of it with distinct seeds).
  explicit KeyedHash(std::string_view secret);
  KeyedHash(uint64_t k0, uint64_t k1) : k0_(k0), k1_(k1) {}

  // SipHash-2-4 of `data`; equal to the reference implementation's output for key (k0, k1)
  // read little-endian.
  uint64_t Hash(std::string_view data) const;

  bool operator==(const KeyedHash& other) const = default;

 private:
  uint64_t k0_;
  uint64_t k1_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_KEYED_HASH_HPP_

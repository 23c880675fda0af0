// The simulator's pseudo-random numbers: xoshiro256** seeded through SplitMix64.
//
// A simulation must give byte-identical output for the same seed on every machine, so it
// uses no std::random_device and no standard distribution (their algorithms are left to
// the library implementation). Every draw below is defined here, in integer arithmetic or
// IEEE double operations whose results do not depend on the platform.
//
// Thread-safety: a plain value; one Random per thread.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_RANDOM_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_RANDOM_HPP_

#include <cmath>
#include <cstdint>

namespace cpa_sched {

class Random {
 public:
  explicit Random(uint64_t seed) {
    // SplitMix64 spreads any seed (0 included) over the 256-bit state, which xoshiro
    // requires to be non-zero.
    for (uint64_t& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform in [0, n) without modulo bias: draws below 2^64 mod n are rejected so that
  // every residue is equally likely.
  uint64_t Below(uint64_t n) {
    if (n == 0) return 0;
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
      uint64_t r = Next();
      if (r >= threshold) return r % n;
    }
  }

  // Exponentially distributed with the given mean: the gaps between arrivals of a Poisson
  // process. log1p comes from the C library, so outputs are identical for one build and
  // libm; a different libm could differ in the last bit of a rare gap.
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }

  // mean + a uniform offset in [-jitter, +jitter].
  double Around(double mean, double jitter) { return mean + jitter * (2 * Uniform() - 1); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
};

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_RANDOM_HPP_

#pragma once
// tg::random_engine: seeded random numbers that are the same on every run and
// with every standard library and compiler. std::mt19937_64's output sequence
// is fixed by the C++ standard, but std::uniform_real_distribution,
// std::normal_distribution and std::shuffle are not (libstdc++ and libc++
// differ), so the draws made from it are defined here:
//   uniform01  the top 53 bits of one output, times 2^-53: exact, in [0, 1);
//   below(n)   rejection sampling, so every value in [0, n) is equally likely;
//   normal     Box-Muller from two uniforms, r * cos(theta) only (no cached
//              sine, so each draw uses exactly two outputs), with std::log,
//              std::sqrt and std::cos in double.
// Affine maps are done with std::fma, which rounds once whether or not the
// compiler would contract a * b + c itself. tests/reference/make_reference.py
// re-implements all of it in Python and the tests compare bit for bit.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace typegrad {

class random_engine {
 public:
  explicit random_engine(std::uint64_t seed) : bits_(seed) {}

  // An engine for stream `stream` of a seed (an epoch, a worker): seeded with
  // splitmix64(seed ^ splitmix64(stream)), so streams of one seed differ and
  // each is a function of (seed, stream) alone.
  static random_engine for_stream(std::uint64_t seed, std::uint64_t stream) {
    return random_engine(splitmix64(seed ^ splitmix64(stream)));
  }
  static constexpr std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  }

  // The engine's whole state as text, and back: a checkpoint can keep it in
  // its metadata, so that a resumed run draws what the unbroken run would.
  std::string state() const {
    std::ostringstream out;
    out << bits_;
    return out.str();
  }
  void restore(const std::string& text) {
    std::istringstream in(text);
    std::mt19937_64 restored;
    in >> restored;
    if (in.fail()) throw std::invalid_argument("random_engine::restore: the text is not an engine state");
    bits_ = restored;
  }

  // The next raw 64-bit output of mt19937_64.
  std::uint64_t next() { return bits_(); }

  // Uniform in [0, 1), a multiple of 2^-53.
  double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return std::fma(hi - lo, uniform01(), lo); }

  // Standard normal by Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  double standard_normal() {
    const double u1 = 1.0 - uniform01();
    const double u2 = uniform01();
    constexpr double two_pi = 6.283185307179586476925286766559;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(two_pi * u2);
  }
  double normal(double mean, double stddev) { return std::fma(stddev, standard_normal(), mean); }

  // Uniform in [0, n), n >= 1, without modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // a multiple of n
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % n;
  }

  // Fisher-Yates, from the last element down.
  template <class RandomIt>
  void shuffle(RandomIt first, RandomIt last) {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) std::swap(first[i - 1], first[below(i)]);
  }

 private:
  std::mt19937_64 bits_;
};

}  // namespace typegrad

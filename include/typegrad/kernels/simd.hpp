#pragma once
// Portable SIMD through the GCC/Clang vector extensions: one vector type per
// scalar type, as wide as the target's widest registers (AVX-512, AVX, or
// SSE2 as the baseline). Used by kernels on their run-time path only; in a
// constant expression they take their scalar loops.
#include <cstddef>
#include <cstring>
#include <limits>

#include <typegrad/detail/config.hpp>

namespace typegrad::kernels::simd {

#if defined(__AVX512F__)
inline constexpr std::size_t bytes = 64;
#elif defined(__AVX__)
inline constexpr std::size_t bytes = 32;
#else
inline constexpr std::size_t bytes = 16;
#endif

template <class T>
inline constexpr std::size_t lanes = bytes / sizeof(T);

// Register tiling of the matrix product (ops/linear.hpp): how many vector
// accumulators a tile may hold (AVX-512 has 32 vector registers, the others
// 16; the rest hold B's vectors and A's broadcasts), how many vectors wide a
// column panel is, and how large the buffer a transposed B is packed into
// may be (L1-sized). Measured on AVX-512 with bench/kernels.cpp; define
// them before including typegrad to tune for another machine.
#ifndef TYPEGRAD_MATMUL_ACCUMULATORS
#define TYPEGRAD_MATMUL_ACCUMULATORS (bytes == 64 ? 24 : 12)
#endif
#ifndef TYPEGRAD_MATMUL_PANEL
#define TYPEGRAD_MATMUL_PANEL (bytes == 64 ? 3 : 2)
#endif
#ifndef TYPEGRAD_MATMUL_PACK_BYTES
#define TYPEGRAD_MATMUL_PACK_BYTES (32 * 1024)
#endif
inline constexpr std::size_t accumulators = TYPEGRAD_MATMUL_ACCUMULATORS;
inline constexpr std::size_t panel_blocks = TYPEGRAD_MATMUL_PANEL;
inline constexpr std::size_t matmul_pack_bytes = TYPEGRAD_MATMUL_PACK_BYTES;
// The vectors of a column panel for a product of m rows. A product of many
// rows fills the registers with rows (panel_blocks wide); one of few rows
// (a batch of one) would leave them idle and wait on the multiply-add's
// latency, so its panel widens, as far as the registers of its sums and of
// one row of B allow, and at most 8.
constexpr std::size_t panel_blocks_for(std::size_t m) {
  const std::size_t fit = (accumulators + panel_blocks) / (m + 1);
  return fit < panel_blocks ? panel_blocks : (fit > 8 ? 8 : fit);
}

// A vector of W lanes of T (W a power of two); W = 1 is T itself.
template <class T, std::size_t W>
struct vector_of {
  typedef T type __attribute__((vector_size(W * sizeof(T))));
};
template <class T>
struct vector_of<T, 1> {
  using type = T;
};
template <class T, std::size_t W = lanes<T>>
using vec = typename vector_of<T, W>::type;

template <class T, std::size_t W = lanes<T>>
TYPEGRAD_ALWAYS_INLINE inline vec<T, W> load(const T* p) {
  vec<T, W> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T, std::size_t W>
TYPEGRAD_ALWAYS_INLINE inline void store(T* p, vec<T, W> v) {
  std::memcpy(p, &v, sizeof v);
}

}  // namespace typegrad::kernels::simd

namespace typegrad::kernels::simd {

// exp(x) for x <= 0, as softmax needs it (its inputs are shifted by the row
// maximum), on a vector or a scalar with the same operations, so every lane
// rounds alike. x = k ln2 + r with |r| <= ln2/2 (Cody-Waite), e^r by a Taylor
// polynomial (degree 13 for double, 7 for float: truncation below 1e-17 and
// 1e-9 relative), then the exact scaling by 2^k built in the exponent bits.
// Inputs below the smallest normal result give 0. Tested against std::exp in
// tests/ops/test_forward.cpp.
template <class T>
struct exp_constants;
template <>
struct exp_constants<double> {
  using bits = long long;
  static constexpr double shifter = 6755399441055744.0;  // 1.5 * 2^52
  static constexpr double lowest = -708.0;
  static constexpr int mantissa = 52, bias = 1023, degree = 13;
};
template <>
struct exp_constants<float> {
  using bits = int;
  static constexpr float shifter = 12582912.0f;  // 1.5 * 2^23
  static constexpr float lowest = -87.0f;
  static constexpr int mantissa = 23, bias = 127, degree = 7;
};

// The bits of a vector of T as integers of T's width, and back.
template <class T, std::size_t W>
TYPEGRAD_ALWAYS_INLINE inline vec<typename exp_constants<T>::bits, W> bits_of(vec<T, W> v) {
  vec<typename exp_constants<T>::bits, W> i;
  std::memcpy(&i, &v, sizeof i);
  return i;
}
template <class T, std::size_t W>
TYPEGRAD_ALWAYS_INLINE inline vec<T, W> value_of(vec<typename exp_constants<T>::bits, W> i) {
  vec<T, W> v;
  std::memcpy(&v, &i, sizeof v);
  return v;
}

template <class T, std::size_t W>
TYPEGRAD_ALWAYS_INLINE inline vec<T, W> exp_nonpositive(vec<T, W> x) {
  using C = exp_constants<T>;
  using B = typename C::bits;
  using I = vec<B, W>;
  using V = vec<T, W>;
  constexpr T log2e = T(1.4426950408889634074), ln2_hi = T(0.693145751953125), ln2_lo = T(1.42860682030941723212e-6);
  const auto as_bits = [](V v) { return simd::bits_of<T, W>(v); };
  const auto as_value = [](I i) { return simd::value_of<T, W>(i); };
  const V lowest = V{} + C::lowest;
  // All ones where x >= lowest, else zero: the sign of x - lowest, spread
  // by an arithmetic shift. (A vector comparison here makes GCC 12 fail with
  // an internal error at -O3 on SSE2 targets.)
  const I in_range = ~(as_bits(x - lowest) >> B(8 * sizeof(B) - 1));
  x = as_value((as_bits(x) & in_range) | (as_bits(lowest) & ~in_range));
  const V t = x * log2e + C::shifter;
  const V k = t - C::shifter;
  const V r = (x - k * ln2_hi) - k * ln2_lo;
  V p = V{} + T(1);
  for (int n = C::degree; n >= 1; --n) p = p * (r * (T(1) / T(n))) + T(1);
  const I scale = (as_bits(t) - as_bits(V{} + C::shifter) + B(C::bias)) << C::mantissa;
  return as_value(as_bits(p * as_value(scale)) & in_range);
}

}  // namespace typegrad::kernels::simd

namespace typegrad::kernels::simd {

// tanh(x) on a vector or a scalar, every lane with the same operations. With
// a = |x| (clamped to 20, where tanh rounds to 1 in float and double):
//   a <  ln2 / 2:  m = expm1(-2a) by its Taylor series, which has no
//                  cancellation; tanh a = -m / (2 + m);
//   a >= ln2 / 2:  e = exp(-2a) <= 1/2 (exp_nonpositive); tanh a =
//                  (1 - e) / (1 + e), where 1 - e loses at most one bit;
// then x's sign; NaN passes through. The selections are made on the integer
// bits (positive floats order as their bits do), as exp_nonpositive does.
// Tested against std::tanh in tests/ops/test_forward.cpp.
template <class T>
struct tanh_constants;
template <>
struct tanh_constants<double> {
  static constexpr int series_degree = 17;  // |2a|^18 / 18! < 1e-19 for a < ln2 / 2
};
template <>
struct tanh_constants<float> {
  static constexpr int series_degree = 10;  // |2a|^11 / 11! < 1e-9
};

template <class T, std::size_t W>
TYPEGRAD_ALWAYS_INLINE inline vec<T, W> tanh(vec<T, W> x) {
  using B = typename exp_constants<T>::bits;
  using I = vec<B, W>;
  using V = vec<T, W>;
  const auto as_bits = [](V v) { return simd::bits_of<T, W>(v); };
  const auto as_value = [](I i) { return simd::value_of<T, W>(i); };
  // All ones where the bits of a exceed those of b (both non-negative).
  auto above = [](I a, I b) { return (b - a) >> B(8 * sizeof(B) - 1); };
  constexpr B sign_bit = B(1) << (8 * sizeof(B) - 1);
  const I bits = as_bits(x);
  const I magnitude = bits & ~sign_bit;
  const I is_nan = above(magnitude, as_bits(V{} + std::numeric_limits<T>::infinity()));
  const I big = above(magnitude, as_bits(V{} + T(20)));
  const V a = as_value((magnitude & ~big) | (as_bits(V{} + T(20)) & big));
  const I small = above(as_bits(V{} + T(0.34657359027997264)), as_bits(a));  // ln2 / 2 > a
  const V y = T(-2) * a;
  V m = V{} + T(1);
  for (int n = tanh_constants<T>::series_degree; n >= 2; --n) m = m * (y * (T(1) / T(n))) + T(1);
  m = m * y;
  const V e = exp_nonpositive<T, W>(y);
  const V numerator = as_value((as_bits(-m) & small) | (as_bits(T(1) - e) & ~small));
  const V denominator = as_value((as_bits(T(2) + m) & small) | (as_bits(T(1) + e) & ~small));
  const I result = as_bits(numerator / denominator) | (bits & sign_bit);
  return as_value((result & ~is_nan) | (bits & is_nan));
}

}  // namespace typegrad::kernels::simd

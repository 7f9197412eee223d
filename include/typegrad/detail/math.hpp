#pragma once
// Scalar functions for the kernels. At run time they are the <cmath> ones; in
// a constant expression (where <cmath> is not constexpr on every compiler)
// they are evaluated by series accurate to a few ulp, so that models can be
// evaluated and differentiated inside static_assert.
#include <cmath>
#include <limits>
#include <type_traits>

#include <typegrad/detail/config.hpp>

namespace typegrad::detail::math {

namespace consteval_impl {

// exp by range reduction x = k ln2 + r, |r| <= ln2 / 2, and a Taylor series.
constexpr double exp(double x) {
  if (x != x) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0.0;
  constexpr double ln2 = 0.693147180559945309417232121458176568;
  long long k = static_cast<long long>(x / ln2 + (x >= 0 ? 0.5 : -0.5));
  double r = x - static_cast<double>(k) * ln2;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 30; ++n) {
    term *= r / n;
    sum += term;
  }
  for (; k > 0; --k) sum *= 2.0;
  for (; k < 0; ++k) sum *= 0.5;
  return sum;
}

// log by scaling into [sqrt(1/2), sqrt(2)) and the series of 2 atanh(s).
constexpr double log(double x) {
  if (x != x || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (x == std::numeric_limits<double>::infinity()) return x;
  constexpr double ln2 = 0.693147180559945309417232121458176568;
  constexpr double sqrt2 = 1.41421356237309504880168872420969808;
  int e = 0;
  while (x >= sqrt2) {
    x *= 0.5;
    ++e;
  }
  while (x < sqrt2 / 2) {
    x *= 2.0;
    --e;
  }
  double s = (x - 1) / (x + 1), s2 = s * s, term = s, sum = 0;
  for (int n = 1; n < 60; n += 2) {
    sum += term / n;
    term *= s2;
  }
  return 2 * sum + e * ln2;
}

constexpr double sqrt(double x) {
  if (x != x || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0 || x == std::numeric_limits<double>::infinity()) return x;
  double r = x >= 1 ? x : 1.0;
  for (int i = 0; i < 2000; ++i) {
    double next = 0.5 * (r + x / r);
    if (next == r) break;
    r = next;
  }
  return r;
}

constexpr double tanh(double x) {
  if (x > 20) return 1.0;
  if (x < -20) return -1.0;
  double e = exp(-2 * (x < 0 ? -x : x));
  double t = (1 - e) / (1 + e);
  return x < 0 ? -t : t;
}

// log(1 + x) without losing x to the rounding of 1 + x: with u = 1 + x
// rounded, log(u) * x / (u - 1) cancels that rounding (Goldberg, 1991).
constexpr double log1p(double x) {
  if (x != x || x < -1) return std::numeric_limits<double>::quiet_NaN();
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  if (u == std::numeric_limits<double>::infinity()) return u;
  return log(u) * x / (u - 1.0);
}

}  // namespace consteval_impl

template <class T>
TYPEGRAD_ALWAYS_INLINE constexpr T exp(T x) {
  if (std::is_constant_evaluated()) return static_cast<T>(consteval_impl::exp(x));
  return std::exp(x);
}
template <class T>
TYPEGRAD_ALWAYS_INLINE constexpr T log(T x) {
  if (std::is_constant_evaluated()) return static_cast<T>(consteval_impl::log(x));
  return std::log(x);
}
template <class T>
TYPEGRAD_ALWAYS_INLINE constexpr T sqrt(T x) {
  if (std::is_constant_evaluated()) return static_cast<T>(consteval_impl::sqrt(x));
  return std::sqrt(x);
}
template <class T>
TYPEGRAD_ALWAYS_INLINE constexpr T tanh(T x) {
  if (std::is_constant_evaluated()) return static_cast<T>(consteval_impl::tanh(x));
  return std::tanh(x);
}

template <class T>
TYPEGRAD_ALWAYS_INLINE constexpr T log1p(T x) {
  if (std::is_constant_evaluated()) return static_cast<T>(consteval_impl::log1p(x));
  return std::log1p(x);
}

}  // namespace typegrad::detail::math

#pragma once
// Reductions over raw storage with static extents.
#include <cstddef>

#include <typegrad/detail/config.hpp>
#include <typegrad/detail/math.hpp>
#include <typegrad/kernels/loops.hpp>

namespace typegrad::kernels {

// The sum of all elements, then divided by `divisor` (1 for sum, the size
// for mean): one kernel and one emitter for both ops.
template <class Out, class X>
TYPEGRAD_ALWAYS_INLINE constexpr void total(Out& out, const X& x, std::size_t divisor) {
  typename Out::value_type acc{};
  for_each_index<X::size>([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { acc += x[i]; });
  out[0] = divisor == 1 ? acc : acc / static_cast<typename Out::value_type>(divisor);
}
// max and log(sum(exp(x - max))) of one row of `cols` elements.
template <class T>
struct row_lse {
  T max;
  T log_sum;
};
template <class T>
TYPEGRAD_ALWAYS_INLINE constexpr row_lse<T> log_sum_exp_row(const T* x, std::size_t cols) {
  T m = x[0];
  for (std::size_t c = 1; c < cols; ++c) m = x[c] > m ? x[c] : m;
  T s{};
  for (std::size_t c = 0; c < cols; ++c) s += detail::math::exp(x[c] - m);
  return {m, detail::math::log(s)};
}
}  // namespace typegrad::kernels

#pragma once
// Reductions over raw storage with static extents.
#include <array>
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
// A shape's axes parted into the kept and the reduced ones, each side laid
// into four nested loops (unused outer ones of extent 1): output element o
// runs over the kept axes in row-major order, and its fiber, the elements
// reduced into it, over the reduced axes in row-major order.
struct axis_split {
  std::array<std::size_t, 4> kept_extent{1, 1, 1, 1}, kept_stride{}, cut_extent{1, 1, 1, 1}, cut_stride{};
  std::size_t outputs = 1, fiber = 1;
};
template <std::size_t Rank>
constexpr axis_split split_axes(const std::array<std::size_t, Rank>& dims, unsigned reduced) {
  axis_split s;
  std::size_t kept = 0, cut = 0;
  for (std::size_t a = 0; a < Rank; ++a) ((reduced >> a) & 1u ? cut : kept) += 1;
  std::size_t k = 4 - kept, c = 4 - cut, stride = 1;
  std::array<std::size_t, Rank + 1> strides{};
  for (std::size_t a = Rank; a-- > 0;) {
    strides[a] = stride;
    stride *= dims[a];
  }
  for (std::size_t a = 0; a < Rank; ++a) {
    const bool cut_here = (reduced >> a) & 1u;
    auto& extent = cut_here ? s.cut_extent[c] : s.kept_extent[k];
    auto& step = cut_here ? s.cut_stride[c++] : s.kept_stride[k++];
    extent = dims[a];
    step = strides[a];
    (cut_here ? s.fiber : s.outputs) *= dims[a];
  }
  return s;
}
// f(o, fiber) for every output element o in order, where fiber(g) calls g(i)
// for the index i of each element reduced into o, in row-major order.
template <axis_split A, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_fiber(F f) {
  constexpr auto& e = A.kept_extent;
  constexpr auto& s = A.kept_stride;
  std::size_t o = 0;
  for (std::size_t k0 = 0; k0 < e[0]; ++k0)
    for (std::size_t k1 = 0; k1 < e[1]; ++k1)
      for (std::size_t k2 = 0; k2 < e[2]; ++k2)
        for (std::size_t k3 = 0; k3 < e[3]; ++k3) {
          const std::size_t base = k0 * s[0] + k1 * s[1] + k2 * s[2] + k3 * s[3];
          auto fiber = [base](auto g) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
            constexpr auto& ce = A.cut_extent;
            constexpr auto& cs = A.cut_stride;
            for (std::size_t c0 = 0; c0 < ce[0]; ++c0)
              for (std::size_t c1 = 0; c1 < ce[1]; ++c1)
                for (std::size_t c2 = 0; c2 < ce[2]; ++c2)
                  for (std::size_t c3 = 0; c3 < ce[3]; ++c3) g(base + c0 * cs[0] + c1 * cs[1] + c2 * cs[2] + c3 * cs[3]);
          };
          f(o++, fiber);
        }
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

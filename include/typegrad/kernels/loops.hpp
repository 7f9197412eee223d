#pragma once
// Loop helpers shared by the kernels. Every extent is a compile-time
// constant: small kernels are written out in full, larger ones vectorised.
#include <cstddef>
#include <type_traits>
#include <utility>

#include <typegrad/core/shape.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/simd.hpp>

namespace typegrad::kernels {

// Kernels over at most this many elements are written out in full (a fold
// over the indices), not left to the compiler's unroller. g++ -O2 keeps such
// loops rolled, and then one kernel stores its output a vector at a time and
// the next reloads it at another width, which the CPU cannot forward from the
// store. Written out, the values stay in registers from kernel to kernel: the
// XOR training step went from 122 to 104 ns under g++ (perf annotate showed
// the stalls on those reloads).
inline constexpr std::size_t unrolled_extent = 16;

// f(0), f(1), ..., f(N - 1). Work is the element count of the whole kernel
// the loop belongs to: nested loops unroll only when all of them together
// are small (a 16 x 16 kernel written out in full took g++ minutes).
template <std::size_t N, std::size_t Work = N, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_index(F f) {
  if constexpr (Work <= unrolled_extent)
    [&]<std::size_t... I>(std::index_sequence<I...>) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      (f(I), ...);
    }(std::make_index_sequence<N>{});
  else
    for (std::size_t i = 0; i < N; ++i) f(i);
}

// Reads element i of x, of shape From, as broadcast to shape To: x is of
// that size, a scalar, a row repeated over the rows (i % size), or, with
// axes of extent 1 among others, read at broadcast_index.
template <class To, class From, class T>
TYPEGRAD_ALWAYS_INLINE constexpr T broadcast_read(const T* x, std::size_t i) {
  if constexpr (From::size == To::size)
    return x[i];
  else if constexpr (From::size == 1)
    return x[0];
  else if constexpr (broadcasts_contiguously<From, To>())
    return x[i % From::size];
  else
    return x[broadcast_index<To, From>(i)];
}

// out = f(a, b) elementwise, with broadcasting.
// Outputs never alias inputs (each node has its own slot), which __restrict
// tells the compiler, so it vectorises without run-time alias checks.
template <class Out, class A, class B, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void zip_broadcast(Out& out, const A& a, const B& b, F f) {
  auto* __restrict o = out.data();
  const auto* __restrict x = a.data();
  const auto* __restrict y = b.data();
  for_each_index<Out::size>([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    o[i] = f(broadcast_read<typename Out::shape_type, typename A::shape_type>(x, i),
             broadcast_read<typename Out::shape_type, typename B::shape_type>(y, i));
  });
}

// out = the elements of v (a node's slot) in order.
template <class Out, class Value>
TYPEGRAD_ALWAYS_INLINE constexpr void copy_into(Out& out, const Value& v) {
  for_each_index<Out::size>([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[i] = v[i]; });
}

// out = f(x) elementwise.
template <class Out, class X, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void map(Out& out, const X& x, F f) {
  auto* __restrict o = out.data();
  const auto* __restrict in = x.data();
  for_each_index<Out::size>([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { o[i] = f(in[i]); });
}

// out = f(x) elementwise, with f's vector form (fv on simd::vec<T>) a vector
// at a time, and the tail with the one-lane form, the same operations: every
// element rounds alike at any batch size. In a constant expression, f.
template <class Out, class X, class F, class FV>
TYPEGRAD_ALWAYS_INLINE constexpr void map_lanes(Out& out, const X& x, F f, FV fv) {
  using T = typename Out::value_type;
  constexpr std::size_t L = simd::lanes<T>;
  if (std::is_constant_evaluated()) {
    kernels::map(out, x, f);
  } else {
    constexpr std::size_t whole = Out::size / L * L;
    for (std::size_t i = 0; i < whole; i += L)
      simd::store<T, L>(out.data() + i, fv.template operator()<T, L>(simd::load<T, L>(x.data() + i)));
    for (std::size_t i = whole; i < Out::size; ++i) out[i] = fv.template operator()<T, 1>(x[i]);
  }
}

}  // namespace typegrad::kernels

#pragma once
// Loop helpers shared by the op kernels. Every extent is a compile-time
// constant, so the compiler unrolls small loops and vectorises larger ones.
#include <cstddef>

#include <typegrad/detail/config.hpp>

namespace typegrad::detail {

// Reads element i of x as broadcast to a result of OutSize elements: x is
// either of that size, a scalar, or a row repeated over the rows.
template <std::size_t OutSize, class X>
TYPEGRAD_ALWAYS_INLINE constexpr auto broadcast_read(const X& x, std::size_t i) {
  if constexpr (X::size == OutSize)
    return x[i];
  else if constexpr (X::size == 1)
    return x[0];
  else
    return x[i % X::size];
}

// out = f(a, b) elementwise, with broadcasting.
// Outputs never alias inputs (each node has its own slot), which __restrict
// tells the compiler, so it vectorises without run-time alias checks.
template <class Out, class A, class B, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void zip_broadcast(Out& out, const A& a, const B& b, F f) {
  auto* __restrict o = out.data();
  const auto* __restrict x = a.data();
  const auto* __restrict y = b.data();
  for (std::size_t i = 0; i < Out::size; ++i)
    o[i] = f(A::size == Out::size ? x[i] : A::size == 1 ? x[0] : x[i % A::size],
             B::size == Out::size ? y[i] : B::size == 1 ? y[0] : y[i % B::size]);
}

// out = f(x) elementwise.
template <class Out, class X, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void map(Out& out, const X& x, F f) {
  auto* __restrict o = out.data();
  const auto* __restrict in = x.data();
  for (std::size_t i = 0; i < Out::size; ++i) o[i] = f(in[i]);
}

}  // namespace typegrad::detail

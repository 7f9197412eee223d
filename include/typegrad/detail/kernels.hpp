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
template <class Out, class A, class B, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void zip_broadcast(Out& out, const A& a, const B& b, F f) {
  for (std::size_t i = 0; i < Out::size; ++i)
    out[i] = f(broadcast_read<Out::size>(a, i), broadcast_read<Out::size>(b, i));
}

// out = f(x) elementwise.
template <class Out, class X, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void map(Out& out, const X& x, F f) {
  for (std::size_t i = 0; i < Out::size; ++i) out[i] = f(x[i]);
}

}  // namespace typegrad::detail

#pragma once
// Loop helpers shared by the op kernels. Every extent is a compile-time
// constant, so the compiler unrolls small loops and vectorises larger ones.
#include <cstddef>

#include <typegrad/detail/config.hpp>

namespace typegrad::detail {

// Reads element i of x, of Size elements, as broadcast to a result of
// OutSize elements: x is either of that size, a scalar, or a row repeated
// over the rows.
template <std::size_t OutSize, std::size_t Size, class T>
TYPEGRAD_ALWAYS_INLINE constexpr T broadcast_read(const T* x, std::size_t i) {
  if constexpr (Size == OutSize)
    return x[i];
  else if constexpr (Size == 1)
    return x[0];
  else
    return x[i % Size];
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
    o[i] = f(broadcast_read<Out::size, A::size>(x, i), broadcast_read<Out::size, B::size>(y, i));
}

// out = the elements of v (a node's slot) in order.
template <class Out, class Value>
TYPEGRAD_ALWAYS_INLINE constexpr void copy_into(Out& out, const Value& v) {
  for (std::size_t i = 0; i < Out::size; ++i) out[i] = v[i];
}

// out = f(x) elementwise.
template <class Out, class X, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void map(Out& out, const X& x, F f) {
  auto* __restrict o = out.data();
  const auto* __restrict in = x.data();
  for (std::size_t i = 0; i < Out::size; ++i) o[i] = f(in[i]);
}

}  // namespace typegrad::detail

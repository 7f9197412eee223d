#pragma once
// Ops that route values by a choice made on x. A Choice picks, for each of
// its output elements p, one element of x: the largest of a pooling window
// (max_pool2d) or of the elements an axis reduction gathers (max<Axes...>).
// Two linear ops follow from any choice, each the other's adjoint, and both
// constant in x almost everywhere (between ties):
//   choice_scatter<C>(x, u)   u[p] added at the element p chose, in x's shape
//   choice_gather<C>(x, t)    t read at the element each p chose
// A Choice C gives:
//   scatter_name, gather_name          the ops' names
//   output<XS>                         the shape of its outputs, for x of shape XS
//   for_each_choice(x, f)              f(p, i): output p chose x[i]
//   notation(name, in)                 the printed form of an op on it
//   emit<XS>(c, out, in, use, size)    the emitted form, for each chosen_use
#include <cstddef>
#include <string>
#include <string_view>

#include <typegrad/core/code.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/detail/config.hpp>

namespace typegrad {

namespace detail {
// What an op does with each chosen element: reads it (x's value there, or a
// tangent's element) or adds a cotangent to it.
enum class chosen_use { value, scatter, gather };
}  // namespace detail

template <class C>
struct choice_scatter_op;
template <class C>
struct choice_gather_op;
template <class C, expression X, expression U>
constexpr auto choice_scatter(const X& x, const U& u) {
  return typegrad::make_node<choice_scatter_op<C>>(x, u);
}
template <class C, expression X, expression T>
constexpr auto choice_gather(const X& x, const T& t) {
  return typegrad::make_node<choice_gather_op<C>>(x, t);
}

template <class C>
struct choice_scatter_op {
  static constexpr std::string_view name = C::scatter_name;
  template <class X, class U>
  static constexpr auto shape(X, U) {
    return X{};
  }
  template <class Out, class X, class U>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x, const U& u) {
    for (std::size_t i = 0; i < Out::size; ++i) out[i] = 0;
    C::for_each_choice(x, [&](std::size_t p, std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[i] += u[p]; });
  }
  static std::string notation(const inspect::names<2>& in) { return C::notation(name, in); }
  template <class Out, class X, class U>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    C::template emit<X>(c, out, in, detail::chosen_use::scatter, Out::size);
  }
  template <std::size_t I, class Y, class V>
  static constexpr auto vjp(const Y& y, const V& v) {
    if constexpr (I == 0)
      return no_grad{};
    else
      return typegrad::choice_gather<C>(typegrad::child<0>(y), v);
  }
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return no_grad{};
    else
      return typegrad::choice_scatter<C>(typegrad::child<0>(y), t);
  }
};

template <class C>
struct choice_gather_op {
  static constexpr std::string_view name = C::gather_name;
  template <class X, class T>
  static constexpr auto shape(X, T) {
    return typename C::template output<X>{};
  }
  template <class Out, class X, class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x, const T& t) {
    C::for_each_choice(x, [&](std::size_t p, std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[p] = t[i]; });
  }
  static std::string notation(const inspect::names<2>& in) { return C::notation(name, in); }
  template <class Out, class X, class T>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    C::template emit<X>(c, out, in, detail::chosen_use::gather, Out::size);
  }
  template <std::size_t I, class Y, class V>
  static constexpr auto vjp(const Y& y, const V& v) {
    if constexpr (I == 0)
      return no_grad{};
    else
      return typegrad::choice_scatter<C>(typegrad::child<0>(y), v);
  }
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return no_grad{};
    else
      return typegrad::choice_gather<C>(typegrad::child<0>(y), t);
  }
};

}  // namespace typegrad

#pragma once
// Shape changes that keep the elements in their row-major order:
//   reshape<D...>(x)   the same elements as shape<D...>
//   flatten(x)         [B, ...] -> [B, the product of the rest], e.g. NHWC
//                      feature maps into the rows a dense layer takes
// Both are linear and free of arithmetic: the VJP reshapes the cotangent back.
#include <cstddef>
#include <string>
#include <string_view>

#include <typegrad/core/code.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/shape.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/loops.hpp>

namespace typegrad {

template <class To>
struct reshape_op;
template <class To, expression X>
constexpr auto reshape_to(const X& x) {
  return typegrad::make_node<reshape_op<To>>(x);
}

template <class To>
struct reshape_op {
  static constexpr std::string_view name = "reshape";
  template <class S>
  static constexpr auto shape(S) {
    static_assert(diagnostics::reshape_keeps_size<S, To>::value, "typegrad: reshape<D...>(x) needs as many elements as x has");
    return To{};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    kernels::copy_into(out, x);
  }
  static std::string notation(const inspect::names<1>& in) {
    return "reshape<" + std::string(shape_text<To>::value) + ">(" + in[0] + ")";
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    c.loop("i", Out::size, [&] { c.line(out + "[i] = " + in[0] + "[i];"); });
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::reshape_to<shape_of_t<child_t<0, Y>>>(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::reshape_to<To>(t);
  }
};

template <std::size_t... D, expression X>
constexpr auto reshape(const X& x) {
  return typegrad::reshape_to<shape<D...>>(x);
}

namespace detail {
template <class S>
struct flattened {
  using type = S;  // refused by flatten's check
};
template <std::size_t B, std::size_t... Rest>
  requires(sizeof...(Rest) >= 1)
struct flattened<shape<B, Rest...>> {
  using type = shape<B, (std::size_t{1} * ... * Rest)>;
};
}  // namespace detail

// (A scalar passes through: it is what an op whose check failed returns, and
// that one error is enough.)
template <expression X>
constexpr auto flatten(const X& x) {
  using S = shape_of_t<X>;
  static_assert(diagnostics::flatten_operand_has_a_batch_axis<S>::value, "typegrad: flatten(x) needs x of rank 2 or more, [B, ...]");
  return typegrad::reshape_to<typename detail::flattened<S>::type>(x);
}

// A reshape of a reshape is one reshape; a reshape to x's own shape is x.
template <class To, class From, class X>
struct rewrite<node<reshape_op<To>, node<reshape_op<From>, X>>> {
  using type = canonical_node_t<reshape_op<To>, X>;
};
template <class S, class X>
  requires same_type<S, shape_of_t<X>>
struct rewrite<node<reshape_op<S>, X>> {
  using type = X;
};

}  // namespace typegrad

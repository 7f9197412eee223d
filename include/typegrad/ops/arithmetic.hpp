#pragma once
// Elementwise arithmetic with broadcasting: a + b, a - b, hadamard(a, b) (and a
// scalar times a tensor), a / b, -a. Shapes broadcast by numpy's rules, one
// operand's shape into the other's (core/shape.hpp): aligned at the last
// axis, each axis is 1 or the other's.
#include <cstddef>
#include <numeric>
#include <string_view>

#include <typegrad/core/code.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/loops.hpp>
#include <typegrad/ops/fwd.hpp>

namespace typegrad {

namespace detail {
// The shape rule shared by the four binary ops; on a mismatch it still
// returns a shape, so that the one static_assert is the only error.
template <class A, class B>
constexpr auto elementwise_result(A, B) {
  return broadcast_shape_t<A, B>{};
}
// An exact literal in lowest terms, with a positive denominator.
template <long long Num, long long Den>
constexpr auto reduced_literal() {
  constexpr long long g = std::gcd(Num, Den) == 0 ? 1 : std::gcd(Num, Den);
  constexpr long long sign = Den < 0 ? -1 : 1;
  return literal<sign * Num / g, sign * Den / g>;
}
}  // namespace detail

// ---- a + b ---------------------------------------------------------------------
struct add_op {
  static constexpr std::string_view name = "add";
  static constexpr std::string_view symbol = "+";
  template <class A, class B>
  static constexpr auto shape(A a, B b) {
    static_assert(diagnostics::elementwise_shapes_broadcast<A, B>::value,
                  "typegrad: elementwise a + b needs shapes that broadcast (numpy's rules, one shape into the other: [C] or [B,1,1,C] over [B,H,W,C])");
    return detail::elementwise_result(a, b);
  }
  template <class Out, class A, class B>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const B& b) {
    kernels::zip_broadcast(out, a, b, [](auto x, auto y) { return x + y; });
  }
  template <class Out, class A, class B>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    inspect::emit_zip<Out, A, B>(c, out, in, " + ");
  }
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::unbroadcast<shape_of_t<child_t<I, Y>>>(u);
  }
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::broadcast<shape_of_t<Y>>(t);
  }
};

// ---- a - b ---------------------------------------------------------------------
struct subtract_op {
  static constexpr std::string_view name = "subtract";
  static constexpr std::string_view symbol = "-";
  template <class A, class B>
  static constexpr auto shape(A a, B b) {
    static_assert(diagnostics::elementwise_shapes_broadcast<A, B>::value,
                  "typegrad: elementwise a - b needs shapes that broadcast (numpy's rules, one shape into the other: [C] or [B,1,1,C] over [B,H,W,C])");
    return detail::elementwise_result(a, b);
  }
  template <class Out, class A, class B>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const B& b) {
    kernels::zip_broadcast(out, a, b, [](auto x, auto y) { return x - y; });
  }
  template <class Out, class A, class B>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    inspect::emit_zip<Out, A, B>(c, out, in, " - ");
  }
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    if constexpr (I == 0)
      return typegrad::unbroadcast<shape_of_t<child_t<0, Y>>>(u);
    else
      return typegrad::unbroadcast<shape_of_t<child_t<1, Y>>>(typegrad::negate(u));
  }
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    if constexpr (I == 0)
      return typegrad::broadcast<shape_of_t<Y>>(t);
    else
      return typegrad::broadcast<shape_of_t<Y>>(typegrad::negate(t));
  }
};

// ---- hadamard(a, b), and a scalar times a tensor ---------------------------------
struct multiply_op {
  static constexpr std::string_view name = "hadamard";
  static constexpr std::string_view symbol = "⊙";
  template <class A, class B>
  static constexpr auto shape(A a, B b) {
    static_assert(diagnostics::elementwise_shapes_broadcast<A, B>::value,
                  "typegrad: elementwise product hadamard(a, b) needs shapes that broadcast (numpy's rules, one shape into the other: [C] or [B,1,1,C] over [B,H,W,C])");
    return detail::elementwise_result(a, b);
  }
  template <class Out, class A, class B>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const B& b) {
    kernels::zip_broadcast(out, a, b, [](auto x, auto y) { return x * y; });
  }
  template <class Out, class A, class B>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    inspect::emit_zip<Out, A, B>(c, out, in, " * ");
  }
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    return typegrad::unbroadcast<shape_of_t<child_t<I, Y>>>(typegrad::hadamard(u, typegrad::child<1 - I>(y)));
  }
  // The product rule, one operand's tangent at a time; the product broadcasts.
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return typegrad::hadamard(t, typegrad::child<1>(y));
    else
      return typegrad::hadamard(typegrad::child<0>(y), t);
  }
};

// ---- a / b ---------------------------------------------------------------------
struct divide_op {
  static constexpr std::string_view name = "divide";
  static constexpr std::string_view symbol = "/";
  template <class A, class B>
  static constexpr auto shape(A a, B b) {
    static_assert(diagnostics::elementwise_shapes_broadcast<A, B>::value,
                  "typegrad: elementwise a / b needs shapes that broadcast (numpy's rules, one shape into the other: [C] or [B,1,1,C] over [B,H,W,C])");
    return detail::elementwise_result(a, b);
  }
  template <class Out, class A, class B>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const B& b) {
    kernels::zip_broadcast(out, a, b, [](auto x, auto y) { return x / y; });
  }
  template <class Out, class A, class B>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    inspect::emit_zip<Out, A, B>(c, out, in, " / ");
  }
  // y = a / b: da = u / b, db = -u * y / b.
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    if constexpr (I == 0)
      return typegrad::unbroadcast<shape_of_t<child_t<0, Y>>>(typegrad::divide(u, typegrad::child<1>(y)));
    else
      return typegrad::unbroadcast<shape_of_t<child_t<1, Y>>>(typegrad::negate(typegrad::divide(typegrad::hadamard(u, y), typegrad::child<1>(y))));
  }
  // dy = ta / b - tb y / b.
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return typegrad::divide(t, typegrad::child<1>(y));
    else
      return typegrad::negate(typegrad::divide(typegrad::hadamard(t, y), typegrad::child<1>(y)));
  }
};

// ---- -a ------------------------------------------------------------------------
struct negate_op {
  static constexpr std::string_view name = "negate";
  static constexpr std::string_view symbol = "-";
  template <class S>
  static constexpr S shape(S) {
    return {};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    kernels::map(out, x, [](auto v) { return -v; });
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    c.loop("i", Out::size, [&] { c.line(out + "[i] = -" + in[0] + "[i];"); });
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::negate(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::negate(t);
  }
};

// ---- builders and operators ------------------------------------------------------
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto add(const A& a, const B& b) {
  return typegrad::make_node<add_op>(typegrad::as_operand(a), typegrad::as_operand(b));
}
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto subtract(const A& a, const B& b) {
  return typegrad::make_node<subtract_op>(typegrad::as_operand(a), typegrad::as_operand(b));
}
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto hadamard(const A& a, const B& b) {
  return typegrad::make_node<multiply_op>(typegrad::as_operand(a), typegrad::as_operand(b));
}
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto divide(const A& a, const B& b) {
  return typegrad::make_node<divide_op>(typegrad::as_operand(a), typegrad::as_operand(b));
}
template <expression X>
constexpr auto negate(const X& x) {
  return typegrad::make_node<negate_op>(x);
}

template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto operator+(const A& a, const B& b) {
  return typegrad::make_operator<yap::expr_kind::plus>(typegrad::as_operand(a), typegrad::as_operand(b));
}
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto operator-(const A& a, const B& b) {
  return typegrad::make_operator<yap::expr_kind::minus>(typegrad::as_operand(a), typegrad::as_operand(b));
}
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto operator/(const A& a, const B& b) {
  return typegrad::make_operator<yap::expr_kind::divides>(typegrad::as_operand(a), typegrad::as_operand(b));
}
template <expression X>
constexpr auto operator-(const X& x) {
  return typegrad::make_operator<yap::expr_kind::negate>(x);
}

template <class A, class B>
struct operator_op<yap::expr_kind::plus, A, B> {
  using type = add_op;
};
template <class A, class B>
struct operator_op<yap::expr_kind::minus, A, B> {
  using type = subtract_op;
};
template <class A, class B>
struct operator_op<yap::expr_kind::divides, A, B> {
  using type = divide_op;
};
template <class X>
struct operator_op<yap::expr_kind::negate, X> {
  using type = negate_op;
};

// ---- simplification ----------------------------------------------------------------
// Product with one, sums and differences with zero, literal folding, double
// negation. Each rule keeps the result's shape: a scalar one or zero is only
// dropped against an operand that already has the result's shape.
template <long long N1, long long D1, long long N2, long long D2>
struct rewrite<node<multiply_op, leaf_expr<literal_leaf<N1, D1>>, leaf_expr<literal_leaf<N2, D2>>>> {
  using type = decltype(detail::reduced_literal<N1 * N2, D1 * D2>());
};
template <class X>
  requires(!literal_expression<X>)
struct rewrite<node<multiply_op, leaf_expr<literal_leaf<1, 1>>, X>> {
  using type = X;
};
template <class X>
  requires(!literal_expression<X>)
struct rewrite<node<multiply_op, X, leaf_expr<literal_leaf<1, 1>>>> {
  using type = X;
};
template <class X>
  requires(!literal_expression<X>)
struct rewrite<node<add_op, X, leaf_expr<literal_leaf<0, 1>>>> {
  using type = X;
};
template <class X>
  requires(!literal_expression<X>)
struct rewrite<node<add_op, leaf_expr<literal_leaf<0, 1>>, X>> {
  using type = X;
};
template <class X>
  requires(!literal_expression<X>)
struct rewrite<node<subtract_op, X, leaf_expr<literal_leaf<0, 1>>>> {
  using type = X;
};
// a + (-b) is a - b.
template <class A, class B>
  requires(!literal_expression<A>)
struct rewrite<node<add_op, A, node<negate_op, B>>> {
  using type = canonical_node_t<subtract_op, A, B>;
};
// A product with ones of the other operand's shape is that operand. The
// seed of sum(f(x)) reaches f's VJP as broadcast<S>(1), so without this the
// gradient of sum(hadamard(a, b)) would multiply by ones.
template <class E, class S>
concept ones_of_shape = same_type<E, node<broadcast_op<S>, leaf_expr<literal_leaf<1, 1>>>>;
template <class S, class X>
  requires same_type<S, shape_of_t<X>>
struct rewrite<node<multiply_op, node<broadcast_op<S>, leaf_expr<literal_leaf<1, 1>>>, X>> {
  using type = X;
};
template <class X, class S>
  requires(same_type<S, shape_of_t<X>> && !ones_of_shape<X, S>)
struct rewrite<node<multiply_op, X, node<broadcast_op<S>, leaf_expr<literal_leaf<1, 1>>>>> {
  using type = X;
};

template <long long N, long long D>
struct rewrite<node<negate_op, leaf_expr<literal_leaf<N, D>>>> {
  using type = leaf_expr<literal_leaf<-N, D>>;
};
template <class X>
struct rewrite<node<negate_op, node<negate_op, X>>> {
  using type = X;
};

}  // namespace typegrad

#pragma once
// Losses beside cross-entropy (cross_entropy.hpp):
//   mse(p, y)              mean of (p - y)^2 over every element: a scalar;
//   bce_with_logits(z, y)  binary cross-entropy of sigmoid(z) against y,
//                          element by element (take mean or sum of it):
//                          softplus(z) - y z = max(z, 0) - y z + log1p(e^-|z|),
//                          finite for every finite logit, with the gradient
//                          sigmoid(z) - y.
#include <cstddef>
#include <string_view>

#include <typegrad/core/code.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/detail/math.hpp>
#include <typegrad/ops/arithmetic.hpp>
#include <typegrad/ops/elementwise.hpp>
#include <typegrad/ops/fwd.hpp>
#include <typegrad/ops/reduce.hpp>

namespace typegrad {

struct mse_op {
  static constexpr std::string_view name = "mse";
  template <class P, class Y>
  static constexpr auto shape(P, Y) {
    static_assert(diagnostics::loss_operands_share_shape<P, Y>::value,
                  "typegrad: mse(p, y) needs predictions and targets of one shape");
    return typegrad::shape<>{};
  }
  template <class Out, class P, class Y>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const P& p, const Y& y) {
    typename Out::value_type acc{};
    for (std::size_t i = 0; i < P::size; ++i) {
      const auto d = p[i] - y[i];
      acc += d * d;
    }
    out[0] = acc / static_cast<typename Out::value_type>(P::size);
  }
  template <class Out, class P, class Y>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    c.line("{");
    c.line("  double acc = 0.0;");
    c.line("  for (int i = 0; i < " + inspect::num(P::size) + "; ++i) acc += (" + in[0] + "[i] - " + in[1] + "[i]) * (" +
           in[0] + "[i] - " + in[1] + "[i]);");
    c.line(inspect::join("  ", out, "[0] = acc / ", inspect::number_text(double(P::size)), ";"));
    c.line("}");
  }
  // dp = (2 u / n) (p - y), dy = -dp.
  template <std::size_t I, class Yn, class U>
  static constexpr auto vjp(const Yn& node, const U& u) {
    using S = shape_of_t<child_t<0, Yn>>;
    const auto dp = typegrad::hadamard(typegrad::broadcast<S>(typegrad::hadamard(u, literal<2, static_cast<long long>(S::size)>)),
                             typegrad::subtract(typegrad::child<0>(node), typegrad::child<1>(node)));
    if constexpr (I == 0)
      return dp;
    else
      return typegrad::negate(dp);
  }
  // dL = (2 / n) sum((p - y) ⊙ (tp - ty)).
  template <std::size_t I, class Yn, class T>
  static constexpr auto jvp(const Yn& node, const T& t) {
    using S = shape_of_t<child_t<0, Yn>>;
    const auto dl = typegrad::hadamard(literal<2, static_cast<long long>(S::size)>,
                                       typegrad::sum(typegrad::hadamard(typegrad::subtract(typegrad::child<0>(node), typegrad::child<1>(node)), t)));
    if constexpr (I == 0)
      return dl;
    else
      return typegrad::negate(dl);
  }
};

struct bce_with_logits_op {
  static constexpr std::string_view name = "bce_with_logits";
  // auto: shape_of_t asks only for the type, and an explicit return type
  // would leave the static_assert in the body unchecked.
  template <class Z, class Y>
  static constexpr auto shape(Z, Y) {
    static_assert(diagnostics::loss_operands_share_shape<Z, Y>::value,
                  "typegrad: bce_with_logits(z, y) needs logits and targets of one shape");
    return Z{};
  }
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T loss(T z, T y) {
    const T magnitude = z < T(0) ? -z : z;
    return (z > T(0) ? z : T(0)) - z * y + detail::math::log1p(detail::math::exp(-magnitude));
  }
  template <class Out, class Z, class Y>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const Z& z, const Y& y) {
    for (std::size_t i = 0; i < Out::size; ++i) out[i] = loss(z[i], y[i]);
  }
  template <class Out, class Z, class Y>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    c.loop("i", Out::size, [&] {
      const std::string z = in[0] + "[i]";
      c.line(out + "[i] = (" + z + " > 0.0 ? " + z + " : 0.0) - " + z + " * " + in[1] + "[i] + std::log1p(std::exp(-std::fabs(" +
             z + ")));");
    });
  }
  // dz = u (sigmoid(z) - y), dy = -u z.
  template <std::size_t I, class Yn, class U>
  static constexpr auto vjp(const Yn& node, const U& u) {
    if constexpr (I == 0)
      return typegrad::hadamard(u, typegrad::subtract(typegrad::sigmoid(typegrad::child<0>(node)), typegrad::child<1>(node)));
    else
      return typegrad::negate(typegrad::hadamard(u, typegrad::child<0>(node)));
  }
  // Elementwise, so the tangent takes the same products.
  template <std::size_t I, class Yn, class T>
  static constexpr auto jvp(const Yn& node, const T& t) {
    return vjp<I>(node, t);
  }
};

template <expression P, expression Y>
constexpr auto mse(const P& p, const Y& y) {
  return typegrad::make_node<mse_op>(p, y);
}
template <expression Z, expression Y>
constexpr auto bce_with_logits(const Z& z, const Y& y) {
  return typegrad::make_node<bce_with_logits_op>(z, y);
}

}  // namespace typegrad

#pragma once
// Cross-entropy, per row: L_r = -sum_j y_rj log p_rj, giving [rows] for rank 2
// and a scalar for rank 1. cross_entropy(softmax(a), y) is rewritten to the
// fused softmax_cross_entropy(a, y, softmax(a)), computed through log-sum-exp,
// whose VJP is the softmax-minus-target form.
#include <cstddef>
#include <string_view>

#include <typegrad/core/code.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/detail/math.hpp>
#include <typegrad/kernels/loops.hpp>
#include <typegrad/ops/elementwise.hpp>
#include <typegrad/ops/fwd.hpp>
#include <typegrad/ops/reduce.hpp>
#include <typegrad/ops/softmax.hpp>

namespace typegrad {

namespace detail {
// Ones with one element per row of p: the cotangent that turns a per-row
// gradient kernel into the row's partial derivatives.
template <class P>
constexpr auto ones_per_row(const P&) {
  return typegrad::broadcast<drop_last_t<shape_of_t<P>>>(literal<1>);
}
template <class P, class Y>
constexpr auto cross_entropy_shape(P, Y) {
  static_assert(diagnostics::cross_entropy_shapes_agree<P, Y>::value,
                "typegrad: cross_entropy(p, y) needs p and y of one shape, rank 1 or 2");
  if constexpr (P::rank == 1 || P::rank == 2)
    return drop_last_t<P>{};
  else
    return shape<>{};
}
}  // namespace detail

struct cross_entropy_op {
  static constexpr std::string_view name = "cross_entropy";
  template <class P, class Y>
  static constexpr auto shape(P p, Y y) {
    return detail::cross_entropy_shape(p, y);
  }
  template <class Out, class P, class Y>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const P& p, const Y& y) {
    constexpr std::size_t cols = last_extent_v<typename P::shape_type>;
    for (std::size_t r = 0; r < Out::size; ++r) {
      typename Out::value_type acc{};
      for (std::size_t c = 0; c < cols; ++c) {
        const auto t = y[r * cols + c];
        if (t != 0) acc -= t * detail::math::log(p[r * cols + c]);  // 0 log 0 = 0
      }
      out[r] = acc;
    }
  }
  template <class Out, class P, class Y>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    const std::string cols = inspect::num(last_extent_v<P>);
    c.loop("r", Out::size, [&] {
      c.line("double acc = 0.0;");
      c.line("for (int j = 0; j < " + cols + "; ++j) {");
      c.line("  const double t = " + in[1] + "[r * " + cols + " + j];");
      c.line("  if (t != 0.0) acc -= t * std::log(" + in[0] + "[r * " + cols + " + j]);");
      c.line("}");
      c.line(out + "[r] = acc;");
    });
  }
  // dp = -u y / p and dy = -u log p, u repeated along each row.
  template <std::size_t I, class Yn, class U>
  static constexpr auto vjp(const Yn& node, const U& u);
  template <std::size_t I, class Yn, class T>
  static constexpr auto jvp(const Yn& node, const T& t);
};

// The VJP of cross_entropy with respect to p: dp_rj = -u_r y_rj / p_rj, and
// exactly 0 where y_rj = 0, as in the forward sum (0 log 0 = 0): a target of
// 0 contributes nothing, even where p is 0 (where -y / p would be NaN).
struct cross_entropy_grad_op {
  static constexpr std::string_view name = "cross_entropy_grad";
  template <class P, class Y, class U>
  static constexpr P shape(P, Y, U) {
    return {};
  }
  template <class Out, class P, class Y, class U>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const P& p, const Y& y, const U& u) {
    constexpr std::size_t cols = last_extent_v<typename P::shape_type>;
    for (std::size_t r = 0; r < U::size; ++r)
      for (std::size_t c = 0; c < cols; ++c) {
        const auto t = y[r * cols + c];
        out[r * cols + c] = t != 0 ? -u[r] * t / p[r * cols + c] : t * u[r];  // t * u: 0, or NaN for a NaN u
      }
  }
  template <class Out, class P, class Y, class U>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<3>& in) {
    const std::string cols = inspect::num(last_extent_v<P>);
    c.loop("r", U::size, [&] {
      c.line("for (int j = 0; j < " + cols + "; ++j) {");
      c.line("  const double t = " + in[1] + "[r * " + cols + " + j];");
      c.line("  " + out + "[r * " + cols + " + j] = t != 0.0 ? -" + in[2] + "[r] * t / " + in[0] + "[r * " + cols +
             " + j] : t * " + in[2] + "[r];");
      c.line("}");
    });
  }
  // g = -u y / p is diagonal in p and in y, and linear in y and in u: so
  // dp = -w ⊙ g / p, dy = cross_entropy_grad(p, w, u) and du = rowsum(w ⊙
  // cross_entropy_grad(p, y, 1)); the tangents take the same forms. Each
  // keeps the zeros where y = 0.
  template <std::size_t I, class Yn, class W>
  static constexpr auto vjp(const Yn& node, const W& w) {
    const auto& p = typegrad::child<0>(node);
    if constexpr (I == 0)
      return typegrad::negate(typegrad::divide(typegrad::hadamard(w, node), p));
    else if constexpr (I == 1)
      return typegrad::make_node<cross_entropy_grad_op>(p, w, typegrad::child<2>(node));
    else
      return typegrad::row_sums(typegrad::hadamard(w, typegrad::make_node<cross_entropy_grad_op>(p, typegrad::child<1>(node), detail::ones_per_row(p))));
  }
  template <std::size_t I, class Yn, class T>
  static constexpr auto jvp(const Yn& node, const T& t) {
    if constexpr (I == 2)
      return typegrad::make_node<cross_entropy_grad_op>(typegrad::child<0>(node), typegrad::child<1>(node), t);
    else
      return vjp<I>(node, t);
  }
};

// dL_r = -rowsum(tp ⊙ y / p) - rowsum(ty ⊙ log p), with the zeros of y kept.
template <std::size_t I, class Yn, class T>
constexpr auto cross_entropy_op::jvp(const Yn& node, const T& t) {
  const auto& p = typegrad::child<0>(node);
  if constexpr (I == 0)
    return typegrad::row_sums(typegrad::hadamard(t, typegrad::make_node<cross_entropy_grad_op>(p, typegrad::child<1>(node), detail::ones_per_row(p))));
  else
    return typegrad::negate(typegrad::row_sums(typegrad::hadamard(t, typegrad::log(p))));
}

template <std::size_t I, class Yn, class U>
constexpr auto cross_entropy_op::vjp(const Yn& node, const U& u) {
  constexpr std::size_t cols = last_extent_v<shape_of_t<child_t<0, Yn>>>;
  const auto& p = typegrad::child<0>(node);
  const auto& y = typegrad::child<1>(node);
  if constexpr (I == 0)
    return typegrad::make_node<cross_entropy_grad_op>(p, y, u);
  else
    return typegrad::negate(typegrad::hadamard(typegrad::repeat_cols<cols>(u), typegrad::log(p)));
}

// The fused form, softmax_cross_entropy(a, y, p) with p = softmax(a):
//   L_r = sum_j y_rj ((a_rk - a_rj) - log p_rk),
// which is -sum_j y_rj log_softmax(a)_rj, with lse(a_r) = a_rk - log p_rk at
// the row's largest logit k (p_rk >= 1/n, so the log is well conditioned).
// The differences a_rk - a_rj come first, so large logits cancel exactly
// there and not in a difference of two large sums. Taking p as an operand
// lets the loss and its gradient share one softmax: each logit's exp is
// computed once.
struct softmax_cross_entropy_op {
  static constexpr std::string_view name = "softmax_cross_entropy";
  template <class A, class Y, class P>
  static constexpr auto shape(A a, Y y, P) {
    return detail::cross_entropy_shape(a, y);
  }
  template <class Out, class A, class Y, class P>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const Y& y, const P& p) {
    constexpr std::size_t cols = last_extent_v<typename A::shape_type>;
    using T = typename Out::value_type;
    kernels::for_each_index<Out::size, A::size>([&](std::size_t r) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      const std::size_t row = r * cols;
      std::size_t top = 0;
      kernels::for_each_index<cols, A::size>(
          [&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA { top = a[row + c] > a[row + top] ? c : top; });
      const T log_top = detail::math::log(p[row + top]);
      T acc{};
      kernels::for_each_index<cols, A::size>([&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
        acc += y[row + c] * ((a[row + top] - a[row + c]) - log_top);
      });
      out[r] = acc;
    });
  }
  static std::string notation(const inspect::names<3>& in) {
    return "softmax_cross_entropy(" + in[0] + ", " + in[1] + "; softmax " + in[2] + ")";
  }
  template <class Out, class A, class Y, class P>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<3>& in) {
    const std::string cols = inspect::num(last_extent_v<A>);
    c.loop("r", Out::size, [&] {
      c.line("const int row = r * " + cols + ";");
      c.line("int top = 0;");
      c.line("for (int j = 0; j < " + cols + "; ++j) top = " + in[0] + "[row + j] > " + in[0] + "[row + top] ? j : top;");
      c.line("const double log_top = std::log(" + in[2] + "[row + top]);");
      c.line("double acc = 0.0;");
      c.line("for (int j = 0; j < " + cols + "; ++j) acc += " + in[1] + "[row + j] * ((" + in[0] + "[row + top] - " + in[0] +
             "[row + j]) - log_top);");
      c.line(out + "[r] = acc;");
    });
  }
  // da = u (p sum(y) - y), row by row; dy = -u log_softmax(a). The third
  // operand only carries p = softmax(a): its dependence on a is already in da.
  template <std::size_t I, class Yn, class U>
  static constexpr auto vjp(const Yn& node, const U& u);
  template <std::size_t I, class Yn, class T>
  static constexpr auto jvp(const Yn& node, const T& t);
};

// The VJP of the fused loss with respect to its logits, as one kernel:
// out_rk = u_r (p_rk * sum_j y_rj - y_rk), which is u_r (p_rk - y_rk) when the
// targets of a row sum to one. It only appears in derived gradient programs.
struct softmax_cross_entropy_grad_op {
  static constexpr std::string_view name = "softmax_cross_entropy_grad";
  template <class P, class Y, class U>
  static constexpr P shape(P, Y, U) {
    return {};
  }
  template <class Out, class P, class Y, class U>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const P& p, const Y& y, const U& u) {
    constexpr std::size_t cols = last_extent_v<typename P::shape_type>;
    using T = typename Out::value_type;
    kernels::for_each_index<U::size, P::size>([&](std::size_t r) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      T mass{};
      kernels::for_each_index<cols, P::size>([&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA { mass += y[r * cols + c]; });
      kernels::for_each_index<cols, P::size>([&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
        out[r * cols + c] = u[r] * (p[r * cols + c] * mass - y[r * cols + c]);
      });
    });
  }
  template <class Out, class P, class Y, class U>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<3>& in) {
    const std::string cols = inspect::num(last_extent_v<P>);
    c.loop("r", U::size, [&] {
      c.line("double mass = 0.0;");
      c.line("for (int j = 0; j < " + cols + "; ++j) mass += " + in[1] + "[r * " + cols + " + j];");
      c.line("for (int j = 0; j < " + cols + "; ++j) " + out + "[r * " + cols + " + j] = " + in[2] + "[r] * (" + in[0] +
             "[r * " + cols + " + j] * mass - " + in[1] + "[r * " + cols + " + j]);");
    });
  }
  // With m = rowsum(y), g_rk = u_r (p_rk m_r - y_rk) is diagonal in p and
  // linear in y and in u:
  //   dp = w ⊙ (u m) repeated,  dy = u (rowsum(w ⊙ p) - w) repeated where
  //   needed,  du = rowsum(w ⊙ g(p, y, 1)).
  // p is the softmax of the logits, so its cotangent reaches them through
  // softmax's own VJP.
  template <std::size_t I, class Yn, class W>
  static constexpr auto vjp(const Yn& node, const W& w) {
    constexpr std::size_t cols = last_extent_v<shape_of_t<Yn>>;
    const auto& p = typegrad::child<0>(node);
    const auto& y = typegrad::child<1>(node);
    const auto& u = typegrad::child<2>(node);
    if constexpr (I == 0)
      return typegrad::hadamard(w, typegrad::repeat_cols<cols>(typegrad::hadamard(u, typegrad::row_sums(y))));
    else if constexpr (I == 1)
      return typegrad::hadamard(typegrad::repeat_cols<cols>(u),
                                typegrad::subtract(typegrad::repeat_cols<cols>(typegrad::row_sums(typegrad::hadamard(w, p))), w));
    else
      return typegrad::row_sums(typegrad::hadamard(w, typegrad::make_node<softmax_cross_entropy_grad_op>(p, y, detail::ones_per_row(p))));
  }
  template <std::size_t I, class Yn, class T>
  static constexpr auto jvp(const Yn& node, const T& t) {
    if constexpr (I == 0)
      return vjp<0>(node, t);
    else if constexpr (I == 1)
      return typegrad::make_node<softmax_cross_entropy_grad_op>(typegrad::child<0>(node), t, typegrad::child<2>(node));
    else
      return typegrad::make_node<softmax_cross_entropy_grad_op>(typegrad::child<0>(node), typegrad::child<1>(node), t);
  }
};

template <std::size_t I, class Yn, class U>
constexpr auto softmax_cross_entropy_op::vjp(const Yn& node, const U& u) {
  if constexpr (I == 0) {
    return typegrad::make_node<softmax_cross_entropy_grad_op>(typegrad::child<2>(node), typegrad::child<1>(node), u);
  } else if constexpr (I == 1) {
    constexpr std::size_t cols = last_extent_v<shape_of_t<child_t<0, Yn>>>;
    return typegrad::negate(typegrad::hadamard(typegrad::repeat_cols<cols>(u), typegrad::log_softmax(typegrad::child<0>(node))));
  } else {
    return no_grad{};
  }
}

// dL_r = rowsum(ta ⊙ (p sum(y) - y)) - rowsum(ty ⊙ log_softmax(a)); the
// tangent of p adds nothing, as in the VJP.
template <std::size_t I, class Yn, class T>
constexpr auto softmax_cross_entropy_op::jvp(const Yn& node, const T& t) {
  const auto& p = typegrad::child<2>(node);
  if constexpr (I == 0)
    return typegrad::row_sums(typegrad::hadamard(t, typegrad::make_node<softmax_cross_entropy_grad_op>(p, typegrad::child<1>(node), detail::ones_per_row(p))));
  else if constexpr (I == 1)
    return typegrad::negate(typegrad::row_sums(typegrad::hadamard(t, typegrad::log_softmax(typegrad::child<0>(node)))));
  else
    return no_grad{};
}

template <expression P, expression Y>
constexpr auto cross_entropy(const P& p, const Y& y) {
  return typegrad::make_node<cross_entropy_op>(p, y);
}

// cross_entropy(softmax(a), y) is the fused, stable form.
template <class A, class Y>
struct rewrite<node<cross_entropy_op, node<softmax_op, A>, Y>> {
  using type = canonical_node_t<softmax_cross_entropy_op, A, Y, node<softmax_op, A>>;
};

}  // namespace typegrad

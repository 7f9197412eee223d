#pragma once
// Cross-entropy, per row: L_r = -sum_j y_rj log p_rj, giving [rows] for rank 2
// and a scalar for rank 1. cross_entropy(softmax(a), y) is rewritten to the
// fused softmax_cross_entropy(a, y), computed through log-sum-exp, whose VJP
// is the softmax-minus-target form.
#include <cstddef>
#include <string_view>

#include <typegrad/core/expr.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/detail/math.hpp>
#include <typegrad/ops/elementwise.hpp>
#include <typegrad/ops/fwd.hpp>
#include <typegrad/ops/reduce.hpp>
#include <typegrad/ops/softmax.hpp>

namespace typegrad {

namespace detail {
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
  // dp = -u y / p and dy = -u log p, u repeated along each row.
  template <std::size_t I, class Yn, class U>
  static constexpr auto vjp(const Yn& node, const U& u) {
    constexpr std::size_t cols = last_extent_v<shape_of_t<child_t<0, Yn>>>;
    const auto& p = child<0>(node);
    const auto& y = child<1>(node);
    if constexpr (I == 0)
      return negate(hadamard(repeat_cols<cols>(u), divide(y, p)));
    else
      return negate(hadamard(repeat_cols<cols>(u), log(p)));
  }
};

// The fused form: L_r = lse(a_r) * sum_j y_rj - sum_j y_rj a_rj.
struct softmax_cross_entropy_op {
  static constexpr std::string_view name = "softmax_cross_entropy";
  template <class A, class Y>
  static constexpr auto shape(A a, Y y) {
    return detail::cross_entropy_shape(a, y);
  }
  template <class Out, class A, class Y>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const Y& y) {
    constexpr std::size_t cols = last_extent_v<typename A::shape_type>;
    using T = typename Out::value_type;
    for (std::size_t r = 0; r < Out::size; ++r) {
      const auto lse = detail::log_sum_exp_row(a.data() + r * cols, cols);
      T mass{}, dot{};
      for (std::size_t c = 0; c < cols; ++c) {
        mass += y[r * cols + c];
        dot += y[r * cols + c] * a[r * cols + c];
      }
      out[r] = (lse.max + lse.log_sum) * mass - dot;
    }
  }
  // da = u (softmax(a) sum(y) - y), row by row; dy = -u log_softmax(a).
  template <std::size_t I, class Yn, class U>
  static constexpr auto vjp(const Yn& node, const U& u);
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
    for (std::size_t r = 0; r < U::size; ++r) {
      T mass{};
      for (std::size_t c = 0; c < cols; ++c) mass += y[r * cols + c];
      for (std::size_t c = 0; c < cols; ++c)
        out[r * cols + c] = u[r] * (p[r * cols + c] * mass - y[r * cols + c]);
    }
  }
  template <std::size_t I, class Yn, class U>
  static constexpr auto vjp(const Yn&, const U&) {
    static_assert(I != I, "typegrad: second derivatives through softmax_cross_entropy are not supported");
    return no_grad{};
  }
};

template <std::size_t I, class Yn, class U>
constexpr auto softmax_cross_entropy_op::vjp(const Yn& node, const U& u) {
  const auto& a = child<0>(node);
  const auto& y = child<1>(node);
  if constexpr (I == 0) {
    return make_node<softmax_cross_entropy_grad_op>(softmax(a), y, u);
  } else {
    constexpr std::size_t cols = last_extent_v<shape_of_t<child_t<0, Yn>>>;
    return negate(hadamard(repeat_cols<cols>(u), log_softmax(a)));
  }
}

template <expression P, expression Y>
constexpr auto cross_entropy(const P& p, const Y& y) {
  return make_node<cross_entropy_op>(p, y);
}

// cross_entropy(softmax(a), y) is the fused, stable form.
template <class A, class Y>
struct rewrite<node<cross_entropy_op, node<softmax_op, A>, Y>> {
  using type = decltype(make_node<softmax_cross_entropy_op>(A{}, Y{}));
};

}  // namespace typegrad

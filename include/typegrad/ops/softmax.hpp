#pragma once
// Row-wise softmax and log_softmax on rank 1 (one row) or rank 2 (one
// distribution per row), both through the max-shifted log-sum-exp.
#include <cstddef>
#include <string_view>

#include <typegrad/core/code.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/detail/math.hpp>
#include <typegrad/kernels/loops.hpp>
#include <typegrad/kernels/reduce.hpp>
#include <typegrad/kernels/simd.hpp>
#include <typegrad/ops/elementwise.hpp>
#include <typegrad/ops/fwd.hpp>
#include <typegrad/ops/reduce.hpp>

namespace typegrad {

namespace detail {
// The shape rule of the row-wise ops: rank 1 or 2, shape kept.
template <class S>
constexpr auto rowwise_shape(S) {
  static_assert(diagnostics::rowwise_operand_has_rank_1_or_2<S>::value,
                "typegrad: softmax and log_softmax need a rank-1 or rank-2 operand");
  return S{};
}
}  // namespace detail

struct softmax_op {
  static constexpr std::string_view name = "softmax";
  template <class S>
  static constexpr auto shape(S s) {
    return detail::rowwise_shape(s);
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    constexpr std::size_t cols = last_extent_v<typename X::shape_type>, rows = X::size / cols;
    using T = typename Out::value_type;
    // Shift each row by its maximum, so every exponent is <= 0.
    kernels::for_each_index<rows, X::size>([&](std::size_t r) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      T m = x[r * cols];
      kernels::for_each_index<cols, X::size>(
          [&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA { m = x[r * cols + c] > m ? x[r * cols + c] : m; });
      kernels::for_each_index<cols, X::size>(
          [&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[r * cols + c] = x[r * cols + c] - m; });
    });
    constexpr std::size_t L = kernels::simd::lanes<T>;
    // A batch smaller than two vectors is quicker as independent scalar calls
    // than as one vector polynomial's chain of dependent steps.
    if (std::is_constant_evaluated() || X::size < 2 * L) {
      kernels::for_each_index<X::size>(
          [&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[i] = detail::math::exp(out[i]); });
    } else {
      // All the batch's exps at once, a vector at a time. Constant bounds, as
      // in the product's row loops: g++ cannot bound a running index after
      // `i + L <= size` and warns of the tail loop.
      constexpr std::size_t whole = X::size / L * L;
      for (std::size_t i = 0; i < whole; i += L)
        kernels::simd::store<T, L>(out.data() + i, kernels::simd::exp_nonpositive<T, L>(kernels::simd::load<T, L>(out.data() + i)));
      for (std::size_t i = whole; i < X::size; ++i) out[i] = kernels::simd::exp_nonpositive<T, 1>(out[i]);
    }
    kernels::for_each_index<rows, X::size>([&](std::size_t r) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      T s{};
      kernels::for_each_index<cols, X::size>([&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA { s += out[r * cols + c]; });
      const T inv = T(1) / s;
      kernels::for_each_index<cols, X::size>([&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[r * cols + c] *= inv; });
    });
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    const std::string cols = inspect::num(last_extent_v<X>);
    c.loop("r", X::size / last_extent_v<X>, [&] {
      c.line("const double* row = " + in[0] + " + r * " + cols + ";");
      c.line("double* y = " + out + " + r * " + cols + ";");
      c.line("double m = row[0];");
      c.line("for (int j = 1; j < " + cols + "; ++j) m = row[j] > m ? row[j] : m;");
      c.line("for (int j = 0; j < " + cols + "; ++j) y[j] = std::exp(row[j] - m);");
      c.line("double s = 0.0;");
      c.line("for (int j = 0; j < " + cols + "; ++j) s += y[j];");
      c.line("const double inv = 1.0 / s;");
      c.line("for (int j = 0; j < " + cols + "; ++j) y[j] *= inv;");
    });
  }
  // dx = y ⊙ (u - rowsum(u ⊙ y)), the sum repeated along each row.
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    constexpr std::size_t cols = last_extent_v<shape_of_t<Y>>;
    return typegrad::hadamard(y, typegrad::subtract(u, typegrad::repeat_cols<cols>(typegrad::row_sums(typegrad::hadamard(u, y)))));
  }
  // The Jacobian diag(y) - y yᵀ of each row is symmetric: the tangent is the
  // same product.
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    return vjp<0>(y, t);
  }
};

struct log_softmax_op {
  static constexpr std::string_view name = "log_softmax";
  template <class S>
  static constexpr auto shape(S s) {
    return detail::rowwise_shape(s);
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    constexpr std::size_t cols = last_extent_v<typename X::shape_type>;
    for (std::size_t r = 0; r < X::size / cols; ++r) {
      const auto lse = kernels::log_sum_exp_row(x.data() + r * cols, cols);
      for (std::size_t c = 0; c < cols; ++c) out[r * cols + c] = x[r * cols + c] - lse.max - lse.log_sum;
    }
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    const std::string cols = inspect::num(last_extent_v<X>);
    c.loop("r", X::size / last_extent_v<X>, [&] {
      c.line("const double* row = " + in[0] + " + r * " + cols + ";");
      c.line("double m = row[0];");
      c.line("for (int j = 1; j < " + cols + "; ++j) m = row[j] > m ? row[j] : m;");
      c.line("double s = 0.0;");
      c.line("for (int j = 0; j < " + cols + "; ++j) s += std::exp(row[j] - m);");
      c.line("const double log_s = std::log(s);");
      c.line("for (int j = 0; j < " + cols + "; ++j) " + out + "[r * " + cols + " + j] = row[j] - m - log_s;");
    });
  }
  // dx = u - softmax(x) ⊙ rowsum(u), the sum repeated along each row.
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    constexpr std::size_t cols = last_extent_v<shape_of_t<Y>>;
    return typegrad::subtract(u, typegrad::hadamard(typegrad::softmax(typegrad::child<0>(y)), typegrad::repeat_cols<cols>(typegrad::row_sums(u))));
  }
  // dy = t - rowsum(softmax(x) ⊙ t), the sum repeated along each row.
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    constexpr std::size_t cols = last_extent_v<shape_of_t<Y>>;
    return typegrad::subtract(t, typegrad::repeat_cols<cols>(typegrad::row_sums(typegrad::hadamard(typegrad::softmax(typegrad::child<0>(y)), t))));
  }
};

template <expression X>
constexpr auto softmax(const X& x) {
  return typegrad::make_node<softmax_op>(x);
}
template <expression X>
constexpr auto log_softmax(const X& x) {
  return typegrad::make_node<log_softmax_op>(x);
}

// log(softmax(x)) is computed as log_softmax(x), never naively.
template <class X>
struct rewrite<node<map_op<log_fn>, node<softmax_op, X>>> {
  using type = canonical_node_t<log_softmax_op, X>;
};

}  // namespace typegrad

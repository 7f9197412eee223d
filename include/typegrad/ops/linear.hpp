#pragma once
// Linear algebra: the matrix product (a * b for rank 2 times rank 2 or rank 1),
// the outer product, and transpose. `a * b` with a scalar operand scales
// instead (the elementwise product of arithmetic.hpp).
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <typegrad/core/code.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/matmul.hpp>
#include <typegrad/ops/arithmetic.hpp>
#include <typegrad/ops/fwd.hpp>

namespace typegrad {

namespace detail {
template <class S>
struct transposed {
  using type = S;
};
template <std::size_t M, std::size_t N>
struct transposed<shape<M, N>> {
  using type = shape<N, M>;
};
template <bool Flip, class S>
using maybe_transposed_t = std::conditional_t<Flip, typename transposed<S>::type, S>;

template <bool Flip, class X>
constexpr auto maybe_transpose(const X& x) {
  if constexpr (Flip)
    return typegrad::transpose(x);
  else
    return x;
}
}  // namespace detail

// ---- matrix product ----------------------------------------------------------------
// matmul_op<TA, TB> multiplies op(a) by op(b), where op transposes when its
// flag is set. Users write a * b (both flags clear); the flags come from
// folding transposes into the product (see the rewrites below), so that the
// VJP rules U·Bᵀ and Aᵀ·U never materialise a transpose.
template <bool TransposeA = false, bool TransposeB = false>
struct matmul_op {
  static constexpr std::string_view name = "matmul";
  static constexpr std::string_view symbol = "·";
  static constexpr bool transpose_a = TransposeA;
  static constexpr bool transpose_b = TransposeB;

  template <class A, class B>
  static constexpr auto shape(A, B) {
    using lhs = detail::maybe_transposed_t<TransposeA, A>;
    using rhs = detail::maybe_transposed_t<TransposeB, B>;
    if constexpr (!diagnostics::matmul_ranks_supported<lhs, rhs>::value) {
      static_assert(diagnostics::matmul_ranks_supported<lhs, rhs>::value,
                    "typegrad: matrix product a * b needs rank 2 times rank 2, or rank 2 times rank 1");
      return typegrad::shape<>{};
    } else {
      static_assert(diagnostics::matmul_inner_dims_agree<lhs, rhs>::value,
                    "typegrad: matrix product needs cols(lhs) == rows(rhs)");
      if constexpr (rhs::rank == 2)
        return typegrad::shape<lhs::dims[0], rhs::dims[1]>{};
      else
        return typegrad::shape<lhs::dims[0]>{};
    }
  }

  template <class Out, class A, class B>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const B& b) {
    kernels::matmul<TransposeA, TransposeB>(out, a, b);
  }

  // Printed with its transposes spelled out: transpose(X)·t9.
  static std::string notation(const inspect::names<2>& in) {
    return (TransposeA ? "transpose(" + in[0] + ")" : in[0]) + "·" + (TransposeB ? "transpose(" + in[1] + ")" : in[1]);
  }
  template <class Out, class A, class B>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    using lhs = detail::maybe_transposed_t<TransposeA, A>;
    const std::size_t m = lhs::dims[0], k = lhs::dims[1], a_cols = A::dims[1];
    const std::string a_at = TransposeA ? in[0] + "[p * " + inspect::num(a_cols) + " + i]"
                                        : in[0] + "[i * " + inspect::num(a_cols) + " + p]";
    if constexpr (B::rank == 1) {
      c.loop("i", m, [&] {
        c.line("double acc = 0.0;");
        c.loop("p", k, [&] { c.line("acc += " + a_at + " * " + in[1] + "[p];"); });
        c.line(out + "[i] = acc;");
      });
    } else {
      const std::size_t n = Out::dims[1], b_cols = B::dims[1];
      const std::string out_at = out + "[i * " + inspect::num(n) + " + j]";
      if constexpr (TransposeB) {
        c.loop("i", m, [&] {
          c.loop("j", n, [&] {
            c.line("double acc = 0.0;");
            c.loop("p", k, [&] { c.line("acc += " + a_at + " * " + in[1] + "[j * " + inspect::num(b_cols) + " + p];"); });
            c.line(out_at + " = acc;");
          });
        });
      } else {
        // Row by row of B, so the inner loop runs along contiguous rows of B
        // and of the output and vectorises; each element still sums its
        // products in the order p = 0, 1, ..., as the kernel does.
        c.loop("i", m, [&] {
          c.loop("j", n, [&] { c.line(out_at + " = 0.0;"); });
          c.loop("p", k, [&] {
            c.line("const double a = " + a_at + ";");
            c.loop("j", n, [&] { c.line(out_at + " += a * " + in[1] + "[p * " + inspect::num(b_cols) + " + j];"); });
          });
        });
      }
    }
  }
  // C = op(A) op(B): d op(A) = U op(B)ᵀ and d op(B) = op(A)ᵀ U; for a vector b,
  // d op(A) = u bᵀ and db = op(A)ᵀ u.
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    const auto a = detail::maybe_transpose<TransposeA>(typegrad::child<0>(y));
    if constexpr (shape_of_t<child_t<1, Y>>::rank == 1) {
      if constexpr (I == 0)
        return detail::maybe_transpose<TransposeA>(typegrad::outer(u, typegrad::child<1>(y)));
      else
        return typegrad::matmul(typegrad::transpose(a), u);
    } else {
      const auto b = detail::maybe_transpose<TransposeB>(typegrad::child<1>(y));
      if constexpr (I == 0)
        return detail::maybe_transpose<TransposeA>(typegrad::matmul(u, typegrad::transpose(b)));
      else
        return detail::maybe_transpose<TransposeB>(typegrad::matmul(typegrad::transpose(a), u));
    }
  }  // Bilinear: the tangent of one factor times the other, flags kept.
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return typegrad::make_node<matmul_op>(t, typegrad::child<1>(y));
    else
      return typegrad::make_node<matmul_op>(typegrad::child<0>(y), t);
  }
};

// ---- outer product -----------------------------------------------------------------
struct outer_op {
  static constexpr std::string_view name = "outer";
  template <class A, class B>
  static constexpr auto shape(A, B) {
    static_assert(diagnostics::outer_operands_are_vectors<A, B>::value, "typegrad: outer(a, b) needs two vectors");
    if constexpr (A::rank == 1 && B::rank == 1)
      return typegrad::shape<A::dims[0], B::dims[0]>{};
    else
      return typegrad::shape<>{};
  }
  template <class Out, class A, class B>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const B& b) {
    for (std::size_t i = 0; i < A::size; ++i)
      for (std::size_t j = 0; j < B::size; ++j) out[i * B::size + j] = a[i] * b[j];
  }
  template <class Out, class A, class B>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    c.loop("i", A::size, [&] {
      c.loop("j", B::size, [&] { c.line(out + "[i * " + inspect::num(B::size) + " + j] = " + in[0] + "[i] * " + in[1] + "[j];"); });
    });
  }
  // C = a bᵀ: da = U b, db = Uᵀ a.
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    if constexpr (I == 0)
      return typegrad::matmul(u, typegrad::child<1>(y));
    else
      return typegrad::matmul(typegrad::transpose(u), typegrad::child<0>(y));
  }  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return typegrad::outer(t, typegrad::child<1>(y));
    else
      return typegrad::outer(typegrad::child<0>(y), t);
  }
};

// ---- transpose ---------------------------------------------------------------------
struct transpose_op {
  static constexpr std::string_view name = "transpose";
  template <class S>
  static constexpr auto shape(S) {
    static_assert(diagnostics::transpose_operand_has_rank_2<S>::value, "typegrad: transpose needs a rank-2 operand");
    return typename detail::transposed<S>::type{};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    constexpr std::size_t rows = X::shape_type::dims[0], cols = X::shape_type::dims[1];
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) out[j * rows + i] = x[i * cols + j];
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    const std::size_t rows = X::dims[0], cols = X::dims[1];
    c.loop("i", rows, [&] {
      c.loop("j", cols, [&] {
        c.line(out + "[j * " + inspect::num(rows) + " + i] = " + in[0] + "[i * " + inspect::num(cols) + " + j];");
      });
    });
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::transpose(u);
  }  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::transpose(t);
  }
};

// ---- builders and the * operator ----------------------------------------------------
template <expression A, expression B>
constexpr auto matmul(const A& a, const B& b) {
  return typegrad::make_node<matmul_op<>>(a, b);
}
template <expression A, expression B>
constexpr auto outer(const A& a, const B& b) {
  return typegrad::make_node<outer_op>(a, b);
}
template <expression X>
constexpr auto transpose(const X& x) {
  return typegrad::make_node<transpose_op>(x);
}

// a * b: the matrix product when both have rank >= 1; scaling when either is a
// scalar (numbers included, as in 0.01 * sum(square(W))).
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto operator*(const A& a, const B& b) {
  return typegrad::make_operator<yap::expr_kind::multiplies>(typegrad::as_operand(a), typegrad::as_operand(b));
}
template <class A, class B>
struct operator_op<yap::expr_kind::multiplies, A, B> {
  using type = std::conditional_t<(A::rank == 0 || B::rank == 0), multiply_op, matmul_op<>>;
};

// ---- simplification ------------------------------------------------------------------
template <class X>
struct rewrite<node<transpose_op, node<transpose_op, X>>> {
  using type = X;
};
// Transposes fold into the product's flags.
template <bool TA, bool TB, class A, class B>
struct rewrite<node<matmul_op<TA, TB>, node<transpose_op, A>, B>> {
  using type = canonical_node_t<matmul_op<!TA, TB>, A, B>;
};
template <bool TA, bool TB, class A, class B>
  requires(!node_of<transpose_op, A>)
struct rewrite<node<matmul_op<TA, TB>, A, node<transpose_op, B>>> {
  using type = canonical_node_t<matmul_op<TA, !TB>, A, B>;
};
// (op(A) op(B))ᵀ = op(B)ᵀ op(A)ᵀ.
template <bool TA, bool TB, class A, class B>
  requires(shape_of_t<B>::rank == 2)
struct rewrite<node<transpose_op, node<matmul_op<TA, TB>, A, B>>> {
  using type = canonical_node_t<matmul_op<!TB, !TA>, B, A>;
};
// (a bᵀ)ᵀ = b aᵀ.
template <class A, class B>
struct rewrite<node<transpose_op, node<outer_op, A, B>>> {
  using type = canonical_node_t<outer_op, B, A>;
};

}  // namespace typegrad

#pragma once
// Linear algebra: the matrix product (a * b for rank 2 times rank 2 or rank 1),
// the outer product, and transpose. `a * b` with a scalar operand scales
// instead (the elementwise product of arithmetic.hpp).
#include <bit>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <typegrad/core/code.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/detail/kernels.hpp>
#include <typegrad/detail/simd.hpp>
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

// The run-time matrix product, out = op(A) op(B), register-tiled: each tile
// is Rows rows by Blocks vectors of W columns, its sums held in registers
// across the shared axis. Every element sums its products in the same order
// as the scalar loop (p = 0, 1, ... into one accumulator), so the values do
// not depend on the tiling.
//
// B is read a column panel at a time. A row-major B is read in place
// (packing it measured no faster, even at 784 x 256). A transposed B is
// first copied into a small contiguous buffer (at most matmul_pack_bytes on
// the stack, whatever the matrix size), k_chunk rows of the shared axis at a
// time; a tile that starts past the first chunk resumes from the sums it
// stored, so the order of the additions is unchanged.
template <class T, std::size_t W, std::size_t Blocks, std::size_t Rows, class AAt>
TYPEGRAD_ALWAYS_INLINE inline void matmul_tile(T* out, std::size_t n, const T* b, std::size_t b_stride, AAt a_at,
                                               std::size_t i0, std::size_t j0, std::size_t p0, std::size_t p1) {
  using V = simd::vec<T, W>;
  // Accumulator q holds row q / Blocks, column block q % Blocks. Every index
  // is a compile-time constant (the packs are expanded, not looped over), so
  // the accumulators live in registers, not in memory.
  [&]<std::size_t... Q, std::size_t... J>(std::index_sequence<Q...>, std::index_sequence<J...>) {
    T* const o = out + i0 * n + j0;
    V acc[Rows * Blocks] = {};
    if (p0 > 0) ((acc[Q] = simd::load<T, W>(o + (Q / Blocks) * n + (Q % Blocks) * W)), ...);
    for (std::size_t p = p0; p < p1; ++p) {
      const T* brow = b + (p - p0) * b_stride;
      const V bv[Blocks] = {simd::load<T, W>(brow + J * W)...};
      // Vector times scalar: the compilers broadcast A's element straight
      // from memory (a load), where splatting it first loads it into a register
      // and then shuffles it, on the port the multiply-adds need.
      ((acc[Q] += bv[Q % Blocks] * a_at(i0 + Q / Blocks, p)), ...);
    }
    (simd::store<T, W>(o + (Q / Blocks) * n + (Q % Blocks) * W, acc[Q]), ...);
  }(std::make_index_sequence<Rows * Blocks>{}, std::make_index_sequence<Blocks>{});
}

// All M rows of one column panel, over shared-axis rows [p0, p1), in tiles
// of as many rows as keep the accumulators in registers, balanced so that
// the last tile is not a sliver.
template <class T, std::size_t W, std::size_t Blocks, std::size_t M, class AAt>
TYPEGRAD_ALWAYS_INLINE inline void matmul_panel_rows(T* out, std::size_t n, const T* b, std::size_t b_stride, AAt a_at,
                                                     std::size_t j0, std::size_t p0, std::size_t p1) {
  constexpr std::size_t most = simd::accumulators / Blocks > 0 ? simd::accumulators / Blocks : 1;
  constexpr std::size_t tiles = (M + most - 1) / most;
  constexpr std::size_t rows = (M + tiles - 1) / tiles;
  // Both bounds are constants: with `i + rows <= M` over a running i, g++
  // could not bound i after the loop and warned (-Waggressive-loop-
  // optimizations) of an out-of-range store in the tail tile.
  constexpr std::size_t whole = M / rows * rows;
  for (std::size_t i = 0; i < whole; i += rows) matmul_tile<T, W, Blocks, rows>(out, n, b, b_stride, a_at, i, j0, p0, p1);
  if constexpr (M % rows > 0) matmul_tile<T, W, Blocks, M % rows>(out, n, b, b_stride, a_at, whole, j0, p0, p1);
}

// One column panel, columns [j0, j0 + Blocks * W): read in place from a
// row-major B, or, from a transposed one, packed chunk by chunk.
template <bool TransposeB, class T, std::size_t W, std::size_t Blocks, std::size_t M, std::size_t K, class AAt>
TYPEGRAD_ALWAYS_INLINE inline void matmul_panel(T* out, std::size_t n, const T* b, AAt a_at, std::size_t j0) {
  constexpr std::size_t width = W * Blocks;
  if constexpr (!TransposeB) {
    matmul_panel_rows<T, W, Blocks, M>(out, n, b + j0, n, a_at, j0, 0, K);
  } else {
    constexpr std::size_t chunk = simd::matmul_pack_bytes / (width * sizeof(T));
    constexpr std::size_t k_chunk = chunk < K ? (chunk > 0 ? chunk : 1) : K;
    alignas(simd::bytes) T packed[k_chunk * width];
    for (std::size_t p0 = 0; p0 < K; p0 += k_chunk) {
      const std::size_t p1 = p0 + k_chunk < K ? p0 + k_chunk : K;
      // Long rows of B are read along (contiguous); short ones (a few
      // elements) go faster with the buffer written in order.
      if constexpr (K >= width) {
        for (std::size_t j = 0; j < width; ++j)
          for (std::size_t p = p0; p < p1; ++p) packed[(p - p0) * width + j] = b[(j0 + j) * K + p];
      } else {
        for (std::size_t p = p0; p < p1; ++p)
          for (std::size_t j = 0; j < width; ++j) packed[(p - p0) * width + j] = b[(j0 + j) * K + p];
      }
      matmul_panel_rows<T, W, Blocks, M>(out, n, packed, width, a_at, j0, p0, p1);
    }
  }
}

// out (m x n) = op(A) op(B) over a shared axis of k, on raw row-major
// storage: one instance per shape, whatever views the operands are.
template <bool TransposeA, bool TransposeB, class T, std::size_t m, std::size_t n, std::size_t k>
TYPEGRAD_ALWAYS_INLINE inline void matmul_simd(T* __restrict op, const T* ap, const T* bp) {
  constexpr std::size_t L = simd::lanes<T>;
  constexpr std::size_t a_cols = TransposeA ? m : k;
  auto a_at = [ap](std::size_t i, std::size_t p) { return TransposeA ? ap[p * a_cols + i] : ap[i * a_cols + p]; };

  // Full vectors in panels of simd::panel_blocks, then the rest of them.
  constexpr std::size_t full = n / L;
  constexpr std::size_t panel = simd::panel_blocks < full ? simd::panel_blocks : full;
  if constexpr (panel > 0) {
    constexpr std::size_t panels = full / panel;
    for (std::size_t j = 0; j < panels; ++j)
      matmul_panel<TransposeB, T, L, panel, m, k>(op, n, bp, a_at, j * panel * L);
    if constexpr (full % panel > 0)
      matmul_panel<TransposeB, T, L, full % panel, m, k>(op, n, bp, a_at, panels * panel * L);
  }
  // The remaining columns take vectors of the widest width that fits in the
  // matrix, the last one ending at column n; where it overlaps columns already
  // done it recomputes them with the same operations, so the values agree.
  constexpr std::size_t rest = n - full * L;
  constexpr std::size_t width = n >= L ? L : std::bit_floor(n);
  if constexpr (rest > 0) {
    for (std::size_t start = full * L; start < n;) {
      const std::size_t j0 = start + width <= n ? start : n - width;
      matmul_panel<TransposeB, T, width, 1, m, k>(op, n, bp, a_at, j0);
      start = j0 + width;
    }
  }
}

// Products of at least this many multiply-adds are called, not inlined: one
// function per product shape, shared by every node of that shape. A call
// costs a few nanoseconds against the product's hundreds, and it keeps the
// gradient program's one body from growing with every layer, which made
// g++'s optimiser superlinear in depth (bench/compile_time.py). Smaller
// products (XOR's) stay inlined.
inline constexpr std::size_t matmul_inline_limit = 1024;

template <bool TransposeA, bool TransposeB, class T, std::size_t m, std::size_t n, std::size_t k>
[[gnu::noinline]] void matmul_out_of_line(T* out, const T* a, const T* b) {
  matmul_simd<TransposeA, TransposeB, T, m, n, k>(out, a, b);
}

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
    // Products at least half a vector wide take the vector kernel; smaller
    // ones (XOR's) are left to the plain loop, which the compiler unrolls.
    using lhs = detail::maybe_transposed_t<TransposeA, typename A::shape_type>;
    constexpr std::size_t m = lhs::dims[0], k = lhs::dims[1];
    if constexpr (B::rank == 2 && Out::shape_type::dims[1] >= detail::simd::lanes<typename Out::value_type> / 2) {
      if (!std::is_constant_evaluated()) {
        using T = typename Out::value_type;
        constexpr std::size_t n = Out::shape_type::dims[1];
        if constexpr (m * n * k >= detail::matmul_inline_limit)
          return detail::matmul_out_of_line<TransposeA, TransposeB, T, m, n, k>(out.data(), a.data(), b.data());
        else
          return detail::matmul_simd<TransposeA, TransposeB, T, m, n, k>(out.data(), a.data(), b.data());
      }
    }
    constexpr std::size_t a_cols = A::shape_type::dims[1];
    auto a_at = [&](std::size_t i, std::size_t p) { return TransposeA ? a[p * a_cols + i] : a[i * a_cols + p]; };
    using T = typename Out::value_type;
    if constexpr (B::rank == 1) {
      for (std::size_t i = 0; i < m; ++i) {
        T acc{};
        for (std::size_t p = 0; p < k; ++p) acc += a_at(i, p) * b[p];
        out[i] = acc;
      }
    } else {
      constexpr std::size_t n = Out::shape_type::dims[1];
      constexpr std::size_t b_cols = B::shape_type::dims[1];
      constexpr std::size_t work = m * k * n;
      detail::for_each_index<m, work>([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
        T row[n]{};
        detail::for_each_index<k, work>([&](std::size_t p) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
          const T aip = a_at(i, p);
          detail::for_each_index<n, work>([&](std::size_t j) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
            row[j] += aip * (TransposeB ? b[j * b_cols + p] : b[p * b_cols + j]);
          });
        });
        detail::for_each_index<n, work>([&](std::size_t j) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[i * n + j] = row[j]; });
      });
    }
  }

  // C = op(A) op(B): d op(A) = U op(B)ᵀ and d op(B) = op(A)ᵀ U; for a vector b,
  // d op(A) = u bᵀ and db = op(A)ᵀ u.
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
      const std::string b_at = TransposeB ? in[1] + "[j * " + inspect::num(b_cols) + " + p]"
                                          : in[1] + "[p * " + inspect::num(b_cols) + " + j]";
      c.loop("i", m, [&] {
        c.loop("j", n, [&] {
          c.line("double acc = 0.0;");
          c.loop("p", k, [&] { c.line("acc += " + a_at + " * " + b_at + ";"); });
          c.line(out + "[i * " + inspect::num(n) + " + j] = acc;");
        });
      });
    }
  }
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
  // C = a bᵀ: da = U b, db = Uᵀ a.
  template <class Out, class A, class B>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    c.loop("i", A::size, [&] {
      c.loop("j", B::size, [&] { c.line(out + "[i * " + inspect::num(B::size) + " + j] = " + in[0] + "[i] * " + in[1] + "[j];"); });
    });
  }
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    if constexpr (I == 0)
      return typegrad::matmul(u, typegrad::child<1>(y));
    else
      return typegrad::matmul(typegrad::transpose(u), typegrad::child<0>(y));
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

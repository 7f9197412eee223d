#pragma once
// The matrix product on row-major storage with static extents: out (m x n) =
// op(A) op(B), where op transposes when its flag is set, and B may be a
// vector. Used by matmul_op (ops/linear.hpp).
#include <bit>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/loops.hpp>
#include <typegrad/kernels/simd.hpp>

namespace typegrad::kernels {

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

// Calls panel.template operator()<W, Blocks>(j0) for column panels covering
// the n columns of an m-row product: full vectors in panels of
// simd::panel_blocks, then the rest of them. With Overlap, the remaining
// columns take vectors of the widest width that fits in the matrix, the last
// one ending at column n; where it overlaps columns already done it
// recomputes them with the same operations, so the values agree. Without
// (a product that adds to sums already held), they take narrower vectors,
// halving down to one column.
template <class T, std::size_t m, std::size_t n, bool Overlap = true, class Panel>
TYPEGRAD_ALWAYS_INLINE inline void for_each_column_panel(Panel panel) {
  constexpr std::size_t L = simd::lanes<T>;
  constexpr std::size_t full = n / L;
  constexpr std::size_t blocks = simd::panel_blocks_for(m) < full ? simd::panel_blocks_for(m) : full;
  if constexpr (blocks > 0) {
    constexpr std::size_t panels = full / blocks;
    for (std::size_t j = 0; j < panels; ++j) panel.template operator()<L, blocks>(j * blocks * L);
    if constexpr (full % blocks > 0) panel.template operator()<L, full % blocks>(panels * blocks * L);
  }
  constexpr std::size_t rest = n - full * L;
  constexpr std::size_t width = n >= L ? L : std::bit_floor(n);
  if constexpr (rest > 0 && Overlap) {
    for (std::size_t start = full * L; start < n;) {
      const std::size_t j0 = start + width <= n ? start : n - width;
      panel.template operator()<width, 1>(j0);
      start = j0 + width;
    }
  } else if constexpr (rest > 0) {
    [&]<std::size_t... B>(std::index_sequence<B...>) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      // Bit B of rest, from the widest: columns [n - (rest mod 2^(B+1)), ...).
      (([&] {
         constexpr std::size_t bit = std::size_t{1} << (sizeof...(B) - 1 - B);
         if constexpr ((rest & bit) != 0) panel.template operator()<bit, 1>(n - (rest % (bit * 2)));
       }()),
       ...);
    }(std::make_index_sequence<std::bit_width(rest)>{});
  }
}

// out (m x n) = op(A) op(B) over a shared axis of k, on raw row-major
// storage: one instance per shape, whatever views the operands are.
template <bool TransposeA, bool TransposeB, class T, std::size_t m, std::size_t n, std::size_t k>
TYPEGRAD_ALWAYS_INLINE inline void matmul_simd(T* __restrict op, const T* ap, const T* bp) {
  constexpr std::size_t a_cols = TransposeA ? m : k;
  auto a_at = [ap](std::size_t i, std::size_t p) { return TransposeA ? ap[p * a_cols + i] : ap[i * a_cols + p]; };
  for_each_column_panel<T, m, n>([&]<std::size_t W, std::size_t Blocks>(std::size_t j0) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    matmul_panel<TransposeB, T, W, Blocks, m, k>(op, n, bp, a_at, j0);
  });
}

// One stretch [p0, p1) of a longer product's shared axis: out (m x n) gets
// the products a_at(i, p) · b[p - p0][j] added to the sums it holds (from
// zero when p0 == 0). Products whose shared axis is gathered a block at a
// time (a convolution's patches) sum in the same order as in one call.
template <class T, std::size_t m, std::size_t n, class AAt>
TYPEGRAD_ALWAYS_INLINE inline void matmul_stretch(T* __restrict out, AAt a_at, const T* b, std::size_t p0, std::size_t p1) {
  for_each_column_panel<T, m, n, false>([&]<std::size_t W, std::size_t Blocks>(std::size_t j0) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    matmul_panel_rows<T, W, Blocks, m>(out, n, b + j0, n, a_at, j0, p0, p1);
  });
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

// out = op(a) op(b) for tensors or views (data(), shape_type, operator[]).
template <bool TransposeA, bool TransposeB, class Out, class A, class B>
TYPEGRAD_ALWAYS_INLINE constexpr void matmul(Out& out, const A& a, const B& b) {
  // Products at least half a vector wide take the vector kernel; smaller
  // ones (XOR's) are left to the plain loop, which the compiler unrolls.
  constexpr std::size_t m = A::shape_type::dims[TransposeA ? 1 : 0], k = A::shape_type::dims[TransposeA ? 0 : 1];
  if constexpr (B::rank == 2 && Out::shape_type::dims[1] >= simd::lanes<typename Out::value_type> / 2) {
    if (!std::is_constant_evaluated()) {
      using T = typename Out::value_type;
      constexpr std::size_t n = Out::shape_type::dims[1];
      if constexpr (m * n * k >= matmul_inline_limit)
        return matmul_out_of_line<TransposeA, TransposeB, T, m, n, k>(out.data(), a.data(), b.data());
      else
        return matmul_simd<TransposeA, TransposeB, T, m, n, k>(out.data(), a.data(), b.data());
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
    for_each_index<m, work>([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      T row[n]{};
      for_each_index<k, work>([&](std::size_t p) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
        const T aip = a_at(i, p);
        for_each_index<n, work>([&](std::size_t j) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
          row[j] += aip * (TransposeB ? b[j * b_cols + p] : b[p * b_cols + j]);
        });
      });
      for_each_index<n, work>([&](std::size_t j) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[i * n + j] = row[j]; });
    });
  }
}

}  // namespace typegrad::kernels

// The tiled product against a scalar reference, shape by shape, as a GEMM
// microkernel tester sweeps its kernels. The shapes are derived from this
// build's vector width, panel and tile sizes, so every remainder is hit:
//   n: under half a vector (the plain loop), one vector less one lane, one
//      vector, a panel less one lane, a panel, a panel and a vector and a
//      tail, two panels and one;
//   m: 1, a full tile of rows, a tile and one; and the wider panels of a
//      batch of one or three rows;
//   k: 1, 7, and one more than a chunk of the packed transposed B;
// in float and double, with each operand transposed or not. Two checks:
//  - the error bound: |C - C_ref| <= k eps sum_p |a_ip b_pj|, against a
//    reference summed in long double (any contraction into FMA, as under
//    -march=native, stays within it);
//  - without FMA instructions, no tiling changes a value: C equals, bit for
//    bit, the plain loop that sums p = 0, 1, ... in T.
#include "../support/testing.hpp"

#include <cmath>
#include <vector>

namespace tg = typegrad;
namespace simd = tg::kernels::simd;

namespace {

template <class T>
T value_at(std::size_t i, std::size_t salt) {
  // Mixed signs and magnitudes, exactly reproducible.
  return static_cast<T>(std::sin(0.37 * double(i) + 0.11 * double(salt)) * std::ldexp(1.0, int(i % 7) - 3));
}

template <bool TA, bool TB, class T, std::size_t m, std::size_t n, std::size_t k>
void check_product() {
  constexpr std::size_t a_rows = TA ? k : m, a_cols = TA ? m : k, b_rows = TB ? n : k, b_cols = TB ? k : n;
  tg::tensor<T, a_rows, a_cols> a;
  tg::tensor<T, b_rows, b_cols> b;
  for (std::size_t i = 0; i < a.size; ++i) a[i] = value_at<T>(i, 1);
  for (std::size_t i = 0; i < b.size; ++i) b[i] = value_at<T>(i, 2);
  auto c = std::make_unique<tg::tensor<T, m, n>>();
  tg::kernels::matmul<TA, TB>(*c, a, b);
  auto at = [&](std::size_t i, std::size_t p) { return TA ? a[p * a_cols + i] : a[i * a_cols + p]; };
  auto bt = [&](std::size_t p, std::size_t j) { return TB ? b[j * b_cols + p] : b[p * b_cols + j]; };
  std::size_t outside = 0, differ = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      long double exact = 0, magnitude = 0;
      T plain = 0;
      for (std::size_t p = 0; p < k; ++p) {
        exact += static_cast<long double>(at(i, p)) * bt(p, j);
        magnitude += std::abs(static_cast<long double>(at(i, p)) * bt(p, j));
        const T product = at(i, p) * bt(p, j);
        plain = plain + product;
      }
      const T got = (*c)[i * n + j];
      const long double bound = static_cast<long double>(k) * std::numeric_limits<T>::epsilon() * magnitude;
      outside += std::abs(static_cast<long double>(got) - exact) > bound;
      differ += got != plain;
    }
  INFO((std::is_same_v<T, float> ? "float" : "double") << " [" << m << "," << n << "," << k << "], transposes " << TA
                                                          << TB);
  CHECK(outside == 0);
#if !defined(__FMA__)
  CHECK(differ == 0);
#else
  (void)differ;
#endif
}

template <class T, std::size_t m, std::size_t n, std::size_t k>
void check_all_transposes() {
  check_product<false, false, T, m, n, k>();
  check_product<false, true, T, m, n, k>();
  check_product<true, false, T, m, n, k>();
  check_product<true, true, T, m, n, k>();
}

template <class T>
void sweep() {
  constexpr std::size_t L = simd::lanes<T>, panel = simd::panel_blocks * L;
  constexpr std::size_t tile_rows = simd::accumulators / simd::panel_blocks;
  constexpr std::size_t chunk = simd::matmul_pack_bytes / (panel * sizeof(T));
  // n across every column remainder, at a small m and k.
  check_all_transposes<T, 3, (L / 2 > 1 ? L / 2 - 1 : 1), 5>();
  check_all_transposes<T, 3, L - 1, 5>();
  check_all_transposes<T, 3, L, 5>();
  check_all_transposes<T, 3, panel - 1, 5>();
  check_all_transposes<T, 3, panel, 5>();
  check_all_transposes<T, 3, panel + L + 3, 7>();
  check_all_transposes<T, 2, 2 * panel + 1, 1>();
  // m across the row tile.
  check_all_transposes<T, 1, panel + 1, 7>();
  check_all_transposes<T, tile_rows, panel + 1, 7>();
  check_all_transposes<T, tile_rows + 1, panel + L + 1, 7>();
  // k past one chunk of the packed transposed B.
  check_all_transposes<T, 4, panel + 3, chunk + 3>();
  // A batch of one or three rows takes wider panels (simd::panel_blocks_for).
  constexpr std::size_t wide1 = simd::panel_blocks_for(1) * L, wide3 = simd::panel_blocks_for(3) * L;
  check_all_transposes<T, 1, wide1 - 1, 9>();
  check_all_transposes<T, 1, wide1 + L + 3, 9>();
  check_all_transposes<T, 1, 2 * wide1 + 1, 5>();
  check_all_transposes<T, 3, wide3 + L + 1, 9>();
}

}  // namespace

TEST_CASE("the tiled product is within the error bound of an exact sum at every remainder", "[kernels][matmul]") {
  sweep<float>();
  sweep<double>();
}

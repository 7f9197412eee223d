// The matrix product alone, typegrad's kernel against Eigen 3.4 (fixed-size
// and dynamic-size), for every product one training step of the benchmark
// models runs: forward X·W, and backward Hᵀ·U (transposed A) and U·Wᵀ
// (transposed B). Used to tune the register tiling in kernels/simd.hpp:
//
//   ./build/bench/bench/kernels --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Names read product<scalar, M, N, K, transpose A, transpose B>: out is M x N,
// the shared axis K.
#include <benchmark/benchmark.h>

#include <Eigen/Dense>
#include <memory>
#include <type_traits>

#include <typegrad/typegrad.hpp>

namespace {

namespace tg = typegrad;

template <class T, std::size_t M, std::size_t N, std::size_t K, bool TA, bool TB>
void typegrad_product(benchmark::State& state) {
  using a_type = std::conditional_t<TA, tg::tensor<T, K, M>, tg::tensor<T, M, K>>;
  using b_type = std::conditional_t<TB, tg::tensor<T, N, K>, tg::tensor<T, K, N>>;
  auto a = std::make_unique<a_type>();
  auto b = std::make_unique<b_type>();
  auto out = std::make_unique<tg::tensor<T, M, N>>();
  for (std::size_t i = 0; i < a_type::size; ++i) (*a)[i] = T(i % 7) * T(0.1);
  for (std::size_t i = 0; i < b_type::size; ++i) (*b)[i] = T(i % 5) * T(0.1);
  for (auto _ : state) {
    tg::detail::matmul_simd<TA, TB, T, M, N, K>(out->data(), a->data(), b->data());
    benchmark::ClobberMemory();
  }
}

template <class T, int R, int C>
using row_major = Eigen::Matrix<T, R, C, (C == 1 && R != 1) ? Eigen::ColMajor : Eigen::RowMajor>;

// Eigen's product of the same shapes, fixed-size (R, C given) or dynamic.
template <class AM, class BM, class OM, bool TA, bool TB>
void eigen_product(benchmark::State& state, AM& a, BM& b, OM& out) {
  for (auto _ : state) {
    if constexpr (TA)
      out.noalias() = a.transpose() * b;
    else if constexpr (TB)
      out.noalias() = a * b.transpose();
    else
      out.noalias() = a * b;
    benchmark::ClobberMemory();
  }
}

template <class T, int M, int N, int K, bool TA, bool TB>
void eigen_fixed(benchmark::State& state) {
  using AM = std::conditional_t<TA, row_major<T, K, M>, row_major<T, M, K>>;
  using BM = std::conditional_t<TB, row_major<T, N, K>, row_major<T, K, N>>;
  auto a = std::make_unique<AM>(AM::Random());
  auto b = std::make_unique<BM>(BM::Random());
  auto out = std::make_unique<row_major<T, M, N>>();
  eigen_product<AM, BM, row_major<T, M, N>, TA, TB>(state, *a, *b, *out);
}

template <class T, int M, int N, int K, bool TA, bool TB>
void eigen_dynamic(benchmark::State& state) {
  using D = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  D a = TA ? D::Random(K, M) : D::Random(M, K), b = TB ? D::Random(N, K) : D::Random(K, N), out(M, N);
  eigen_product<D, D, D, TA, TB>(state, a, b, out);
}

#define TYPEGRAD_PRODUCT(T, M, N, K, TA, TB)     \
  BENCHMARK(typegrad_product<T, M, N, K, TA, TB>); \
  BENCHMARK(eigen_fixed<T, M, N, K, TA, TB>);      \
  BENCHMARK(eigen_dynamic<T, M, N, K, TA, TB>);

// 64-32-10 at batch 32, f32 and f64.
TYPEGRAD_PRODUCT(float, 32, 32, 64, false, false)
TYPEGRAD_PRODUCT(float, 32, 10, 32, false, false)
TYPEGRAD_PRODUCT(float, 32, 10, 32, true, false)
TYPEGRAD_PRODUCT(float, 32, 32, 10, false, true)
TYPEGRAD_PRODUCT(float, 64, 32, 32, true, false)
TYPEGRAD_PRODUCT(double, 32, 32, 64, false, false)
TYPEGRAD_PRODUCT(double, 32, 10, 32, false, false)
TYPEGRAD_PRODUCT(double, 32, 10, 32, true, false)
TYPEGRAD_PRODUCT(double, 32, 32, 10, false, true)
TYPEGRAD_PRODUCT(double, 64, 32, 32, true, false)
// 256-128-10 at batch 64.
TYPEGRAD_PRODUCT(float, 64, 128, 256, false, false)
TYPEGRAD_PRODUCT(float, 64, 128, 10, false, true)
TYPEGRAD_PRODUCT(float, 256, 128, 64, true, false)
// 784-256-256-10 at batch 64.
TYPEGRAD_PRODUCT(float, 64, 256, 784, false, false)
TYPEGRAD_PRODUCT(float, 64, 256, 256, false, false)
TYPEGRAD_PRODUCT(float, 256, 256, 64, true, false)
TYPEGRAD_PRODUCT(float, 64, 256, 256, false, true)
TYPEGRAD_PRODUCT(float, 784, 256, 64, true, false)

}  // namespace

BENCHMARK_MAIN();

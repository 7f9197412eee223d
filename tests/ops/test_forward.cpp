// Each op's forward kernel against values worked out by hand, including the
// numerically hard cases: large logits, zero targets, broadcasting.
#include "../support/testing.hpp"

#include <limits>
#include <random>
#include <utility>

namespace tg = typegrad;

namespace {
constexpr tg::input<"A", 2, 3> A;
constexpr tg::input<"B", 3, 2> B;
constexpr tg::input<"r", 3> r;
constexpr tg::input<"q", 2> q;
constexpr tg::input<"s"> s;

const auto env = tg::bind(A = tg::tensor<double, 2, 3>{{1, 2, 3}, {4, 5, 6}},
                          B = tg::tensor<double, 3, 2>{{1, -1}, {0, 2}, {-2, 1}},
                          r = tg::tensor<double, 3>{10, 20, 30}, q = tg::tensor<double, 2>{2, -3},
                          s = tg::tensor<double>{0.5});
}  // namespace

TEST_CASE("a * b is the matrix product for rank 2 by rank 2 and by rank 1", "[ops][linear]") {
  const auto c = tg::eval(A * B, env);
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(c)>, tg::tensor<double, 2, 2>>);
  CHECK(c(0, 0) == 1 * 1 + 2 * 0 + 3 * -2);
  CHECK(c(0, 1) == -1 + 4 + 3);
  CHECK(c(1, 0) == 4 - 12);
  CHECK(c(1, 1) == -4 + 10 + 6);
  const auto v = tg::eval(A * r, env);
  CHECK(v(0) == 10 + 40 + 90);
  CHECK(v(1) == 40 + 100 + 180);
  const auto t = tg::eval(tg::transpose(A) * q, env);
  CHECK(t(2) == 3 * 2 + 6 * -3);
}

TEST_CASE("a scalar times a tensor scales it", "[ops][arithmetic]") {
  const auto c = tg::eval(s * A, env);
  CHECK(c(1, 2) == 3.0);
  const auto d = tg::eval(A * 2, env);
  CHECK(d(0, 1) == 4.0);
}

TEST_CASE("elementwise ops broadcast a vector over rows and a scalar everywhere", "[ops][arithmetic]") {
  const auto sum = tg::eval(A + r, env);
  CHECK(sum(1, 2) == 36);
  CHECK(sum(0, 0) == 11);
  const auto diff = tg::eval(r - A, env);
  CHECK(diff(1, 0) == 6);
  const auto quotient = tg::eval(A / s, env);
  CHECK(quotient(0, 2) == 6);
  const auto product = tg::eval(tg::hadamard(A, r), env);
  CHECK(product(1, 1) == 100);
  const auto negated = tg::eval(-A, env);
  CHECK(negated(0, 0) == -1);
}

TEST_CASE("elementwise functions", "[ops][elementwise]") {
  const auto rl = tg::eval(tg::relu(A - 2.5), env);
  CHECK(rl(0, 1) == 0);
  CHECK(rl(1, 0) == 1.5);
  const auto st = tg::eval(tg::step(A - 2.0), env);
  CHECK(st(0, 1) == 0);  // step(0) = 0, as relu'(0) = 0
  CHECK(st(0, 2) == 1);
  const auto sg = tg::eval(tg::sigmoid(q * 1000.0), env);
  CHECK(sg(0) == 1.0);
  CHECK(sg(1) == 0.0);  // no overflow on the negative tail
  CHECK(tg::eval(tg::sigmoid(s), env)[0] == Approx(1 / (1 + std::exp(-0.5))).epsilon(1e-15));
  CHECK(tg::eval(tg::tanh(s), env)[0] == Approx(std::tanh(0.5)).epsilon(1e-15));
  CHECK(tg::eval(tg::exp(s), env)[0] == Approx(std::exp(0.5)).epsilon(1e-15));
  CHECK(tg::eval(tg::log(s), env)[0] == Approx(std::log(0.5)).epsilon(1e-15));
  CHECK(tg::eval(tg::square(q), env)(1) == 9);
  CHECK(tg::eval(tg::sqrt(r), env)(0) == Approx(std::sqrt(10.0)).epsilon(1e-15));
}

TEST_CASE("softmax and log_softmax are row-wise and stable for large logits", "[ops][softmax]") {
  const auto p = tg::eval(tg::softmax(A), env);
  for (std::size_t i = 0; i < 2; ++i) CHECK(p(i, 0) + p(i, 1) + p(i, 2) == Approx(1.0).epsilon(1e-15));
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CHECK(p(0, 2) == Approx(std::exp(3.0) / z).epsilon(1e-15));
  CHECK(p(1, 2) == Approx(std::exp(3.0) / z).epsilon(1e-15));  // shift-invariant per row
  const auto big = tg::eval(tg::softmax(q * 1000.0), env);
  CHECK(big(0) == 1.0);
  CHECK(big(1) == 0.0);
  const auto ls = tg::eval(tg::log_softmax(q * 1000.0), env);
  CHECK(ls(0) == 0.0);
  CHECK(ls(1) == -5000.0);
  const auto ls_via_log = tg::eval(tg::log(tg::softmax(q * 1000.0)), env);  // rewritten, not naive
  CHECK(ls_via_log(1) == -5000.0);
}

TEST_CASE("cross_entropy is per row, with 0 log 0 = 0, and fused with softmax it is stable", "[ops][cross_entropy]") {
  constexpr tg::input<"P", 2, 2> P;
  constexpr tg::input<"T", 2, 2> T;
  const auto e2 = tg::bind(P = tg::tensor<double, 2, 2>{{0.25, 0.75}, {1.0, 0.0}},
                           T = tg::tensor<double, 2, 2>{{0, 1}, {1, 0}});
  const auto ce = tg::eval(tg::cross_entropy(P, T), e2);
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(ce)>, tg::tensor<double, 2>>);
  CHECK(ce(0) == Approx(-std::log(0.75)).epsilon(1e-15));
  CHECK(ce(1) == 0.0);
  // Logits of 1000 and -1000 overflow a naive softmax; the fused form does not.
  const auto fused = tg::eval(tg::cross_entropy(tg::softmax(P * 4000.0), T), e2);
  CHECK(fused(0) == 0.0);
  CHECK(fused(1) == 0.0);
  const auto wrong = tg::eval(tg::cross_entropy(tg::softmax(-(P * 4000.0)), T), e2);
  CHECK(wrong(0) == Approx(2000.0).epsilon(1e-15));
  CHECK(std::isfinite(wrong(1)));
  constexpr tg::input<"v", 3> v;
  constexpr tg::input<"t", 3> t;
  const auto e3 = tg::bind(v = tg::tensor<double, 3>{1, 2, 3}, t = tg::tensor<double, 3>{0, 0, 1});
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  CHECK(static_cast<double>(tg::eval(tg::cross_entropy(tg::softmax(v), t), e3)) == Approx(lse - 3).epsilon(1e-13));
}

TEST_CASE("reductions, broadcasts and transpose", "[ops][reduce]") {
  CHECK(static_cast<double>(tg::eval(tg::sum(A), env)) == 21);
  CHECK(static_cast<double>(tg::eval(tg::mean(A), env)) == 3.5);
  const auto rs = tg::eval(tg::row_sums(A), env);
  CHECK(rs(0) == 6);
  CHECK(rs(1) == 15);
  const auto rc = tg::eval(tg::repeat_cols<4>(q), env);
  CHECK(rc(1, 3) == -3);
  const auto b = tg::eval(tg::broadcast<tg::shape<2, 3>>(r), env);
  CHECK(b(1, 2) == 30);
  const auto u = tg::eval(tg::unbroadcast<tg::shape<3>>(A), env);
  CHECK(u(0) == 5);
  CHECK(u(2) == 9);
  const auto t = tg::eval(tg::transpose(A), env);
  CHECK(t(2, 1) == 6);
  const auto o = tg::eval(tg::outer(q, r), env);
  CHECK(o(1, 2) == -90);
}

namespace {
// ulps between a result and std::exp, over [-lowest, 0], and whether every
// vector lane equals the scalar path.
template <class T>
std::pair<double, bool> exp_accuracy() {
  namespace simd = tg::kernels::simd;
  constexpr std::size_t L = simd::lanes<T>;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> any(double(simd::exp_constants<T>::lowest), 0.0);
  double worst = 0;
  bool lanes_agree = true;
  for (int trial = 0; trial < 20000; ++trial) {
    T x[L], y[L];
    for (auto& v : x) v = T(trial % 2 ? any(rng) : any(rng) * 0.01);
    simd::store<T, L>(y, simd::exp_nonpositive<T, L>(simd::load<T, L>(x)));
    for (std::size_t i = 0; i < L; ++i) {
      const T want = std::exp(x[i]);
      lanes_agree = lanes_agree && simd::exp_nonpositive<T, 1>(x[i]) == y[i];
      worst = std::max(worst, std::abs(double(y[i]) - double(want)) / double(std::nextafter(want, T(2)) - want));
    }
  }
  return {worst, lanes_agree};
}
}  // namespace

TEST_CASE("the vector exp inside softmax is within 1 ulp of std::exp, equal in every lane", "[ops][softmax][exp]") {
  const auto [double_ulps, double_lanes] = exp_accuracy<double>();
  const auto [float_ulps, float_lanes] = exp_accuracy<float>();
  INFO("double: " << double_ulps << " ulp, float: " << float_ulps << " ulp");
  CHECK(double_ulps <= 1.0);
  CHECK(float_ulps <= 1.0);
  CHECK(double_lanes);
  CHECK(float_lanes);
  CHECK(tg::kernels::simd::exp_nonpositive<double, 1>(-800.0) == 0.0);  // below the normal range: 0
}

namespace {
// ulps between the vector tanh and std::tanh over magnitudes 1e-8 to 30, both
// signs, and whether every vector lane equals the scalar path.
template <class T>
std::pair<double, bool> tanh_accuracy() {
  namespace simd = tg::kernels::simd;
  constexpr std::size_t L = simd::lanes<T>;
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> exponent(-8, 1.5), sign(-1, 1);
  double worst = 0;
  bool lanes_agree = true;
  for (int trial = 0; trial < 50000; ++trial) {
    T x[L], y[L];
    for (auto& v : x) v = T(sign(rng) * std::pow(10.0, exponent(rng)));
    simd::store<T, L>(y, simd::tanh<T, L>(simd::load<T, L>(x)));
    for (std::size_t i = 0; i < L; ++i) {
      const T want = std::tanh(x[i]);
      lanes_agree = lanes_agree && simd::tanh<T, 1>(x[i]) == y[i];
      const T step = std::nextafter(std::abs(want), T(2)) - std::abs(want);
      worst = std::max(worst, std::abs(double(y[i]) - double(want)) / double(step));
    }
  }
  return {worst, lanes_agree};
}
}  // namespace

TEST_CASE("the vector tanh is within 3 ulp of std::tanh, equal in every lane, exact at 0, +-inf and NaN", "[ops][elementwise][tanh]") {
  namespace simd = tg::kernels::simd;
  const auto [double_ulps, double_lanes] = tanh_accuracy<double>();
  const auto [float_ulps, float_lanes] = tanh_accuracy<float>();
  INFO("double: " << double_ulps << " ulp, float: " << float_ulps << " ulp");
  CHECK(double_ulps <= 3.0);
  CHECK(float_ulps <= 3.0);
  CHECK(double_lanes);
  CHECK(float_lanes);
  CHECK(simd::tanh<double, 1>(0.0) == 0.0);
  CHECK(std::signbit(simd::tanh<double, 1>(-0.0)));
  CHECK(simd::tanh<double, 1>(INFINITY) == 1.0);
  CHECK(simd::tanh<float, 1>(-INFINITY) == -1.0f);
  CHECK(std::isnan(simd::tanh<double, 1>(NAN)));
  CHECK(simd::tanh<float, 1>(1e-30f) == 1e-30f);
}

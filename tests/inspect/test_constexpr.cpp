// The XOR loss and every one of its gradients, evaluated by the compiler.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "../support/xor_model.hpp"

namespace {
using namespace xor_model;
constexpr double loss_value = tg::eval(loss, env);
constexpr auto g = program(env);
}  // namespace

static_assert(std::abs(tg::eval(loss, env) - 0.5632616875182226) < 1e-12);
static_assert(std::abs(g.value - 0.5632616875182226) < 1e-12);
static_assert(std::abs(g[W](0, 0) - -0.36552928931500245) < 1e-12);
static_assert(std::abs(g[W](0, 1) - 0.2310585786300049) < 1e-12);
static_assert(std::abs(g[W](1, 0) - -0.36552928931500245) < 1e-12);
static_assert(std::abs(g[W](1, 1) - 0.2310585786300049) < 1e-12);
static_assert(std::abs(g[b1](0) - -0.36552928931500245) < 1e-12);
static_assert(std::abs(g[b1](1) - 0.2310585786300049) < 1e-12);
static_assert(std::abs(g[V](0, 0) - -0.1827646446575012) < 1e-12);
static_assert(std::abs(g[V](0, 1) - 0.1827646446575012) < 1e-12);
static_assert(std::abs(g[V](1, 0) - -0.288823223287506) < 1e-12);
static_assert(std::abs(g[V](1, 1) - 0.288823223287506) < 1e-12);
static_assert(std::abs(g[b2](0) - -0.11552928931500236) < 1e-12);
static_assert(std::abs(g[b2](1) - 0.11552928931500236) < 1e-12);

TEST_CASE("compile-time values equal run-time values", "[inspect][constexpr]") {
  const auto runtime = program(env);
  CHECK(std::abs(runtime.value - loss_value) < 1e-15);
  for (std::size_t i = 0; i < 4; ++i) CHECK(std::abs(runtime[W][i] - g[W][i]) < 1e-15);
  for (std::size_t i = 0; i < 4; ++i) CHECK(std::abs(runtime[V][i] - g[V][i]) < 1e-15);
}

namespace {
constexpr tg::input<"A", 7, 5> A;
constexpr tg::input<"B", 5, 13> B;
constexpr auto product_env = [] {
  tg::tensor<double, 7, 5> a;
  tg::tensor<double, 5, 13> b;
  for (std::size_t i = 0; i < a.size; ++i) a[i] = double((i * 37) % 23) / 7.0 - 1.5;
  for (std::size_t i = 0; i < b.size; ++i) b[i] = double((i * 53) % 29) / 11.0 - 1.25;
  return tg::bind(A = a, B = b);
}();
constexpr auto product_at_compile_time = tg::eval(A * B, product_env);
}  // namespace

// A product large enough for the vector kernel at run time. Without FMA
// instructions the two agree bit for bit. With them (-march=native), the
// compiler may contract a * b + acc into one rounding at run time, which a
// constant expression never does: then they agree within k eps sum |a b|.
TEST_CASE("a compile-time product equals the run-time one, or is within the FMA bound", "[inspect][constexpr]") {
  const auto runtime = tg::eval(A * B, product_env);
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t j = 0; j < 13; ++j) {
      double magnitude = 0;
      for (std::size_t p = 0; p < 5; ++p) magnitude += std::abs(product_env[A](i, p) * product_env[B](p, j));
      INFO("[" << i << "," << j << "]: compile time " << product_at_compile_time(i, j) << ", run time " << runtime(i, j));
#if defined(__FMA__)
      CHECK(std::abs(runtime(i, j) - product_at_compile_time(i, j)) <= 5 * std::numeric_limits<double>::epsilon() * magnitude);
#else
      (void)magnitude;
      CHECK(runtime(i, j) == product_at_compile_time(i, j));
#endif
    }
}

// A small CNN's gradient, every conv and pooling kernel in its constant-
// expression form, against the same program at run time (the product route).
namespace cnn {
constexpr tg::input<"X", 2, 5, 4, 2> X;
constexpr tg::param<"K", 3, 2, 2, 3> K;
constexpr tg::param<"c", 3> c;
constexpr auto cnn_loss = tg::sum(tg::square(tg::max_pool2d<tg::pool_options{.stride = {1, 1}}>(
    tg::tanh(tg::conv2d<tg::conv_options{.stride = {1, 2}, .pad = tg::same, .dilation = {2, 1}}>(X, K) + c))));
constexpr auto cnn_program = tg::grad(cnn_loss, X, K, c);
constexpr auto cnn_env = [] {
  tg::tensor<double, 2, 5, 4, 2> x{};
  tg::tensor<double, 3, 2, 2, 3> k{};
  for (std::size_t i = 0; i < x.size; ++i) x[i] = double((i * 7) % 11) / 11.0 - 0.5;
  for (std::size_t i = 0; i < k.size; ++i) k[i] = double((i * 5) % 13) / 13.0 - 0.4;
  return tg::bind(X = x, K = k, c = tg::tensor<double, 3>{0.1, -0.2, 0.3});
}();
constexpr auto cnn_at_compile_time = cnn_program(cnn_env);
}  // namespace cnn

TEST_CASE("a CNN's gradient is the same at compile time and at run time", "[inspect][constexpr][spatial]") {
  const auto runtime = cnn::cnn_program(cnn::cnn_env);
  CHECK(std::abs(runtime.value - cnn::cnn_at_compile_time.value) < 1e-12);
  for (std::size_t i = 0; i < runtime[cnn::X].size; ++i) CHECK(std::abs(runtime[cnn::X][i] - cnn::cnn_at_compile_time[cnn::X][i]) < 1e-12);
  for (std::size_t i = 0; i < runtime[cnn::K].size; ++i) CHECK(std::abs(runtime[cnn::K][i] - cnn::cnn_at_compile_time[cnn::K][i]) < 1e-12);
  for (std::size_t i = 0; i < runtime[cnn::c].size; ++i) CHECK(std::abs(runtime[cnn::c][i] - cnn::cnn_at_compile_time[cnn::c][i]) < 1e-12);
}

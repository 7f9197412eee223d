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

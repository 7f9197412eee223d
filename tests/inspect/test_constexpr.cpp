// The XOR loss and every one of its gradients, evaluated by the compiler.
#include <catch2/catch.hpp>

#include <cmath>

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

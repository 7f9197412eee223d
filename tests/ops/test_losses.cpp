// The training losses: mse, bce_with_logits, softplus and log_sigmoid obey
// the VJP laws, and they, softmax, log_softmax and cross-entropy stay finite
// and equal to their mathematical limits at logits of +-1000.
#include "../support/testing.hpp"

#include <cmath>
#include <limits>

namespace tg = typegrad;
using testing::away_from_zero;
using testing::check_op_laws;
using testing::uniform;

namespace {
constexpr tg::input<"a", 3, 4> a;
constexpr tg::input<"b", 3, 4> b;
constexpr tg::input<"v", 4> v;
constexpr tg::input<"y", 4> y;
}  // namespace

TEST_CASE("mse passes 2 (p - y) / n to the prediction and its negation to the target", "[laws][losses][mse]") {
  check_op_laws(tg::mse(a, b), away_from_zero{}, a, b);
  check_op_laws(tg::mse(v, y), uniform{}, v, y);
}

TEST_CASE("bce_with_logits passes sigmoid(z) - y to the logits and -z to the targets", "[laws][losses][bce]") {
  check_op_laws(tg::bce_with_logits(a, b), away_from_zero{}, a, b);
  check_op_laws(tg::bce_with_logits(v, y), uniform{-3, 3}, v, y);
}

TEST_CASE("softplus and log_sigmoid pass u sigmoid(x) and u sigmoid(-x)", "[laws][elementwise]") {
  check_op_laws(tg::softplus(a), uniform{-4, 4}, a);
  check_op_laws(tg::log_sigmoid(a), uniform{-4, 4}, a);
}

TEST_CASE("mse and bce_with_logits forward values", "[losses]") {
  const auto env = tg::bind(v = tg::tensor<double, 4>{1, 2, 3, 4}, y = tg::tensor<double, 4>{0, 2, 5, 3});
  REQUIRE(static_cast<double>(tg::eval(tg::mse(v, y), env)) == (1.0 + 0 + 4 + 1) / 4);
  const auto bce = tg::eval(tg::bce_with_logits(v, y), env);
  for (std::size_t i = 0; i < 4; ++i) {
    const double z = env[v](i), t = env[y](i);
    const double p = 1 / (1 + std::exp(-z));
    // The textbook form, fine at these moderate logits; y outside [0, 1] is
    // still the same affine function of y.
    REQUIRE(std::abs(bce(i) - (-t * std::log(p) - (1 - t) * std::log(1 - p))) < 1e-12);
  }
}

namespace {
constexpr tg::input<"z", 2, 3> z;   // logits
constexpr tg::input<"t", 2, 3> t;   // targets
template <class Env, class Loss, class... Wrt>
auto loss_and_gradient(const Loss& loss, const Env& env, const Wrt&... wrt) {
  return tg::grad(loss, wrt...)(env);
}
template <class Tensor>
bool all_finite(const Tensor& x) {
  for (double e : x)
    if (!std::isfinite(e)) return false;
  return true;
}
}  // namespace

TEST_CASE("at logits of +-1000 every loss is finite and at its limit, and so is its gradient", "[losses][stability]") {
  // Row 0: a confident, right answer; row 1: a confident, wrong one.
  const auto env = tg::bind(z = tg::tensor<double, 2, 3>{{1000, -1000, 0}, {-1000, 1000, 0}},
                            t = tg::tensor<double, 2, 3>{{1, 0, 0}, {1, 0, 0}});

  SECTION("softmax cross-entropy: 0 for the right row, 2000 for the wrong one") {
    const auto per_row = tg::eval(tg::cross_entropy(tg::softmax(z), t), env);
    REQUIRE(per_row(0) == 0.0);
    REQUIRE(per_row(1) == 2000.0);
    const auto g = loss_and_gradient(tg::sum(tg::cross_entropy(tg::softmax(z), t)), env, z);
    REQUIRE(g[z] == tg::tensor<double, 2, 3>{{0, 0, 0}, {-1, 1, 0}});  // softmax - y
  }
  SECTION("softmax and log_softmax") {
    const auto p = tg::eval(tg::softmax(z), env);
    REQUIRE(p == tg::tensor<double, 2, 3>{{1, 0, 0}, {0, 1, 0}});
    const auto lp = tg::eval(tg::log_softmax(z), env);
    REQUIRE(lp == tg::tensor<double, 2, 3>{{0, -2000, -1000}, {-2000, 0, -1000}});
    const auto g = loss_and_gradient(tg::sum(tg::hadamard(tg::log_softmax(z), t)), env, z);
    REQUIRE(all_finite(g[z]));
    REQUIRE(g[z] == tg::tensor<double, 2, 3>{{0, 0, 0}, {1, -1, 0}});  // t - softmax * rowsum(t)
  }
  SECTION("bce_with_logits: log(1 + e^1000) is 1000") {
    const auto l = tg::eval(tg::bce_with_logits(z, t), env);
    REQUIRE(l == tg::tensor<double, 2, 3>{{0, 0, std::log(2.0)}, {1000, 1000, std::log(2.0)}});
    const auto g = loss_and_gradient(tg::sum(tg::bce_with_logits(z, t)), env, z, t);
    REQUIRE(g[z] == tg::tensor<double, 2, 3>{{0, 0, 0.5}, {-1, 1, 0.5}});  // sigmoid(z) - t
    REQUIRE(g[t] == tg::tensor<double, 2, 3>{{-1000, 1000, -0.0}, {1000, -1000, -0.0}});
  }
  SECTION("softplus and log_sigmoid") {
    REQUIRE(tg::eval(tg::softplus(z), env) == tg::tensor<double, 2, 3>{{1000, 0, std::log(2.0)}, {0, 1000, std::log(2.0)}});
    REQUIRE(tg::eval(tg::log_sigmoid(z), env) ==
            tg::tensor<double, 2, 3>{{0, -1000, -std::log(2.0)}, {-1000, 0, -std::log(2.0)}});
    const auto gs = loss_and_gradient(tg::sum(tg::softplus(z)), env, z);
    REQUIRE(gs[z] == tg::tensor<double, 2, 3>{{1, 0, 0.5}, {0, 1, 0.5}});
    const auto gl = loss_and_gradient(tg::sum(tg::log_sigmoid(z)), env, z);
    REQUIRE(gl[z] == tg::tensor<double, 2, 3>{{0, 1, 0.5}, {1, 0, 0.5}});
  }
  SECTION("the same in float") {
    const auto envf = tg::bind(z = tg::tensor<float, 2, 3>{{1000, -1000, 0}, {-1000, 1000, 0}},
                               t = tg::tensor<float, 2, 3>{{1, 0, 0}, {1, 0, 0}});
    const auto g = loss_and_gradient(tg::sum(tg::bce_with_logits(z, t)) + tg::sum(tg::softplus(z)) +
                                         tg::sum(tg::log_sigmoid(z)) + tg::mean(tg::cross_entropy(tg::softmax(z), t)),
                                     envf, z);
    REQUIRE(std::isfinite(g.value));
    REQUIRE(all_finite(g[z]));
  }
}

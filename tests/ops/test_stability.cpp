// Numerical limits: saturating functions give no NaN, a zero target adds
// exactly nothing to cross-entropy, and NaN or Inf in the inputs always
// reaches the outputs and the gradients; gradcheck reports it.
#include "../support/testing.hpp"

#include <cmath>
#include <limits>

namespace tg = typegrad;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
const double not_a_number = std::numeric_limits<double>::quiet_NaN();

constexpr tg::input<"x", 2, 3> x;
constexpr tg::input<"y", 2, 3> y;
constexpr tg::input<"M", 3, 3> M;

template <class Tensor>
bool any_nan(const Tensor& t) {
  for (std::size_t i = 0; i < Tensor::size; ++i)
    if (std::isnan(static_cast<double>(t[i]))) return true;
  return false;
}
}  // namespace

TEST_CASE("a target of 0 adds exactly 0 to cross_entropy and its gradient, even where p is 0", "[stability][cross_entropy]") {
  const auto env = tg::bind(x = tg::tensor<double, 2, 3>{{0, 1, 0}, {0.5, 0, 0.5}}, y = tg::tensor<double, 2, 3>{{0, 1, 0}, {1, 0, 0}});
  const auto loss = tg::eval(tg::cross_entropy(x, y), env);
  REQUIRE(loss(0) == 0.0);
  REQUIRE(loss(1) == std::log(2.0));
  const auto g = tg::grad(tg::sum(tg::cross_entropy(x, y)), x)(env);
  REQUIRE(g[x] == tg::tensor<double, 2, 3>{{0, -1, 0}, {-2, 0, 0}});
}

TEST_CASE("sigmoid, tanh and exp saturate without NaN, in value and gradient", "[stability][elementwise]") {
  const auto env = tg::bind(x = tg::tensor<double, 2, 3>{{1000, -1000, 1e300}, {-1e300, 710, -746}});
  REQUIRE(tg::eval(tg::sigmoid(x), env) == tg::tensor<double, 2, 3>{{1, 0, 1}, {0, 1, 0}});
  REQUIRE(tg::eval(tg::tanh(x), env) == tg::tensor<double, 2, 3>{{1, -1, 1}, {-1, 1, -1}});
  REQUIRE(tg::eval(tg::exp(x), env) == tg::tensor<double, 2, 3>{{inf, 0, inf}, {0, inf, 0}});
  const auto gs = tg::grad(tg::sum(tg::sigmoid(x)), x)(env);
  const auto gt = tg::grad(tg::sum(tg::tanh(x)), x)(env);
  const auto ge = tg::grad(tg::sum(tg::exp(x)), x)(env);
  REQUIRE(gs[x] == tg::tensor<double, 2, 3>{});  // y (1 - y) = 0 at both ends
  REQUIRE(gt[x] == tg::tensor<double, 2, 3>{});  // 1 - y^2 = 0
  REQUIRE(!any_nan(ge[x]));                      // e^x: infinity or 0, never NaN
  // Float saturates at smaller magnitudes, the same way.
  const auto envf = tg::bind(x = tg::tensor<float, 2, 3>{{100, -100, 1e30f}, {-1e30f, 89, -104}});
  REQUIRE(!any_nan(tg::grad(tg::sum(tg::sigmoid(x)) + tg::sum(tg::tanh(x)) + tg::sum(tg::exp(x)), x)(envf)[x]));
}

TEST_CASE("NaN in an input reaches every op's output and gradient", "[stability][nan]") {
  tg::tensor<double, 2, 3> a{{0.5, -1, 2}, {0.25, 3, -0.5}};
  a(1, 1) = not_a_number;
  const auto env = tg::bind(x = a, y = tg::tensor<double, 2, 3>{{0, 1, 0}, {0.3, 0.3, 0.4}},
                            M = tg::tensor<double, 3, 3>{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
  // The gradient with respect to x, for ops whose derivative depends on x.
  auto check = [&](const auto& e, const char* what) {
    INFO(what);
    REQUIRE(any_nan(tg::eval(e, env)));
    REQUIRE(any_nan(tg::grad(tg::sum(e), x)(env)[x]));
  };
  // Linear ops: their derivative with respect to x does not depend on x, so
  // the NaN shows in the value (and, for a product, in the other operand's
  // gradient), not in dx.
  auto check_value = [&](const auto& e, const char* what) {
    INFO(what);
    REQUIRE(any_nan(tg::eval(e, env)));
  };
  check(tg::relu(x), "relu");
  check(tg::relu6(x), "relu6");
  check(tg::sigmoid(x), "sigmoid");
  check(tg::tanh(x), "tanh");
  check(tg::exp(x), "exp");
  check(tg::softplus(x), "softplus");
  check(tg::log_sigmoid(x), "log_sigmoid");
  check(tg::square(x), "square");
  check(tg::softmax(x), "softmax");
  check(tg::log_softmax(x), "log_softmax");
  check(tg::cross_entropy(tg::softmax(x), y), "softmax cross-entropy");
  check(tg::bce_with_logits(x, y), "bce_with_logits");
  check(tg::mse(x, y), "mse");
  check_value(x * M, "matmul");
  REQUIRE(any_nan(tg::grad(tg::sum(x * M), M)(env)[M]));
  check_value(tg::mean(x), "mean");
  check_value(tg::row_sums(x), "row_sums");
}

TEST_CASE("Inf in an input is never turned into a finite number", "[stability][inf]") {
  const auto env = tg::bind(x = tg::tensor<double, 2, 3>{{inf, -1, 2}, {0.25, -inf, 1}});
  const auto r = tg::eval(tg::relu(x), env);
  REQUIRE(r(0, 0) == inf);
  REQUIRE(r(1, 1) == 0);  // relu(-inf) = 0: the true value
  REQUIRE(std::isinf(static_cast<double>(tg::eval(tg::sum(x), env))) == false);  // inf + -inf is NaN, not a number
  REQUIRE(std::isnan(static_cast<double>(tg::eval(tg::sum(x), env))));
  const auto s = tg::eval(tg::softplus(x), env);
  REQUIRE(s(0, 0) == inf);
  REQUIRE(s(1, 1) == 0);
}

TEST_CASE("gradcheck reports a NaN instead of passing over it", "[stability][gradcheck]") {
  tg::tensor<double, 2, 3> a{{0.5, -1, 2}, {0.25, 3, -0.5}};
  a(0, 2) = not_a_number;
  const auto env = tg::bind(x = a);
  const auto report = tg::gradcheck(tg::sum(tg::tanh(x)), env, x);
  REQUIRE(!report.passed(1e-6));
  REQUIRE(report.non_finite >= 1);
  REQUIRE(report.worst_error == inf);
  const auto clean = tg::gradcheck(tg::sum(tg::tanh(x)), tg::bind(x = tg::tensor<double, 2, 3>{{0.5, -1, 2}, {0.25, 3, -0.5}}), x);
  REQUIRE(clean.passed(1e-6));
  REQUIRE(clean.non_finite == 0);
}

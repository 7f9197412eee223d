// Derivatives of derivatives against PyTorch (tests/reference/
// make_torch_reference.py, torch.autograd.functional and double backward, in
// float64): jvp, jacobian in both modes, hvp, hessian, u'' of a tanh net and
// a third derivative through it; hvp against hessian * v; and L-BFGS step
// for step against torch.optim.LBFGS.
#include "../reference/torch_reference.hpp"
#include "../support/testing.hpp"

#include <vector>

#include <typegrad/train/lbfgs.hpp>

namespace tg = typegrad;
namespace ref = torch_reference;
using testing::from_flat;

namespace {

// Within 1e-12 of torch's values unless a check says otherwise.
template <class Tensor>
void require_close(const Tensor& got, const double* expected, double tolerance = 1e-12) {
  testing::require_close(got, expected, tolerance);
}

// 4 -> 3 and 3 -> 4 maps.
constexpr tg::param<"A", 3, 4> A;
constexpr tg::param<"a", 3> a;
constexpr tg::input<"x4", 4> x4;
constexpr tg::param<"B", 4, 3> B;
constexpr tg::param<"b", 4> b;
constexpr tg::input<"x3", 3> x3;
constexpr auto f = tg::tanh(A * x4 + a);
constexpr auto g = tg::tanh(B * x3 + b);

const auto maps = tg::bind(A = from_flat<tg::tensor<double, 3, 4>>(ref::A), a = from_flat<tg::tensor<double, 3>>(ref::a),
                           B = from_flat<tg::tensor<double, 4, 3>>(ref::B), b = from_flat<tg::tensor<double, 4>>(ref::b));
const auto at_x = tg::bind(x4 = from_flat<tg::tensor<double, 4>>(ref::x4), x3 = from_flat<tg::tensor<double, 3>>(ref::x3));

}  // namespace

TEST_CASE("jvp gives the value and J v in one forward sweep, as torch", "[higher][jvp]") {
  const auto seeds = tg::bind(tg::tangent(x4) = from_flat<tg::tensor<double, 4>>(ref::v4));
  const auto [value, tangent] = tg::jvp(f, x4)(maps, at_x, seeds);
  require_close(value, ref::jvp_value);
  require_close(tangent, ref::jvp_tangent);
}

TEST_CASE("jacobian picks the mode with fewer sweeps, and both modes agree with torch", "[higher][jacobian]") {
  STATIC_REQUIRE(decltype(tg::jacobian(f, x4))::mode == tg::jacobian_mode::reverse);  // 3 rows < 4 columns
  STATIC_REQUIRE(decltype(tg::jacobian(g, x3))::mode == tg::jacobian_mode::forward);  // 3 columns < 4 rows
  require_close(tg::jacobian(f, x4)(maps, at_x), ref::jacobian_4_to_3);
  require_close(tg::jacobian<tg::jacobian_mode::forward>(f, x4)(maps, at_x), ref::jacobian_4_to_3);
  require_close(tg::jacobian(g, x3)(maps, at_x), ref::jacobian_3_to_4);
  require_close(tg::jacobian<tg::jacobian_mode::reverse>(g, x3)(maps, at_x), ref::jacobian_3_to_4);
}

namespace {
constexpr tg::input<"X", 5, 3> X;
constexpr tg::input<"Y", 5, 2> Y;
constexpr tg::param<"W1", 3, 4> W1;
constexpr tg::param<"b1", 4> b1;
constexpr tg::param<"W2", 4, 2> W2;
constexpr tg::param<"b2", 2> b2;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::tanh(X * W1 + b1) * W2 + b2), Y));
const auto net = tg::bind(X = from_flat<tg::tensor<double, 5, 3>>(ref::X), Y = from_flat<tg::tensor<double, 5, 2>>(ref::Y),
                          W1 = from_flat<tg::tensor<double, 3, 4>>(ref::W1), b1 = from_flat<tg::tensor<double, 4>>(ref::b1),
                          W2 = from_flat<tg::tensor<double, 4, 2>>(ref::W2), b2 = from_flat<tg::tensor<double, 2>>(ref::b2));
}  // namespace

TEST_CASE("hvp through the fused softmax cross-entropy, and hessian, as torch", "[higher][hvp]") {
  const auto seeds = tg::bind(tg::tangent(W1) = from_flat<tg::tensor<double, 3, 4>>(ref::V));
  const auto r = tg::hvp(loss, W1)(net, seeds);
  REQUIRE(std::abs(r.value - ref::hvp_loss[0]) <= 1e-14);
  require_close(r.gradient[W1], ref::gradient_W1);
  require_close(r.product[W1], ref::hvp_W1);
  require_close(tg::hessian(loss, W2)(net), ref::hessian_W2);
}

TEST_CASE("hvp equals hessian times v, and the Hessian is symmetric", "[higher][hvp]") {
  std::mt19937_64 rng(7);
  const auto v = testing::random_tensor<tg::shape<4, 2>>(rng, testing::uniform{});
  const auto H = tg::hessian(loss, W2)(net);
  const auto r = tg::hvp(loss, W2)(net, tg::bind(tg::tangent(W2) = v));
  for (std::size_t i = 0; i < 8; ++i) {
    double hv = 0;
    for (std::size_t j = 0; j < 8; ++j) {
      hv += H[i * 8 + j] * v[j];
      REQUIRE(std::abs(H[i * 8 + j] - H[j * 8 + i]) <= 1e-14);
    }
    REQUIRE(std::abs(hv - r.product[W2][i]) <= 1e-14);
  }
}

namespace {
constexpr tg::param<"P1", 1, 4> P1;
constexpr tg::param<"c1", 4> c1;
constexpr tg::param<"P2", 4, 4> P2;
constexpr tg::param<"c2", 4> c2;
constexpr tg::param<"P3", 4, 1> P3;
constexpr tg::param<"c3", 1> c3;
constexpr tg::input<"points", 5, 1> points;
constexpr auto u = tg::tanh(tg::tanh(points * P1 + c1) * P2 + c2) * P3 + c3;
constexpr auto du = tg::derivative(tg::sum(u), points);
constexpr auto d2u = tg::derivative(tg::sum(du), points);
const auto tanh_net =
    tg::bind(P1 = from_flat<tg::tensor<double, 1, 4>>(ref::P1), c1 = from_flat<tg::tensor<double, 4>>(ref::c1),
             P2 = from_flat<tg::tensor<double, 4, 4>>(ref::P2), c2 = from_flat<tg::tensor<double, 4>>(ref::c2),
             P3 = from_flat<tg::tensor<double, 4, 1>>(ref::P3), c3 = from_flat<tg::tensor<double, 1>>(ref::c3),
             points = from_flat<tg::tensor<double, 5, 1>>(ref::points));
}  // namespace

TEST_CASE("derivative is an expression: u' and u'' of a tanh net, and a third derivative, as torch", "[higher][derivative]") {
  require_close(tg::eval(u, tanh_net), ref::u);
  require_close(tg::eval(du, tanh_net), ref::du);
  require_close(tg::eval(d2u, tanh_net), ref::d2u);
  const auto g3 = tg::grad(tg::mean(tg::square(d2u)), P1)(tanh_net);
  require_close(g3[P1], ref::d2u_loss_grad_P1);
  // and it prints and differentiates like any expression
  REQUIRE(tg::to_string(du).find("tanh") != std::string::npos);
  const auto report = tg::gradcheck(tg::mean(tg::square(d2u)), tanh_net, P1, P2, c3);
  REQUIRE(report.passed(1e-7));
}

TEST_CASE("a derivative of a term that does not use the terminal is zeros of its shape", "[higher][derivative]") {
  const auto zero = tg::eval(tg::derivative(tg::sum(u), X), tanh_net, tg::bind(X = tg::tensor<double, 5, 3>{}));
  for (double e : zero) REQUIRE(e == 0.0);
}

namespace {
constexpr tg::input<"Xr", 8, 2> Xr;
constexpr tg::input<"Yr", 8, 1> Yr;
constexpr tg::param<"R1", 2, 4> R1;
constexpr tg::param<"r1", 4> r1;
constexpr tg::param<"R2", 4, 1> R2;
constexpr tg::param<"r2", 1> r2;
constexpr auto regression = tg::mse(tg::tanh(Xr * R1 + r1) * R2 + r2, Yr);
const auto regression_data = tg::bind(Xr = from_flat<tg::tensor<double, 8, 2>>(ref::Xr), Yr = from_flat<tg::tensor<double, 8, 1>>(ref::Yr));

constexpr tg::input<"Xl", 12, 3> Xl;
constexpr tg::input<"Yl", 12, 1> Yl;
constexpr tg::param<"Vl", 3, 1> Vl;
constexpr auto logistic = tg::mean(tg::bce_with_logits(Xl * Vl, Yl)) + 0.1 * tg::sum(tg::square(Vl));
const auto logistic_data = tg::bind(Xl = from_flat<tg::tensor<double, 12, 3>>(ref::Xl), Yl = from_flat<tg::tensor<double, 12, 1>>(ref::Yl));

// Starts from torch's first values (flat, in the parameter set's order) and
// runs `steps` steps; after each, the same iterations and evaluations so far
// as torch, the same loss, and the same parameters.
template <class Loss, class Data>
void check_lbfgs(const Loss& loss, const Data& data, const double* start, tg::lbfgs_options options, std::size_t steps,
                 const double* losses, const double* after, const double* counts) {
  auto params = tg::parameters<double>(loss);
  const double* from = start;
  std::size_t size = 0;
  params.for_each([&](const auto&, auto& t) {
    for (auto& e : t) e = *from++, ++size;
  });
  tg::lbfgs optimiser(params, options);
  const auto program = tg::grad(loss);
  const auto objective = [&](const auto& p) { return program(p, data); };
  for (std::size_t step = 0; step < steps; ++step) {
    const double value = optimiser.step(params, objective);
    INFO("step " << step << ": iterations " << optimiser.steps << ", evaluations " << optimiser.evaluations);
    REQUIRE(double(optimiser.steps) == counts[2 * step]);
    REQUIRE(double(optimiser.evaluations) == counts[2 * step + 1]);
    REQUIRE(std::abs(value - losses[step]) <= 1e-10 * std::max(1.0, losses[step]));
    const double* expected = after + step * size;
    params.for_each([&](const auto&, const auto& t) {
      for (const auto e : t) REQUIRE(std::abs(e - *expected++) <= 1e-8);
    });
  }
}
}  // namespace

// The first values of the tanh net, R1 r1 R2 r2 in a row.
const std::vector<double> regression_start = [] {
  std::vector<double> v(ref::R1, ref::R1 + 8);
  v.insert(v.end(), ref::r1, ref::r1 + 4);
  v.insert(v.end(), ref::R2, ref::R2 + 4);
  v.insert(v.end(), ref::r2, ref::r2 + 1);
  return v;
}();

TEST_CASE("lbfgs with the strong-Wolfe line search follows torch.optim.LBFGS step for step", "[higher][lbfgs]") {
  // Two steps, 39 iterations: further on this non-convex loss, the rounding
  // of dot products summed in another order than torch's grows along nearly
  // flat directions (by iteration 79 to 5e-4 in the parameters, the same
  // branches taken), which the convex case below does not have.
  check_lbfgs(regression, regression_data, regression_start.data(),
              {.learning_rate = 1, .max_iterations = 20, .history_size = 5, .search = tg::line_search::strong_wolfe}, 2,
              ref::lbfgs_wolfe_losses, ref::lbfgs_wolfe_params, ref::lbfgs_wolfe_counts);
  check_lbfgs(logistic, logistic_data, ref::Vl,
              {.learning_rate = 1, .max_iterations = 20, .tolerance_change = 1e-12, .history_size = 4, .search = tg::line_search::strong_wolfe}, 4,
              ref::lbfgs_convex_losses, ref::lbfgs_convex_params, ref::lbfgs_convex_counts);
}

TEST_CASE("lbfgs with a fixed step and a full history follows torch.optim.LBFGS", "[higher][lbfgs]") {
  check_lbfgs(regression, regression_data, regression_start.data(), {.learning_rate = 0.2, .max_iterations = 7, .history_size = 3}, 4,
              ref::lbfgs_fixed_losses, ref::lbfgs_fixed_params, ref::lbfgs_fixed_counts);
}

TEST_CASE("lbfgs stops at once at a minimum, and reaches the minimum of a quadratic", "[higher][lbfgs]") {
  // At a zero gradient a step only evaluates once.
  constexpr tg::param<"w", 2> w;
  constexpr auto bowl = tg::sum(tg::square(w));
  auto params = tg::parameters<double>(bowl);
  tg::lbfgs optimiser(params, {.search = tg::line_search::strong_wolfe});
  const auto objective = [&](const auto& p) { return tg::grad(bowl)(p); };
  REQUIRE(optimiser.step(params, objective) == 0.0);
  REQUIRE(optimiser.evaluations == 1);
  REQUIRE(optimiser.steps == 0);
  params[w][0] = 3.0;
  params[w][1] = -4.0;
  optimiser.step(params, objective);
  REQUIRE(std::abs(params[w][0]) < 1e-7);
  REQUIRE(std::abs(params[w][1]) < 1e-7);
}

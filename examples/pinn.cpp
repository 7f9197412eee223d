// A physics-informed network: solve -u'' = pi^2 sin(pi x) on [-1, 1] with
// u(-1) = u(1) = 0, whose solution is u = sin(pi x). The network u(x) is a
// 1-32-32-1 tanh MLP; its u'' with respect to the input x is derived by
// typegrad at compile time (tg::derivative, twice) and sits in the loss, so
// each training step differentiates a second derivative once more.
//   1. Adam, 10,000 steps in float, the learning rate from 1e-3 down to 0
//      along a cosine (a constant rate leaves the error wherever the last
//      oscillation was: 2e-5 to 1e-3 over seeds 1 to 5);
//   2. then L-BFGS with the strong-Wolfe line search, in double.
// It prints the relative L2 error against sin(pi x) at 1,000 points after
// each phase, and the training times.
//   pinn [seed]     the seed of the initial weights, 1 by default
#include <typegrad/typegrad.hpp>
#include <typegrad/train/lbfgs.hpp>

#include "pinn_model.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>

namespace tg = typegrad;

using namespace pinn;

// ||u - sin(pi x)|| / ||sin(pi x)|| over evenly spaced points.
template <class Params>
double relative_error(const Params& params) {
  using T = typename Params::scalar_type;
  constexpr tg::input<"points", check_points, 1> points;
  tg::tensor<T, check_points, 1> at{};
  for (std::size_t i = 0; i < check_points; ++i) at[i] = T(-1.0 + 2.0 * double(i) / double(check_points - 1));
  const auto predicted = tg::eval(u(points), params, tg::bind(points = at));
  double error = 0, norm = 0;
  for (std::size_t i = 0; i < check_points; ++i) {
    const double exact = std::sin(std::numbers::pi * double(at[i]));
    error += (double(predicted[i]) - exact) * (double(predicted[i]) - exact);
    norm += exact * exact;
  }
  return std::sqrt(error / norm);
}

int main(int argc, char** argv) {
  using clock = std::chrono::steady_clock;
  auto params = tg::parameters<float>(loss);
  tg::random_engine rng(argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1);
  tg::initialize(params, rng, tg::init::xavier_normal{});  // biases zero
  tg::adam optimiser(params, {});
  const tg::schedule::cosine rate{.rate = 1e-3, .steps = 10000};
  const auto data = problem_data<float>();

  const auto adam_start = clock::now();
  for (int i = 1; i <= 10000; ++i) {
    const auto g = step(params, data);
    optimiser.step(params, g, rate(std::size_t(i - 1)));
    if (i % 2000 == 0) std::printf("adam step %5d  loss %.3e\n", i, double(g.value));
  }
  const double adam_seconds = std::chrono::duration<double>(clock::now() - adam_start).count();
  std::printf("adam (float, 10000 steps, %.2f s): relative L2 error %.2e\n", adam_seconds, relative_error(params));

  // L-BFGS continues from the Adam result, in double.
  auto fine = tg::parameters<double>(loss);
  fine.for_each([&](const auto& terminal, auto& t) {
    for (std::size_t i = 0; i < t.size; ++i) t[i] = params[terminal][i];
  });
  const auto fine_data = problem_data<double>();
  tg::lbfgs lbfgs(fine, {.max_iterations = 50, .history_size = 50, .search = tg::line_search::strong_wolfe});
  const auto objective = [&](const auto& p) { return step(p, fine_data); };
  const auto lbfgs_start = clock::now();
  double last = 0;
  for (int i = 1; i <= 40; ++i) last = lbfgs.step(fine, objective);
  const double lbfgs_seconds = std::chrono::duration<double>(clock::now() - lbfgs_start).count();
  std::printf("lbfgs (double, %zu iterations, %zu evaluations, %.2f s): loss %.3e, relative L2 error %.2e\n", lbfgs.steps,
              lbfgs.evaluations, lbfgs_seconds, last, relative_error(fine));
}

#pragma once
// Helpers shared by the tests: random tensors, tensors from flat arrays, and
// the law checks every op must pass.
#include <typegrad/typegrad.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>

namespace testing {

namespace tg = typegrad;

// Values in +-[lo, hi]: away from zero, where relu, step and 1/x have kinks
// or poles.
struct away_from_zero {
  double lo = 0.3, hi = 1.5;
  double operator()(std::mt19937_64& rng) const {
    const double magnitude = std::uniform_real_distribution<double>(lo, hi)(rng);
    return std::bernoulli_distribution(0.5)(rng) ? magnitude : -magnitude;
  }
};
// Values in [lo, hi]; positive ones for log, sqrt and probabilities.
struct uniform {
  double lo = -1.0, hi = 1.0;
  double operator()(std::mt19937_64& rng) const { return std::uniform_real_distribution<double>(lo, hi)(rng); }
};

template <class S, class Sampler, class T = double>
tg::tensor_for_t<T, S> random_tensor(std::mt19937_64& rng, Sampler sample) {
  tg::tensor_for_t<T, S> t{};
  for (auto& v : t) v = static_cast<T>(sample(rng));
  return t;
}

template <class Tensor>
Tensor from_flat(const double* values) {
  Tensor t{};
  for (std::size_t i = 0; i < Tensor::size; ++i) t[i] = static_cast<typename Tensor::value_type>(values[i]);
  return t;
}

// Every element of got within tolerance of a reference value (relative to
// the larger of it and 1), each failure naming the element.
template <class Tensor>
void require_close(const Tensor& got, const double* expected, double tolerance) {
  for (std::size_t i = 0; i < Tensor::size; ++i) {
    INFO("element " << i << ": typegrad " << double(got[i]) << ", reference " << expected[i]);
    REQUIRE(std::abs(double(got[i]) - expected[i]) <= tolerance * std::max(1.0, std::abs(expected[i])));
  }
}

template <class E>
using input_like = tg::leaf_expr<tg::input_leaf<"R", tg::shape_of_t<E>>>;

// The directional check: <grad L, v> against the central difference of L
// along a random direction v over all listed terminals at once. It is the
// adjoint identity <vjp(u), v> = <u, jvp(v)> for the VJP chain of L.
template <class Loss, class Env, class... Wrt>
void check_direction(const Loss& loss, const Env& env, std::mt19937_64& rng, const Wrt&... wrt) {
  const auto g = tg::grad(loss, wrt...)(env);
  Env plus = env, minus = env;
  const double h = 1e-5;
  double along = 0;
  auto step_one = [&](const auto& terminal) {
    using leaf = tg::leaf_of_t<std::remove_cvref_t<decltype(terminal)>>;
    const auto direction = random_tensor<typename leaf::shape_type>(rng, uniform{});
    auto& up = plus.template lookup_mutable<leaf>();
    auto& down = minus.template lookup_mutable<leaf>();
    for (std::size_t i = 0; i < up.size; ++i) {
      up[i] += h * direction[i];
      down[i] -= h * direction[i];
      along += g[terminal][i] * direction[i];
    }
  };
  (step_one(wrt), ...);
  const double numeric = (static_cast<double>(tg::eval(loss, plus)) - static_cast<double>(tg::eval(loss, minus))) / (2 * h);
  INFO("<grad, v> = " << along << ", (L(x + hv) - L(x - hv)) / 2h = " << numeric);
  REQUIRE(std::abs(along - numeric) <= 1e-7 * std::max(1.0, std::abs(numeric)));
}

// The forward-mode law: <R, J u> from the op's JVP rules equals <Jᵀ R, u>
// from its VJP rules, for random tangents u of every listed terminal.
template <class Out, class Env, class R, class... Wrt>
void check_jvp_against_vjp(const Out& out, const Env& env, const R& r, std::mt19937_64& rng, const Wrt&... wrt) {
  const auto g = tg::grad(tg::sum(tg::hadamard(out, r)), wrt...)(env);
  const auto seeds = tg::bind((tg::tangent(wrt) = random_tensor<tg::shape_of_t<Wrt>>(rng, uniform{}))...);
  const auto moved = tg::jvp(out, wrt...)(env, seeds);
  double forward = 0, reverse = 0;
  const auto& weights = env[r];
  for (std::size_t i = 0; i < weights.size; ++i) forward += weights[i] * moved.tangent[i];
  auto add_one = [&](const auto& terminal) {
    const auto& u = seeds[tg::tangent(terminal)];
    for (std::size_t i = 0; i < u.size; ++i) reverse += g[terminal][i] * u[i];
  };
  (add_one(wrt), ...);
  INFO("<R, J u> = " << forward << ", <J^T R, u> = " << reverse);
  REQUIRE(std::abs(forward - reverse) <= 1e-12 * std::max(1.0, std::abs(reverse)));
}

// The second-order law: the Hessian-vector product of L (forward over
// reverse, so the JVP rules of every VJP rule) against central differences
// of the gradient along v.
template <class Loss, class Env, class... Wrt>
void check_hvp_against_differences(const Loss& loss, const Env& env, std::mt19937_64& rng, const Wrt&... wrt) {
  const auto seeds = tg::bind((tg::tangent(wrt) = random_tensor<tg::shape_of_t<Wrt>>(rng, uniform{}))...);
  const auto derived = tg::hvp(loss, wrt...)(env, seeds);
  const double h = 1e-5;
  Env plus = env, minus = env;
  auto move = [&](const auto& terminal) {
    using leaf = tg::leaf_of_t<std::remove_cvref_t<decltype(terminal)>>;
    const auto& v = seeds[tg::tangent(terminal)];
    auto& up = plus.template lookup_mutable<leaf>();
    auto& down = minus.template lookup_mutable<leaf>();
    for (std::size_t i = 0; i < up.size; ++i) {
      up[i] += h * v[i];
      down[i] -= h * v[i];
    }
  };
  (move(wrt), ...);
  const auto g_plus = tg::grad(loss, wrt...)(plus);
  const auto g_minus = tg::grad(loss, wrt...)(minus);
  auto compare = [&](const auto& terminal) {
    for (std::size_t i = 0; i < derived.product[terminal].size; ++i) {
      const double numeric = (g_plus[terminal][i] - g_minus[terminal][i]) / (2 * h);
      const double analytic = derived.product[terminal][i];
      INFO("(H v)[" << i << "] derived " << analytic << ", differences of the gradient " << numeric);
      REQUIRE(std::abs(analytic - numeric) <= 1e-6 * std::max(1.0, std::abs(numeric)));
    }
  };
  (compare(wrt), ...);
}

// The law test of one op: L = sum(op(...) ⊙ R) with R random, so that the
// op's VJP is exercised with a random cotangent, at many seeded points:
// element-wise central differences (gradcheck), the directional check, the
// JVP against the VJP, and the Hessian-vector product against differences
// of the gradient.
template <class Sampler, class Out, class... Wrt>
void check_op_laws(const Out& out, Sampler sample, const Wrt&... wrt) {
  constexpr input_like<Out> R{};
  const auto loss = tg::sum(tg::hadamard(out, R));
  for (unsigned seed = 1; seed <= 25; ++seed) {
    std::mt19937_64 rng(seed);
    const auto env = tg::bind((wrt = random_tensor<tg::shape_of_t<Wrt>>(rng, sample))...,
                              R = random_tensor<tg::shape_of_t<Out>>(rng, uniform{}));
    const auto report = tg::gradcheck(loss, env, wrt...);
    INFO("seed " << seed << ": worst error " << report.worst_error << " at " << report.terminal << "[" << report.index
                 << "], derived " << report.analytic << ", differences " << report.numeric);
    REQUIRE(report.elements_checked == (std::size_t{0} + ... + tg::shape_of_t<Wrt>::size));
    REQUIRE(report.passed(1e-7));
    check_direction(loss, env, rng, wrt...);
    check_jvp_against_vjp(out, env, R, rng, wrt...);
    check_hvp_against_differences(loss, env, rng, wrt...);
  }
}

}  // namespace testing

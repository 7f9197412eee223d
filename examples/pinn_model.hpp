#pragma once
// The physics-informed network of examples/pinn.cpp, shared with its
// benchmark (bench/bench_higher_order.cpp): -u'' = pi^2 sin(pi x) on [-1, 1],
// u(-1) = u(1) = 0, with a 1-32-32-1 tanh MLP and u'' derived by typegrad.
#include <typegrad/typegrad.hpp>

#include <cmath>
#include <cstddef>
#include <numbers>

namespace pinn {

namespace tg = typegrad;

constexpr std::size_t hidden = 32, collocation = 64, check_points = 1000;

constexpr tg::param<"W1", 1, hidden> W1;
constexpr tg::param<"b1", hidden> b1;
constexpr tg::param<"W2", hidden, hidden> W2;
constexpr tg::param<"b2", hidden> b2;
constexpr tg::param<"W3", hidden, 1> W3;
constexpr tg::param<"b3", 1> b3;

template <class X>
constexpr auto u(const X& x) {
  return tg::tanh(tg::tanh(x * W1 + b1) * W2 + b2) * W3 + b3;
}

constexpr tg::input<"x", collocation, 1> x;          // collocation points
constexpr tg::input<"f", collocation, 1> f;          // pi^2 sin(pi x) there
constexpr tg::input<"boundary", 2, 1> boundary;      // -1 and 1

// Each row of u(x) depends on its own x only, so the derivative of the sum
// is u' row by row, and once more u''.
constexpr auto du = tg::derivative(tg::sum(u(x)), x);
constexpr auto d2u = tg::derivative(tg::sum(du), x);
constexpr auto loss = tg::mean(tg::square(d2u + f)) + tg::mean(tg::square(u(boundary)));
constexpr auto step = tg::grad(loss);  // every param

// The collocation points, the source term there and the two boundary points.
template <class T>
auto problem_data() {
  tg::tensor<T, collocation, 1> xs{}, fs{};
  for (std::size_t i = 0; i < collocation; ++i) {
    const double at = -1.0 + 2.0 * double(i) / double(collocation - 1);
    xs[i] = T(at);
    fs[i] = T(std::numbers::pi * std::numbers::pi * std::sin(std::numbers::pi * at));
  }
  tg::tensor<T, 2, 1> ends{};
  ends[0] = T(-1), ends[1] = T(1);
  return tg::bind(x = xs, f = fs, boundary = ends);
}

}  // namespace pinn

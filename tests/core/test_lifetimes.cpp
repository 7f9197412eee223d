// Expressions built inside functions, from local terminals and local
// numbers, are returned and then evaluated and differentiated. Everything is
// stored by value, so nothing dangles; the sanitizer run (the asan preset)
// runs this with detect_stack_use_after_return, where a reference into a
// dead frame would be reported.
//
// Only two types keep a reference to what they were given: minibatches (its
// data set) and tg::join (its environments). Made from a temporary, each is
// a compile error: tests/fail/minibatches_temporary.cpp and join_temporary.cpp.
#include "../support/testing.hpp"

#include <cmath>
#include <functional>

namespace tg = typegrad;

namespace {

// Runtime numbers, so the compiler cannot fold them into the type.
auto make_model(double scale, double shift) {
  tg::param<"A", 2, 2> A;  // local terminals, gone when the function returns
  tg::input<"x", 2> x;
  const double local = scale * 2;  // a local number the expression captures
  auto hidden = tg::tanh(A * x) * local;
  auto squared = tg::square(hidden);
  return tg::sum(squared) + shift;
}

auto make_program(double scale) {
  const auto model = make_model(scale, 0.25);
  return tg::grad(model, tg::param<"A", 2, 2>{});  // the program outlives model
}

std::function<double(double)> make_closure(double scale) {
  // An expression kept inside a std::function, on the heap.
  auto model = make_model(scale, -1.0);
  return [model](double a) {
    const auto env = tg::bind(tg::param<"A", 2, 2>{} = tg::tensor<double, 2, 2>{{a, 0}, {0, a}},
                              tg::input<"x", 2>{} = tg::tensor<double, 2>{0.5, -0.25});
    return static_cast<double>(tg::eval(model, env));
  };
}

double expected(double scale, double shift, double a) {
  const double h0 = std::tanh(a * 0.5) * 2 * scale, h1 = std::tanh(a * -0.25) * 2 * scale;
  return h0 * h0 + h1 * h1 + shift;
}

}  // namespace

TEST_CASE("expressions built from locals in a function are evaluated after it returns", "[core][lifetimes]") {
  const auto env = tg::bind(tg::param<"A", 2, 2>{} = tg::tensor<double, 2, 2>{{1, 0}, {0, 1}},
                            tg::input<"x", 2>{} = tg::tensor<double, 2>{0.5, -0.25});
  const auto model = make_model(1.5, 0.75);
  REQUIRE(std::abs(static_cast<double>(tg::eval(model, env)) - expected(1.5, 0.75, 1)) < 1e-14);

  const auto program = make_program(0.5);
  const auto g = program(env);
  REQUIRE(std::abs(g.value - expected(0.5, 0.25, 1)) < 1e-14);
  // d/dA_00 of (2 s tanh(A_00 x_0))^2 = 2 (2 s t) (2 s (1 - t^2) x_0), t = tanh(0.5).
  const double t = std::tanh(0.5);
  REQUIRE(std::abs(g[tg::param<"A", 2, 2>{}](0, 0) - 2 * (2 * 0.5 * t) * (2 * 0.5 * (1 - t * t) * 0.5)) < 1e-14);

  const auto closure = make_closure(2.0);
  REQUIRE(std::abs(closure(0.3) - expected(2.0, -1.0, 0.3)) < 1e-14);
}

#include <typegrad/typegrad.hpp>

#include <cstdio>

namespace tg = typegrad;
constexpr tg::param<"w", 2> w;
constexpr tg::input<"x", 3, 2> x;

int main() {
  const auto env = tg::bind(w = tg::tensor<double, 2>{0.5, -1}, x = tg::tensor<double, 3, 2>{{1, 2}, {3, 4}, {5, 6}});
  const auto g = tg::grad(tg::sum(tg::square(x * w)), w)(env);
  // d/dw sum((x w)^2) = 2 x^T (x w); x w = [-1.5, -2.5, -3.5].
  const bool ok = g[w](0) == 2 * (-1.5 - 7.5 - 17.5) && g[w](1) == 2 * (-3 - 10 - 21);
  std::printf("consumer: %s\n", ok ? "ok" : "wrong");
  return ok ? 0 : 1;
}

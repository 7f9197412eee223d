// expect-error: typegrad: g\[t\] names a terminal that was not listed in grad\(loss, \.\.\.\)
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"b", 2> b;
constexpr tg::input<"X", 4, 2> X;
constexpr auto loss = tg::sum(tg::tanh(X * W + b));
int main() {
  auto env = tg::bind(W = tg::tensor<double, 2, 2>{}, b = tg::tensor<double, 2>{}, X = tg::tensor<double, 4, 2>{});
  auto g = tg::grad(loss, W)(env);
#ifdef TYPEGRAD_TWIN
  return g[W](0, 0) == 0 ? 0 : 1;
#else
  return g[b](0) == 0 ? 0 : 1;  // <- error
#endif
}

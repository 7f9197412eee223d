// expect-error: typegrad: the optimiser's parameter set has a parameter the gradients do not list
// expect-context: name<'b'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"b", 2> b;
constexpr tg::input<"X", 4, 2> X;
constexpr auto loss = tg::sum(tg::tanh(X * W + b));
int main() {
  auto params = tg::parameters<double>(loss);
  auto data = tg::bind(X = tg::tensor<double, 4, 2>{});
  tg::adam opt(params, {});
#ifdef TYPEGRAD_TWIN
  const auto g = tg::grad(loss)(params, data);
#else
  const auto g = tg::grad(loss, W)(params, data);
#endif
  opt.step(params, g);  // <- error
  return 0;
}

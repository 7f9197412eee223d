// expect-error: typegrad: an optimiser steps the parameter set it was made for, and was given another
// expect-context: name<'W'>.*name<'V'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"V", 2, 3> V;
constexpr tg::input<"X", 4, 2> X;
constexpr auto loss = tg::sum(tg::tanh(X * W));
constexpr auto other_loss = tg::sum(tg::tanh(X * V));
int main() {
  auto params = tg::parameters<double>(loss);
  auto other_params = tg::parameters<double>(other_loss);
  auto data = tg::bind(X = tg::tensor<double, 4, 2>{});
  tg::adam opt(params, {});
  const auto g = tg::grad(loss)(params, data);
#ifdef TYPEGRAD_TWIN
  opt.step(params, g);
  (void)other_params;
#else
  opt.step(other_params, g);  // <- error
#endif
  return 0;
}

// expect-error: typegrad: the expression needs a terminal that the bindings lack
// expect-context: name<'Y'>, (typegrad::)?shape<4, 2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 4, 2> X;
constexpr tg::input<"Y", 4, 2> Y;
constexpr tg::param<"W", 2, 2> W;
constexpr auto loss = tg::mse(X * W, Y);
constexpr auto step = tg::grad(loss);
int main() {
  auto params = tg::parameters<double>(loss);
#ifdef TYPEGRAD_TWIN
  auto data = tg::bind(X = tg::tensor<double, 4, 2>{}, Y = tg::tensor<double, 4, 2>{});
#else
  auto data = tg::bind(X = tg::tensor<double, 4, 2>{});
#endif
  auto g = step(params, data);  // <- error
  return g.value > 0 ? 1 : 0;
}

// expect-error: typegrad: the expression needs a terminal that the bindings lack
// expect-context: name<'b', '1'>, (typegrad::)?shape<2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 4, 2> X;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"b1", 2> b1;
constexpr auto loss = tg::mean(tg::relu(X * W + b1));
constexpr auto dloss = tg::grad(loss, W);
int main() {
#ifdef TYPEGRAD_TWIN
  auto env = tg::bind(X = tg::tensor<double, 4, 2>{}, W = tg::tensor<double, 2, 2>{}, b1 = tg::tensor<double, 2>{});
#else
  auto env = tg::bind(X = tg::tensor<double, 4, 2>{}, W = tg::tensor<double, 2, 2>{});
#endif
  auto g = dloss(env);  // <- error
  return g.value > 0 ? 1 : 0;
}

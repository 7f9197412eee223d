// expect-error: typegrad: bind mixes float and double tensors
// expect-context: name<'W'>, float, (typegrad::diagnostics::)?name<'X'>, double
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"X", 4, 2> X;
int main() {
#ifdef TYPEGRAD_TWIN
  auto env = tg::bind(W = tg::tensor<float, 2, 2>{}, X = tg::tensor<float, 4, 2>{});
#else
  auto env = tg::bind(W = tg::tensor<float, 2, 2>{}, X = tg::tensor<double, 4, 2>{});  // <- error
#endif
  auto v = tg::eval(X * W, env);
  return v(0, 0) > 0 ? 1 : 0;
}

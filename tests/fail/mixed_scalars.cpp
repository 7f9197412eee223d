// expect-error: typegrad: bind mixes float and double tensors
// expect-context: name<'W'>, double, (typegrad::diagnostics::)?name<'x'>, float
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"x", 2> x;
int main() {
#ifdef TYPEGRAD_TWIN
  auto env = tg::bind(W = tg::tensor<double, 2, 2>{}, x = tg::tensor<double, 2>{1, 2});
#else
  auto env = tg::bind(W = tg::tensor<double, 2, 2>{}, x = tg::tensor<float, 2>{1, 2});  // <- error
#endif
  return tg::eval(tg::sum(W * x), env) == 0 ? 0 : 1;
}

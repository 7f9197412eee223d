// expect-error: typegrad: the expression needs a terminal that the bindings lack
// expect-context: name<'b', '1'>, (typegrad::)?shape<2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"x", 2> x;
constexpr tg::param<"b1", 2> b1;
int main() {
#ifdef TYPEGRAD_TWIN
  auto env = tg::bind(x = tg::tensor<double, 2>{1, 2}, b1 = tg::tensor<double, 2>{0, 0});
#else
  auto env = tg::bind(x = tg::tensor<double, 2>{1, 2});
#endif
  auto v = tg::eval(x + b1, env);  // <- error
  return v(0) > 0 ? 0 : 1;
}

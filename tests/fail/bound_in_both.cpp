// expect-error: typegrad: a terminal is bound in more than one of the environments passed together
// expect-context: name<'W'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 4, 2> X;
constexpr tg::param<"W", 2, 2> W;
constexpr auto out = X * W;
int main() {
  auto params = tg::parameters<double>(out);
#ifdef TYPEGRAD_TWIN
  auto data = tg::bind(X = tg::tensor<double, 4, 2>{});
#else
  auto data = tg::bind(X = tg::tensor<double, 4, 2>{}, W = tg::tensor<double, 2, 2>{});
#endif
  auto v = tg::eval(out, params, data);  // <- error
  return v(0, 0) > 0 ? 1 : 0;
}

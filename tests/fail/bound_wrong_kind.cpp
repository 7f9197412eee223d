// expect-error: typegrad: a terminal is bound under its name, but with another shape or kind
// expect-context: name<'W'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"W", 2, 2> W_as_input;
constexpr tg::input<"x", 2> x;
int main() {
#ifdef TYPEGRAD_TWIN
  auto env = tg::bind(W = tg::tensor<double, 2, 2>{}, x = tg::tensor<double, 2>{});
#else
  auto env = tg::bind(W_as_input = tg::tensor<double, 2, 2>{}, x = tg::tensor<double, 2>{});
#endif
  auto v = tg::eval(W * x, env);  // <- error
  return v(0) > 0 ? 1 : 0;
}

// expect-error: typegrad: bind names one terminal twice
// expect-context: name<'x'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"x", 2> x;
int main() {
#ifdef TYPEGRAD_TWIN
  auto env = tg::bind(x = tg::tensor<double, 2>{1, 2});
#else
  auto env = tg::bind(x = tg::tensor<double, 2>{1, 2}, x = tg::tensor<double, 2>{3, 4});  // <- error
#endif
  return tg::eval(tg::sum(x), env) == 3 ? 0 : 1;
}

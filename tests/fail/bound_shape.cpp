// expect-error: typegrad: a bound tensor needs the shape of its terminal
// expect-context: name<'W'>, (typegrad::)?shape<2, 2>, (typegrad::)?shape<3, 3>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
int main() {
#ifdef TYPEGRAD_TWIN
  auto b = (W = tg::tensor<double, 2, 2>{});
#else
  auto b = (W = tg::tensor<double, 3, 3>{});  // <- error
#endif
  return b.value(0, 0) == 0 ? 0 : 1;
}

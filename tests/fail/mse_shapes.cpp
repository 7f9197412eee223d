// expect-error: typegrad: mse\(p, y\) needs predictions and targets of one shape
// expect-context: shape<4, 3>, (typegrad::)?shape<4, 2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"p", 4, 3> p;
constexpr tg::input<"y", 4, 2> y;
constexpr tg::input<"z", 4, 3> z;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = tg::mse(p, z);
#else
  constexpr auto e = tg::mse(p, y);  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

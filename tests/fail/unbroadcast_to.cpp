// expect-error: typegrad: unbroadcast<To>\(x\) needs To to broadcast to x's shape
// expect-context: shape<3>, (typegrad::)?shape<2, 4>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"m", 2, 4> m;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = tg::unbroadcast<tg::shape<4>>(m);
#else
  constexpr auto e = tg::unbroadcast<tg::shape<3>>(m);  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

// expect-error: typegrad: broadcast<To>\(x\) needs x to broadcast to To
// expect-context: shape<3>, (typegrad::)?shape<2, 4>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"v", 3> v;
constexpr tg::input<"w", 4> w;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = tg::broadcast<tg::shape<2, 4>>(w);
#else
  constexpr auto e = tg::broadcast<tg::shape<2, 4>>(v);  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

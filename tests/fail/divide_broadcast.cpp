// expect-error: typegrad: elementwise a / b needs shapes that broadcast
// expect-context: shape<2, 5>, (typegrad::)?shape<2, 4>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"a", 2, 5> a;
constexpr tg::input<"b", 2, 4> b;
constexpr tg::input<"c", 2, 5> c;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = a / c;
#else
  constexpr auto e = a / b;  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

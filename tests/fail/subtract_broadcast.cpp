// expect-error: typegrad: elementwise a - b needs shapes that broadcast
// expect-context: shape<3, 4>, (typegrad::)?shape<3>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"a", 3, 4> a;
constexpr tg::input<"v", 3> v;
constexpr tg::input<"w", 4> w;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = a - w;
#else
  constexpr auto e = a - v;  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

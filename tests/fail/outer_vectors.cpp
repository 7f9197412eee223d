// expect-error: typegrad: outer\(a, b\) needs two vectors
// expect-context: shape<2, 2>, (typegrad::)?shape<3>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"m", 2, 2> m;
constexpr tg::input<"u", 2> u;
constexpr tg::input<"v", 3> v;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = tg::outer(u, v);
#else
  constexpr auto e = tg::outer(m, v);  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

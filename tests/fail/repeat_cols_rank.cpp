// expect-error: typegrad: repeat_cols needs a scalar or a vector
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"m", 2, 2> m;
constexpr tg::input<"v", 2> v;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = tg::repeat_cols<3>(v);
#else
  constexpr auto e = tg::repeat_cols<3>(m);  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

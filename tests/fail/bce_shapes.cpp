// expect-error: typegrad: bce_with_logits\(z, y\) needs logits and targets of one shape
// expect-context: shape<4>, (typegrad::)?shape<4, 1>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"z", 4> z;
constexpr tg::input<"y", 4, 1> y;
constexpr tg::input<"t", 4> t;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = tg::bce_with_logits(z, t);
#else
  constexpr auto e = tg::bce_with_logits(z, y);  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

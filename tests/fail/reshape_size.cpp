// expect-error: typegrad: reshape<D...>\(x\) needs as many elements as x has
// expect-context: shape<2, 6>, (typegrad::)?shape<3, 5>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 2, 6> X;
#ifdef TYPEGRAD_TWIN
constexpr auto y = tg::reshape<3, 4>(X);
#else
constexpr auto y = tg::reshape<3, 5>(X);  // <- error
#endif
int main() { return 0; }

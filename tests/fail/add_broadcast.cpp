// expect-error: typegrad: elementwise a \+ b needs shapes that broadcast
// expect-context: shape<4, 3>, (typegrad::)?shape<2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 4, 3> X;
#ifdef TYPEGRAD_TWIN
constexpr tg::param<"b", 3> b;
#else
constexpr tg::param<"b", 2> b;
#endif
constexpr auto y = X + b;  // <- error
int main() { return 0; }

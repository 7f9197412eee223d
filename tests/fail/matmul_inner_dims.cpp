// expect-error: typegrad: matrix product needs cols\(lhs\) == rows\(rhs\)
// expect-context: shape<4, 3>, (typegrad::)?shape<2, 2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 4, 3> X;
#ifdef TYPEGRAD_TWIN
constexpr tg::param<"W", 3, 2> W;
#else
constexpr tg::param<"W", 2, 2> W;
#endif
constexpr auto z = X * W;  // <- error
int main() { return 0; }

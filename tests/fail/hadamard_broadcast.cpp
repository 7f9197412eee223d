// expect-error: typegrad: elementwise product hadamard\(a, b\) needs shapes that broadcast
// expect-context: shape<2, 3>, (typegrad::)?shape<3, 2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"A", 2, 3> A;
#ifdef TYPEGRAD_TWIN
constexpr tg::input<"B", 2, 3> B;
#else
constexpr tg::input<"B", 3, 2> B;
#endif
constexpr auto y = tg::hadamard(A, B);  // <- error
int main() { return 0; }

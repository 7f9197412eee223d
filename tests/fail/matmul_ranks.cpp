// expect-error: typegrad: matrix product a \* b needs rank 2 times rank 2, or rank 2 times rank 1
// expect-context: shape<3>, (typegrad::)?shape<3>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"u", 3> u;
constexpr tg::input<"v", 3> v;
#ifdef TYPEGRAD_TWIN
constexpr auto d = tg::sum(tg::hadamard(u, v));
#else
constexpr auto d = u * v;  // <- error
#endif
int main() { return 0; }

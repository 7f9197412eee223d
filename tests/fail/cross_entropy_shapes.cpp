// expect-error: typegrad: cross_entropy\(p, y\) needs p and y of one shape
// expect-context: shape<4, 2>, (typegrad::)?shape<4, 3>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"A", 4, 2> A;
#ifdef TYPEGRAD_TWIN
constexpr tg::input<"Y", 4, 2> Y;
#else
constexpr tg::input<"Y", 4, 3> Y;
#endif
constexpr auto loss = tg::cross_entropy(tg::softmax(A), Y);  // <- error
int main() { return 0; }

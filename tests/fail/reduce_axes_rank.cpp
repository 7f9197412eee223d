// expect-error: typegrad: sum<Axes...>\(x\), mean<Axes...>\(x\) and max<Axes...>\(x\) need one or more distinct axes of x
// expect-context: shape<32, 10>, (typegrad::)?axes<1, 2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"logits", 32, 10> logits;
#ifdef TYPEGRAD_TWIN
constexpr auto y = tg::mean(tg::max<1>(logits));
#else
// A rank-2 operand has no axis 2.
constexpr auto y = tg::mean(tg::max<1, 2>(logits));  // <- error
#endif
int main() { return 0; }

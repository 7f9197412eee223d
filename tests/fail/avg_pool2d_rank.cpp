// expect-error: typegrad: avg_pool2d\(x\) needs x \[B,H,W,C\] and windows that fit it
// expect-context: shape<8, 784>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 8, 784> X;
#ifdef TYPEGRAD_TWIN
constexpr auto y = tg::avg_pool2d(tg::reshape<8, 28, 28, 1>(X));
#else
constexpr auto y = tg::avg_pool2d(X);  // <- error
#endif
int main() { return 0; }

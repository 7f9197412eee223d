// expect-error: typegrad: max_pool2d\(x\) needs x \[B,H,W,C\] and windows that fit it
// expect-context: shape<1, 4, 4, 2>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 1, 4, 4, 2> X;
#ifdef TYPEGRAD_TWIN
constexpr tg::pool_options window{.window = {4, 4}};
#else
constexpr tg::pool_options window{.window = {5, 5}};
#endif
constexpr auto y = tg::flatten(tg::max_pool2d<window>(X));  // <- error
int main() { return 0; }

// expect-error: typegrad: slice<Axis, Begin, End>\(x\) needs an axis of x and Begin < End <= its extent
// expect-context: shape<16, 40, 6>, 1, 30, 50
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"window", 16, 40, 6> window;
#ifdef TYPEGRAD_TWIN
constexpr auto y = tg::relu(tg::slice<1, 30, 40>(window));
#else
constexpr auto y = tg::relu(tg::slice<1, 30, 50>(window));  // <- error
#endif
int main() { return 0; }

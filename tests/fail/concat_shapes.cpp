// expect-error: typegrad: concat<Axis>\(a, b\) needs operands of one rank that agree on every axis but Axis
// expect-context: shape<8, 14, 14, 16>, (typegrad::)?shape<8, 7, 7, 16>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"wide", 8, 14, 14, 16> wide;
#ifdef TYPEGRAD_TWIN
constexpr tg::input<"narrow", 8, 14, 14, 16> narrow;
#else
constexpr tg::input<"narrow", 8, 7, 7, 16> narrow;
#endif
// Joining feature maps along the channels needs the same height and width.
constexpr auto y = tg::relu(tg::concat<3>(wide, narrow));  // <- error
int main() { return 0; }

// expect-error: typegrad: conv2d\(x, w\) needs x \[B,H,W,Cin\] and a kernel w \[KH,KW,Cin/groups,Cout\]
// expect-context: shape<8, 28, 28, 3>, (typegrad::)?shape<3, 3, 1, 16>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"X", 8, 28, 28, 3> X;
#ifdef TYPEGRAD_TWIN
constexpr tg::param<"K", 3, 3, 3, 16> K;
#else
constexpr tg::param<"K", 3, 3, 1, 16> K;
#endif
constexpr auto y = tg::relu(tg::conv2d(X, K));  // <- error
int main() { return 0; }

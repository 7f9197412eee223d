// expect-error: typegrad: conv1d\(x, w\) needs x \[B,T,Cin\] and a kernel w \[K,Cin/groups,Cout\]
// expect-context: shape<4, 50, 6>, (typegrad::)?shape<5, 6, 8>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"frames", 4, 50, 6> frames;
#ifdef TYPEGRAD_TWIN
constexpr tg::param<"K", 5, 3, 8> K;
#else
constexpr tg::param<"K", 5, 6, 8> K;
#endif
// Two groups of 3 channels take a kernel of 3 input channels, not 6.
constexpr auto y = tg::relu(tg::conv1d<tg::conv1d_options{.groups = 2}>(frames, K));  // <- error
int main() { return 0; }

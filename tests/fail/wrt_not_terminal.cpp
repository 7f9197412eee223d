// expect-error: typegrad: grad differentiates with respect to terminals \(params and inputs\) only
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"X", 4, 2> X;
constexpr auto hidden = X * W;
constexpr auto loss = tg::sum(tg::tanh(hidden));
#ifdef TYPEGRAD_TWIN
constexpr auto program = tg::grad(loss, W);
#else
constexpr auto program = tg::grad(loss, hidden);  // <- error
#endif
int main() { return 0; }

// expect-error: typegrad: grad needs a scalar loss
// expect-context: loss_is_scalar<(typegrad::)?shape<4> ?>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"X", 4, 2> X;
constexpr tg::input<"Y", 4, 2> Y;
constexpr auto per_row = tg::cross_entropy(tg::softmax(X * W), Y);
#ifdef TYPEGRAD_TWIN
constexpr auto program = tg::grad(tg::mean(per_row), W);
#else
constexpr auto program = tg::grad(per_row, W);  // <- error
#endif
int main() { return 0; }

// expect-error: typegrad: a derivative expression needs exact numbers
// expect-context: derived_expression_has_exact_numbers<(typegrad::)?diagnostics::name<'d', 'e', 'r'
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"X", 4, 2> X;
#ifdef TYPEGRAD_TWIN
constexpr auto d = tg::derivative(tg::sum(tg::square(X * W)) * tg::literal<1, 2>, W);
#else
constexpr auto d = tg::derivative(tg::sum(tg::square(X * W)) * 0.5, W);  // <- error
#endif
int main() { return tg::shape_of(d).rank == 2 ? 0 : 1; }

// expect-error: typegrad: softmax and log_softmax need a rank-1 or rank-2 operand
// expect-context: rowwise_operand_has_rank_1_or_2<(typegrad::)?shape<> ?>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
#ifdef TYPEGRAD_TWIN
constexpr tg::input<"s", 2> s;
#else
constexpr tg::input<"s"> s;
#endif
constexpr auto p = tg::softmax(s);  // <- error
int main() { return 0; }

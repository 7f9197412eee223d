// expect-error: typegrad: softmax and log_softmax need a rank-1 or rank-2 operand
// expect-context: rowwise_operand_has_rank_1_or_2<(typegrad::)?shape<> ?>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::input<"s"> s;
constexpr tg::input<"v", 3> v;
int main() {
#ifdef TYPEGRAD_TWIN
  constexpr auto e = tg::log_softmax(v);
#else
  constexpr auto e = tg::log_softmax(s);  // <- error
#endif
  return tg::shape_of(e).rank > 3 ? 1 : 0;
}

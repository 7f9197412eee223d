// expect-error: typegrad: transpose needs a rank-2 operand
// expect-context: transpose_operand_has_rank_2<(typegrad::)?shape<5> ?>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
#ifdef TYPEGRAD_TWIN
constexpr tg::input<"v", 5, 1> v;
#else
constexpr tg::input<"v", 5> v;
#endif
constexpr auto t = tg::transpose(v);  // <- error
int main() { return 0; }

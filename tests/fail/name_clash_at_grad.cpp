// expect-error: typegrad: two terminals share one name but differ in shape or kind
// expect-context: name<'W'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
#ifdef TYPEGRAD_TWIN
constexpr tg::param<"V", 2> V;
#else
constexpr tg::param<"W", 2> V;
#endif
constexpr auto loss = tg::sum(W) + tg::sum(V);
int main() {
  constexpr auto dloss = tg::grad(loss, W);  // <- error
  return sizeof(dloss) > 0 ? 0 : 1;
}

// expect-error: typegrad: two terminals share one name but differ in shape or kind
// expect-context: name<'W'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
#ifdef TYPEGRAD_TWIN
constexpr tg::param<"W2", 2> W2;
#else
constexpr tg::param<"W", 2> W2;
#endif
constexpr auto y = tg::sum(W) + tg::sum(W2);
int main() {
#ifdef TYPEGRAD_TWIN
  auto env = tg::bind(W = tg::tensor<double, 2, 2>{}, W2 = tg::tensor<double, 2>{});
#else
  auto env = tg::bind(W = tg::tensor<double, 2, 2>{});
#endif
  auto v = tg::eval(y, env);  // <- error
  return v > 0 ? 1 : 0;
}

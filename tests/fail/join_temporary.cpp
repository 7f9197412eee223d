// expect-error: typegrad: join reads its environments in place; pass named ones, not temporaries
// expect-context: view_source_is_named
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"X", 4, 2> X;
constexpr auto loss = tg::sum(tg::tanh(X * W));
int main() {
  const auto params = tg::parameters<double>(loss);
#ifdef TYPEGRAD_TWIN
  const auto data = tg::bind(X = tg::tensor<double, 4, 2>{});
  const auto env = tg::join(params, data);
#else
  const auto env = tg::join(params, tg::bind(X = tg::tensor<double, 4, 2>{}));  // <- error
#endif
  return tg::eval(loss, env) == 0 ? 0 : 1;
}

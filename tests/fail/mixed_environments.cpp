// expect-error: typegrad: the environments passed together mix float and double
// expect-context: environments_share_one_scalar_type<float, double>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"X", 4, 2> X;
constexpr auto out = X * W;
int main() {
  auto params = tg::parameters<float>(out);
#ifdef TYPEGRAD_TWIN
  auto data = tg::bind(X = tg::tensor<float, 4, 2>{});
#else
  auto data = tg::bind(X = tg::tensor<double, 4, 2>{});
#endif
  auto v = tg::eval(out, params, data);  // <- error
  return v(0, 0) > 0 ? 1 : 0;
}

// expect-error: typegrad: emit_c needs a model with exactly one input terminal
// expect-context: deployed_model_has_one_input<2
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::input<"x", 1, 2> x;
constexpr tg::input<"y", 1, 2> y;
int main() {
  auto params = tg::parameters<float>(x * W);
#ifdef TYPEGRAD_TWIN
  const auto text = tg::emit_c(x * W, params, "model");
#else
  const auto text = tg::emit_c(x * W + y, params, "model");  // <- error
#endif
  return text.empty() ? 1 : 0;
}

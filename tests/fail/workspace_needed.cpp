// expect-error: typegrad: this gradient program needs more stack than TYPEGRAD_STACK_WORKSPACE_LIMIT; pass a workspace
// expect-context: workspace_fits_on_the_stack<[0-9]+, 524288>
#include <typegrad/typegrad.hpp>

#include <memory>
namespace tg = typegrad;
constexpr std::size_t batch = 256;
constexpr tg::param<"W1", 784, 512> W1;
constexpr tg::param<"b1", 512> b1;
constexpr tg::param<"W2", 512, 512> W2;
constexpr tg::param<"b2", 512> b2;
constexpr tg::param<"W3", 512, 10> W3;
constexpr tg::param<"b3", 10> b3;
constexpr tg::input<"X", batch, 784> X;
constexpr tg::input<"Y", batch, 10> Y;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::relu(tg::relu(X * W1 + b1) * W2 + b2) * W3 + b3), Y));
constexpr auto step = tg::grad(loss);
int main() {
  auto params = std::make_unique<tg::parameters_t<float, decltype(loss)>>();
  auto data = std::make_unique<decltype(tg::bind(X = tg::tensor<float, batch, 784>{}, Y = tg::tensor<float, batch, 10>{}))>();
  const auto env = tg::join(*params, *data);
#ifdef TYPEGRAD_TWIN
  auto ws = std::make_unique<decltype(step)::workspace_type>();
  const auto& g = step(env, *ws);
#else
  const auto g = step(env);  // <- error
#endif
  return g.value > 0 ? 1 : 0;
}

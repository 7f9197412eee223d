// expect-error: typegrad: quantize_int8: an op of this model has no int8 form
// expect-context: op_has_int8_form<typegrad::map_op<typegrad::tanh_fn>, typegrad::shape<1, 3> ?>
#include <typegrad/quantize/int8.hpp>
#include <typegrad/typegrad.hpp>

#include <vector>
namespace tg = typegrad;
constexpr tg::param<"W", 2, 3> W;
constexpr tg::input<"X", 1, 2> X;
#ifdef TYPEGRAD_TWIN
constexpr auto model = tg::relu(X * W);
#else
constexpr auto model = tg::tanh(X * W);
#endif
int main() {
  const auto params = tg::parameters<float>(model);
  const std::vector<tg::tensor<float, 1, 2>> calibration(4);
  const auto q = tg::quantize_int8(model, params, calibration);  // <- error
  return q.input.zero_point == 0 ? 0 : 1;
}

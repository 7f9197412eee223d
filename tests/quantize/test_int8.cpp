// The int8 scheme against the numpy reference of its arithmetic
// (tests/reference/make_int8_reference.py), and quantize_int8 on models:
// agreement with the float model, dead units, and bad input.
#include <typegrad/quantize/int8.hpp>
#include <typegrad/typegrad.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <iterator>
#include <vector>

#include "../reference/int8_reference.hpp"

namespace tg = typegrad;
namespace fp = typegrad::fixed_point;
namespace ref = reference::int8;
using Catch::Matchers::Contains;

TEST_CASE("quantize_multiplier matches the reference", "[int8]") {
  for (std::size_t i = 0; i < std::size(ref::multiplier_reals); ++i) {
    INFO("real " << ref::multiplier_reals[i]);
    const auto m = fp::quantize_multiplier(ref::multiplier_reals[i]);
    CHECK(m.multiplier == ref::multiplier_values[i]);
    CHECK(m.shift == ref::multiplier_shifts[i]);
  }
}

TEST_CASE("requantisation matches the reference, ties and signs included", "[int8]") {
  for (std::size_t i = 0; i < std::size(ref::requantize_inputs); ++i) {
    INFO("x " << ref::requantize_inputs[i] << " multiplier " << ref::requantize_multipliers[i] << " shift "
              << ref::requantize_shifts[i]);
    CHECK(fp::multiply_by_quantized_multiplier(ref::requantize_inputs[i],
                                               {ref::requantize_multipliers[i], ref::requantize_shifts[i]}) ==
          ref::requantize_outputs[i]);
  }
  CHECK(fp::saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX);
  CHECK(fp::rounding_divide_by_pot(-3, 1) == -2);
  CHECK(fp::rounding_divide_by_pot(3, 1) == 2);
  CHECK(fp::rounding_divide_by_pot(-5, 2) == -1);
}

TEST_CASE("a dense layer matches the reference", "[int8]") {
  tg::int8_dense d;
  d.inputs = std::size(ref::dense_input);
  d.outputs = std::size(ref::dense_bias);
  d.weights.assign(std::begin(ref::dense_weights), std::end(ref::dense_weights));
  d.biases.assign(std::begin(ref::dense_bias), std::end(ref::dense_bias));
  for (std::size_t c = 0; c < d.outputs; ++c) d.requantize.push_back({ref::dense_multipliers[c], ref::dense_shifts[c]});
  d.input.zero_point = ref::dense_input_zero_point;
  d.output.zero_point = ref::dense_output_zero_point;
  d.low = ref::dense_output_zero_point;  // relu
  std::vector<std::int8_t> out(d.outputs);
  d.run(ref::dense_input, out.data());
  for (std::size_t c = 0; c < d.outputs; ++c) CHECK(std::int32_t{out[c]} == ref::dense_output[c]);
}

TEST_CASE("softmax matches the reference", "[int8]") {
  constexpr std::size_t n = 10;
  for (std::size_t r = 0; r < std::size(ref::softmax_scales); ++r) {
    INFO("row " << r << ", input scale " << ref::softmax_scales[r]);
    const auto p = fp::softmax_parameters_for(double(ref::softmax_scales[r]));
    CHECK(p.input_multiplier == ref::softmax_multipliers[r]);
    CHECK(p.input_left_shift == ref::softmax_left_shifts[r]);
    CHECK(p.diff_min == ref::softmax_diff_mins[r]);
    std::int8_t out[n];
    fp::softmax_int8(ref::softmax_inputs + r * n, out, n, p);
    for (std::size_t c = 0; c < n; ++c) CHECK(std::int32_t{out[c]} == ref::softmax_outputs[r * n + c]);
  }
}

TEST_CASE("activation ranges become scales and zero points as the converter nudges them", "[int8]") {
  for (std::size_t i = 0; i < std::size(ref::range_min); ++i) {
    INFO("range [" << ref::range_min[i] << ", " << ref::range_max[i] << "]");
    const auto q = tg::quantize_detail::activation_quantization(ref::range_min[i], ref::range_max[i]);
    CHECK(q.scale == ref::range_scale[i]);
    CHECK(q.zero_point == ref::range_zero_point[i]);
  }
}

namespace {
constexpr tg::param<"W1", 6, 5> W1;
constexpr tg::param<"b1", 5> b1;
constexpr tg::param<"W2", 5, 4> W2;
constexpr tg::param<"b2", 4> b2;
constexpr tg::param<"V", 4, 5> V;  // [out, in], used transposed
constexpr tg::input<"X", 1, 6> X;
constexpr tg::input<"B", 3, 6> B;  // a model of three examples at a time
constexpr auto logits = tg::relu(X * W1 + b1) * W2 + b2;

template <class Model>
auto trained_params(const Model& model, std::uint64_t seed) {
  auto params = tg::parameters<float>(model);
  tg::random_engine rng(seed);
  tg::initialize(params, rng, tg::init::he_uniform{});
  return params;
}

std::vector<tg::tensor<float, 1, 6>> examples(std::size_t count, std::uint64_t seed) {
  tg::random_engine rng(seed);
  std::vector<tg::tensor<float, 1, 6>> out(count);
  for (auto& t : out) tg::init::uniform{-1, 1}(t, rng);
  return out;
}

// The int8 model, dequantised, within `steps` output scales of the float
// model on its calibration examples (where no activation saturates, so the
// difference is rounding alone).
template <class Model, class Params, class Q>
void check_close(const Model& model, const Params& params, const Q& q, const std::vector<tg::tensor<float, 1, 6>>& calibration,
                 double steps) {
  double worst = 0;
  for (const auto& x : calibration) {
    const auto want = tg::eval(model, params, tg::bind(X = x));
    const auto got = q.eval(x.data());
    for (std::size_t i = 0; i < Q::output_size; ++i) worst = std::max(worst, std::abs(double(got[i]) - double(want[i])));
  }
  INFO("worst error " << worst << ", output scale " << q.output.scale);
  CHECK(worst <= steps * q.output.scale);
}
}  // namespace

TEST_CASE("quantize_int8: a relu MLP stays within a few output steps of float", "[int8]") {
  const auto params = trained_params(logits, 5);
  const auto calibration = examples(300, 7);
  const auto q = tg::quantize_int8(logits, params, calibration);
  REQUIRE(q.layers.size() == 2);
  const auto& first = std::get<tg::int8_dense>(q.layers[0]);
  CHECK(first.low == std::max(-128, first.output.zero_point));  // relu fused as the clamp
  for (std::int8_t w : first.weights) CHECK(w >= -127);
  check_close(logits, params, q, calibration, 6);
  // The predicted class agrees with float's wherever float's margin is wide.
  for (const auto& x : examples(200, 3)) {
    const auto f = tg::eval(logits, params, tg::bind(X = x));
    auto sorted = std::vector<float>(f.begin(), f.end());
    std::sort(sorted.rbegin(), sorted.rend());
    if (sorted[0] - sorted[1] > 8 * q.output.scale) CHECK(q.predict(x) == tg::argmax(f.data(), 4));
  }
}

TEST_CASE("quantize_int8: transposed weights, a relu of its own, softmax, a batch model", "[int8]") {
  constexpr auto model = tg::softmax(tg::relu(X) * W1 * tg::transpose(V) + b2);
  const auto params = trained_params(model, 11);
  const auto calibration = examples(300, 8);
  const auto q = tg::quantize_int8(model, params, calibration);
  REQUIRE(q.layers.size() == 4);  // relu, dense (no bias), dense, softmax
  CHECK(std::holds_alternative<tg::int8_clamp>(q.layers[0]));
  CHECK(std::holds_alternative<tg::int8_softmax>(q.layers[3]));
  CHECK(q.output.scale == 1.0f / 256);
  CHECK(q.output.zero_point == -128);
  check_close(model, params, q, calibration, 3);

  // The same model at batch 3 quantises to the same int8 model.
  constexpr auto batched = tg::softmax(tg::relu(B) * W1 * tg::transpose(V) + b2);
  const auto qb = tg::quantize_int8(batched, params, examples(300, 8));
  CHECK(qb.input.scale == q.input.scale);
  CHECK(std::get<tg::int8_dense>(qb.layers[2]).weights == std::get<tg::int8_dense>(q.layers[2]).weights);
  CHECK(std::get<tg::int8_dense>(qb.layers[2]).requantize == std::get<tg::int8_dense>(q.layers[2]).requantize);
}

TEST_CASE("quantize_int8: relu6 fuses as a clamp at both ends, or stands alone", "[int8]") {
  constexpr auto model = tg::relu6(tg::relu6(X * W1 + b1) * W2 + b2);
  auto params = trained_params(model, 5);
  for (auto& v : params[W1]) v *= 8;  // pre-activations well past 6
  const auto calibration = examples(300, 7);
  const auto q = tg::quantize_int8(model, params, calibration);
  REQUIRE(q.layers.size() == 2);
  for (const auto& layer : q.layers) {
    const auto& d = std::get<tg::int8_dense>(layer);
    // The clamp is [0, 6] quantised; the range saw both ends, so it spans [-128, 127].
    CHECK(d.low == d.output.zero_point);
    CHECK(d.high == std::min(127, d.output.zero_point + int(std::round(6.0f / d.output.scale))));
  }
  check_close(model, params, q, calibration, 6);
  for (const auto& x : calibration) CHECK(q.eval(x.data())[0] <= 6.0f + q.output.scale / 2);

  constexpr auto alone = tg::relu6(X) * W1 + b1;
  const auto wide = examples(50, 3);  // inputs in [-1, 1]: relu6 clamps at 0 only
  const auto qa = tg::quantize_int8(alone, trained_params(alone, 2), wide);
  const auto& clamp = std::get<tg::int8_clamp>(qa.layers[0]);
  CHECK(clamp.low == qa.input.zero_point);
  CHECK(clamp.high == 127);  // 6 is beyond the input's range
}

TEST_CASE("quantize_int8: dead units have a zero-width range and no division by zero", "[int8]") {
  auto params = trained_params(logits, 5);
  for (std::size_t k = 0; k < 6; ++k) params[W1](k, 2) = 0;  // unit 2: a channel of zeros
  SECTION("one dead unit") {
    params[b1][2] = -1;
    const auto calibration = examples(100, 7);
    const auto q = tg::quantize_int8(logits, params, calibration);
    const auto& first = std::get<tg::int8_dense>(q.layers[0]);
    CHECK(first.weight_scales[2] == 1.0f);
    check_close(logits, params, q, calibration, 6);
  }
  SECTION("a whole dead layer: its output is always 0") {
    for (auto& v : params[W1]) v = 0;
    for (auto& v : params[b1]) v = -1;
    const auto q = tg::quantize_int8(logits, params, examples(100, 7));
    const auto& first = std::get<tg::int8_dense>(q.layers[0]);
    CHECK(first.output.scale == 1.0f);
    CHECK(first.output.zero_point == -128);
    const auto y = q.eval(examples(1, 1)[0].data());
    for (std::size_t i = 0; i < 4; ++i) CHECK(std::abs(y[i] - params[b2][i]) <= q.output.scale);
  }
}

TEST_CASE("quantize_int8: bad calibration data and parameters are errors naming what is wrong", "[int8]") {
  auto params = trained_params(logits, 5);

  CHECK_THROWS_WITH(tg::quantize_int8(logits, params, std::vector<tg::tensor<float, 1, 6>>{}),
                    Contains("calibration set is empty"));
  auto with_nan = examples(10, 1);
  with_nan[4][3] = std::nanf("");
  CHECK_THROWS_WITH(tg::quantize_int8(logits, params, with_nan), Contains("calibration example 4: element 3 is nan"));
  params[W2](1, 1) = INFINITY;
  CHECK_THROWS_AS(tg::quantize_int8(logits, params, examples(10, 1)), tg::data_error);
  params[W2](1, 1) = 0;
  params[b2][1] = std::nanf("");
  CHECK_THROWS_WITH(tg::quantize_int8(logits, params, examples(10, 1)), Contains("layer 2"));
}

TEST_CASE("int8 inputs saturate, and a NaN input is an error", "[int8]") {
  const auto params = trained_params(logits, 5);
  const auto q = tg::quantize_int8(logits, params, examples(50, 7));
  const float wild[6] = {1e30f, -1e30f, INFINITY, -INFINITY, 0.0f, 0.5f};
  std::int8_t quantized[6];
  q.quantize_input(wild, quantized);
  CHECK(quantized[0] == 127);
  CHECK(quantized[1] == -128);
  CHECK(quantized[2] == 127);
  CHECK(quantized[3] == -128);
  CHECK(quantized[4] == q.input.zero_point);
  float with_nan[6] = {0, 0, 0, std::nanf(""), 0, 0};
  CHECK_THROWS_WITH(q.predict(with_nan), Contains("input element 3 is nan"));
}

TEST_CASE("quantize_int8 takes a double parameter set and double examples", "[int8]") {
  auto params = tg::parameters<double>(logits);
  const auto float_params = trained_params(logits, 5);
  // The same values, held in double.
  std::copy_n(float_params[W1].data(), 30, params[W1].data());
  std::copy_n(float_params[W2].data(), 20, params[W2].data());
  std::vector<tg::tensor<double, 1, 6>> calibration;
  for (const auto& x : examples(100, 7)) {
    tg::tensor<double, 1, 6> d;
    for (std::size_t i = 0; i < 6; ++i) d[i] = x[i];
    calibration.push_back(d);
  }
  const auto qd = tg::quantize_int8(logits, params, calibration);
  const auto qf = tg::quantize_int8(logits, float_params, examples(100, 7));
  CHECK(std::get<tg::int8_dense>(qd.layers[0]).weights == std::get<tg::int8_dense>(qf.layers[0]).weights);
  for (std::size_t r = 0; r < calibration.size(); ++r) CHECK(qd.predict(calibration[r]) == qf.predict(examples(100, 7)[r]));
}

TEST_CASE("quantize_int8 reads a dataset and batches of examples alike", "[int8]") {
  const auto params = trained_params(logits, 5);
  const auto rows = examples(64, 7);
  tg::dataset<float, 6, 1> data;
  std::vector<tg::tensor<float, 8, 6>> batches(8);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const float label = 0;
    data.add(rows[r].data(), &label);
    std::copy_n(rows[r].data(), 6, batches[r / 8].data() + (r % 8) * 6);
  }
  const auto a = tg::quantize_int8(logits, params, rows);
  const auto b = tg::quantize_int8(logits, params, data);
  const auto c = tg::quantize_int8(logits, params, batches);
  for (const auto* q : {&b, &c}) {
    CHECK(q->input.scale == a.input.scale);
    CHECK(q->output.scale == a.output.scale);
    CHECK(std::get<tg::int8_dense>(q->layers[1]).biases == std::get<tg::int8_dense>(a.layers[1]).biases);
  }
}

TEST_CASE("emit_c of an int8 model states its constant and scratch bytes", "[int8]") {
  const auto params = trained_params(logits, 5);
  const auto q = tg::quantize_int8(logits, params, examples(50, 7));
  const std::string header = tg::emit_c(q, "tiny");
  // weights 30 + 20, biases, multipliers and shifts 3 x 4 bytes per output channel.
  const std::size_t constants = 30 + 20 + 12 * (5 + 4);
  CHECK_THAT(header, Contains("#define TINY_CONSTANT_BYTES " + std::to_string(constants)));
  CHECK_THAT(header, Contains("#define TINY_SCRATCH_BYTES 5"));
  CHECK_THAT(header, !Contains("float tiny_W"));
  CHECK_THROWS_AS(tg::emit_c(q, "not a name"), std::invalid_argument);
}

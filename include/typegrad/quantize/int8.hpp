#pragma once
// Post-training int8 quantisation in TensorFlow Lite's int8 scheme, an
// integer simulator of the quantised model, and its emission as integer-only
// C99 (emit_c on an int8_model).
//
//   auto q = tg::quantize_int8(logits<1>, params, calibration);   // a dataset, or a range of examples
//   q.predict(x)                       the class, from int8 logits, exactly as the device computes it
//   tg::emit_c(q, "model")             the C99 header
//
// The scheme (docs/deploy.md, "Microcontrollers"):
// - weights int8 in [-127, 127], symmetric, one scale per output channel;
// - biases int32 with scale input scale × weight scale, zero point 0;
// - activations int8, one scale and zero point per tensor, from the min and
//   max seen on the calibration set (widened to hold 0), nudged as TFLite's
//   converter does;
// - requantisation by a 32-bit multiplier and shift (fixed_point.hpp);
// - relu and relu6 fused into the preceding layer as a clamp; softmax in fixed point,
//   output scale 1/256, zero point -128.
//
// A model is lowered at compile time, from its canonical form, into a chain
// of int8 layers: x * W and x * W + b with params W [in, out] and b [out]
// (a dense layer), relu, relu6, softmax. Any other op is a typegrad: error naming it.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <typegrad/core/code.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/data/csv.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/eval/evaluate.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/inspect/emit_c.hpp>
#include <typegrad/inspect/print.hpp>
#include <typegrad/ops/elementwise.hpp>
#include <typegrad/ops/linear.hpp>
#include <typegrad/ops/softmax.hpp>
#include <typegrad/quantize/fixed_point.hpp>
#include <typegrad/train/metrics.hpp>

namespace typegrad {

// real = scale × (q − zero_point)
struct int8_quantization {
  float scale = 1.0f;
  std::int32_t zero_point = 0;

  // As TFLite Micro's Quantize: round(x / scale) in float, then the zero
  // point, saturated (infinities too). NaN has no int8 value: the caller
  // decides (int8_model throws; the emitted C helper counts it).
  std::int8_t quantize(double real) const {
    const float scaled = static_cast<float>(real) / scale;
    const double q = std::round(static_cast<double>(scaled)) + zero_point;
    return static_cast<std::int8_t>(std::clamp(q, -128.0, 127.0));
  }
  float dequantize(std::int8_t q) const { return scale * static_cast<float>(std::int32_t{q} - zero_point); }
};

namespace quantize_detail {

// The calibration range [min, max] of one tensor as TFLite's converter turns
// it into int8 parameters: widened to hold 0, the zero point nudged to an
// integer. A range of zero width (every value 0: a dead unit) gets scale 1
// and zero point -128, as the converter does for an all-zero tensor.
inline int8_quantization activation_quantization(double min, double max) {
  min = std::min(min, 0.0);
  max = std::max(max, 0.0);
  if (max - min < std::numeric_limits<double>::epsilon()) return {1.0f, -128};
  constexpr double qmin = -128, qmax = 127;
  const double scale = (max - min) / (qmax - qmin);
  const double from_min = qmin - min / scale, from_min_error = std::abs(qmin) + std::abs(min / scale);
  const double from_max = qmax - max / scale, from_max_error = std::abs(qmax) + std::abs(max / scale);
  const double zero_point = from_min_error < from_max_error ? from_min : from_max;
  return {static_cast<float>(scale), static_cast<std::int32_t>(std::clamp(std::round(zero_point), qmin, qmax))};
}

inline std::string describe(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

}  // namespace quantize_detail

// ---- the int8 layers ----------------------------------------------------------------
// Each layer runs on the host (run) and writes its C (emit), side by side.

// Everything a layer's emitter writes into: the header's constant data and
// the statements of the model function.
struct int8_emission {
  std::string prefix;     // the model's name, for every name the header defines
  std::string constants;  // static const arrays
  std::string body;       // statements of PREFIX_with_scratch
  std::size_t constant_bytes = 0;
  bool uses_dense = false, uses_softmax = false;

  template <class T>
  void array(const std::string& type, const std::string& name, const std::vector<T>& values, const std::string& comment) {
    constants += "/* " + comment + " */\nstatic const " + type + " " + prefix + "_" + name + "[" +
                 inspect::num(values.size()) + "] = {";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i % 16 == 0) constants += "\n  ";
      // INT32_MIN has no decimal literal of type int32_t in C; spell it as an expression.
      if constexpr (same_type<T, std::int32_t>)
        constants += values[i] == std::numeric_limits<std::int32_t>::min() ? std::string("INT32_MIN")
                                                                             : std::to_string(values[i]);
      else
        constants += std::to_string(values[i]);
      constants += i + 1 < values.size() ? "," : "";
    }
    constants += "};\n";
    constant_bytes += values.size() * sizeof(T);
  }
};

// y = clamp(requantize(b + Σ_k W[c][k] (x[k] − zx)) + zy): a dense layer,
// relu or relu6 fused as the clamp.
struct int8_dense {
  std::string weight_name, bias_name;  // the params' terminals ("" without a bias)
  std::size_t inputs = 0, outputs = 0;
  std::vector<std::int8_t> weights;    // [outputs][inputs]: one row per output channel
  std::vector<float> weight_scales;    // per output channel
  std::vector<std::int32_t> biases;    // scale input × weight scale
  std::vector<fixed_point::quantized_multiplier> requantize;
  int8_quantization input, output;
  std::int32_t low = -128, high = 127;  // the clamp

  std::size_t output_size() const { return outputs; }
  void run(const std::int8_t* in, std::int8_t* out) const {
    for (std::size_t c = 0; c < outputs; ++c) {
      std::int32_t acc = biases[c];
      const std::int8_t* w = weights.data() + c * inputs;
      for (std::size_t k = 0; k < inputs; ++k) acc += std::int32_t{w[k]} * (std::int32_t{in[k]} - input.zero_point);
      acc = fixed_point::multiply_by_quantized_multiplier(acc, requantize[c]) + output.zero_point;
      out[c] = static_cast<std::int8_t>(std::clamp(acc, low, high));
    }
  }

  // The emitted form folds the input's zero point into the bias,
  // b − zx Σ_k W[c][k], so that the inner loop is a plain int8 dot product:
  // the same integers, fewer instructions per multiply-accumulate.
  void emit(int8_emission& e, const std::string& in, const std::string& out) const {
    e.uses_dense = true;
    std::vector<std::int32_t> folded(outputs), multipliers(outputs), shifts(outputs);
    for (std::size_t c = 0; c < outputs; ++c) {
      std::int64_t sum = 0;
      for (std::size_t k = 0; k < inputs; ++k) sum += weights[c * inputs + k];
      folded[c] = static_cast<std::int32_t>(biases[c] - std::int64_t{input.zero_point} * sum);
      multipliers[c] = requantize[c].multiplier;
      shifts[c] = requantize[c].shift;
    }
    const std::string shape = "[" + inspect::num(outputs) + "][" + inspect::num(inputs) + "]";
    e.array("int8_t", weight_name, weights,
            weight_name + ": " + shape + ", a row per output channel; scale per channel, zero point 0");
    e.array("int32_t", weight_name + "_bias", folded,
            (bias_name.empty() ? std::string("no bias") : bias_name) + " in int32 (scale input x weight), minus " +
                std::to_string(input.zero_point) + " x the row sums of " + weight_name);
    e.array("int32_t", weight_name + "_multiplier", multipliers, "requantisation multipliers of " + weight_name);
    e.array("int32_t", weight_name + "_shift", shifts, "and their shifts");
    const std::string p = e.prefix + "_";
    e.body += "  " + p + "dense(" + in + ", " + p + weight_name + ", " + p + weight_name + "_bias, " + p + weight_name +
              "_multiplier, " + p + weight_name + "_shift, " + inspect::num(inputs) + ", " + inspect::num(outputs) +
              ", " + std::to_string(output.zero_point) + ", " + std::to_string(low) + ", " + std::to_string(high) + ", " +
              out + ");\n";
  }
  // The kernel every dense layer calls, in C.
  static constexpr std::string_view kernel_c = R"(static inline int8_t PREFIX_output(int32_t acc, int32_t multiplier, int shift, int32_t zero_point,
                                   int32_t low, int32_t high) {
  acc = PREFIX_requantize(acc, multiplier, shift) + zero_point;
  return (int8_t)(acc < low ? low : (acc > high ? high : acc));
}
static void PREFIX_dense(const int8_t* restrict in, const int8_t* restrict weights,
                         const int32_t* restrict bias, const int32_t* restrict multiplier,
                         const int32_t* restrict shift, int inputs, int outputs, int32_t zero_point, int32_t low,
                         int32_t high, int8_t* restrict out) {
  int c = 0, k;
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
  /* Helium (M55, M85): 16 int8 multiply-accumulates per VMLADAVA. */
  for (; c < outputs; ++c) {
    const int8_t* w = weights + c * inputs;
    int32_t acc = bias[c];
    for (k = 0; k + 16 <= inputs; k += 16) acc = vmladavaq_s8(acc, vld1q_s8(in + k), vld1q_s8(w + k));
    for (; k < inputs; ++k) acc += (int32_t)in[k] * w[k];
    out[c] = PREFIX_output(acc, multiplier[c], shift[c], zero_point, low, high);
  }
#elif defined(__ARM_FEATURE_DSP)
  /* Two output channels at a time share each word of input: bytes 0 and 2,
     then 1 and 3, widened to 16-bit pairs (SXTB16) and multiplied-accumulated
     two at a time (SMLAD). The same integers as the loop below. */
  for (; c + 2 <= outputs; c += 2) {
    const int8_t* w0 = weights + c * inputs;
    const int8_t* w1 = w0 + inputs;
    int32_t acc0 = bias[c], acc1 = bias[c + 1];
    for (k = 0; k + 4 <= inputs; k += 4) {
      uint32_t x, y0, y1;
      int32_t even, odd;
      memcpy(&x, in + k, 4);
      memcpy(&y0, w0 + k, 4);
      memcpy(&y1, w1 + k, 4);
      even = __sxtb16(x);
      odd = __sxtb16((x >> 8) | (x << 24));
      acc0 = __smlad(even, __sxtb16(y0), acc0);
      acc0 = __smlad(odd, __sxtb16((y0 >> 8) | (y0 << 24)), acc0);
      acc1 = __smlad(even, __sxtb16(y1), acc1);
      acc1 = __smlad(odd, __sxtb16((y1 >> 8) | (y1 << 24)), acc1);
    }
    for (; k < inputs; ++k) {
      acc0 += (int32_t)in[k] * w0[k];
      acc1 += (int32_t)in[k] * w1[k];
    }
    out[c] = PREFIX_output(acc0, multiplier[c], shift[c], zero_point, low, high);
    out[c + 1] = PREFIX_output(acc1, multiplier[c + 1], shift[c + 1], zero_point, low, high);
  }
#endif
  for (; c < outputs; ++c) {
    const int8_t* w = weights + c * inputs;
    int32_t acc = bias[c];
    for (k = 0; k < inputs; ++k) acc += (int32_t)in[k] * w[k];
    out[c] = PREFIX_output(acc, multiplier[c], shift[c], zero_point, low, high);
  }
}
)";
};

// relu or relu6 on its own (not after a dense layer): a clamp; the scale is
// unchanged.
struct int8_clamp {
  std::size_t size = 0;
  std::int32_t low = -128, high = 127;
  int8_quantization input, output;
  std::size_t output_size() const { return size; }
  void run(const std::int8_t* in, std::int8_t* out) const {
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::int8_t>(std::clamp<std::int32_t>(in[i], low, high));
  }
  void emit(int8_emission& e, const std::string& in, const std::string& out) const {
    // Only the bounds inside int8's range: comparing an int8 with -128 or 127
    // is always false (and -Wtype-limits says so).
    std::string value = in + "[i]";
    if (high < 127) value = in + "[i] > " + std::to_string(high) + " ? " + std::to_string(high) + " : " + value;
    if (low > -128) value = in + "[i] < " + std::to_string(low) + " ? " + std::to_string(low) + " : (" + value + ")";
    e.body += "  { int i; for (i = 0; i < " + inspect::num(size) + "; ++i) " + out + "[i] = (int8_t)(" + value + "); }\n";
  }
};

// softmax over the example's row, in fixed point (fixed_point.hpp).
struct int8_softmax {
  std::size_t size = 0;
  fixed_point::softmax_parameters parameters;
  int8_quantization input, output{1.0f / 256, -128};
  std::size_t output_size() const { return size; }
  void run(const std::int8_t* in, std::int8_t* out) const { fixed_point::softmax_int8(in, out, size, parameters); }
  void emit(int8_emission& e, const std::string& in, const std::string& out) const {
    e.uses_softmax = true;
    e.body += "  " + e.prefix + "_softmax(" + in + ", " + out + ", " + inspect::num(size) + ", " +
              std::to_string(parameters.input_multiplier) + ", " + std::to_string(parameters.input_left_shift) + ", " +
              std::to_string(parameters.diff_min) + ");\n";
  }
};

using int8_layer = std::variant<int8_dense, int8_clamp, int8_softmax>;

// A quantised model of one example: In int8 inputs, Out int8 outputs, no
// layer wider than Width. The integer path (run) is what the emitted C
// computes, bit for bit.
template <std::size_t In, std::size_t Out, std::size_t Width>
struct int8_model {
  static constexpr std::size_t input_size = In, output_size = Out, width = Width;
  std::vector<int8_layer> layers;
  int8_quantization input, output;
  std::string description;  // the float model, as to_string prints it

  // Throws tg::data_error for a NaN input, which has no int8 value.
  // x: float or double (as the parameter set), quantised through float.
  template <class T>
  void quantize_input(const T* x, std::int8_t* q) const {
    for (std::size_t i = 0; i < In; ++i) {
      if (std::isnan(x[i]))
        throw data_error("int8_model: input element " + std::to_string(i) + " is nan, which has no int8 value");
      q[i] = input.quantize(x[i]);
    }
  }
  void dequantize_output(const std::int8_t* q, float* y) const {
    for (std::size_t i = 0; i < Out; ++i) y[i] = output.dequantize(q[i]);
  }
  // Integers only, as on the device.
  void run(const std::int8_t* in, std::int8_t* out) const {
    // Every layer writes a buffer of the widest layer's size, the last
    // copied out. (Rounded up to 64 bytes: g++ cannot see that a layer's
    // run-time size fits, and warns of its vector loop on a smaller array.)
    std::array<std::int8_t, (Width + 63) / 64 * 64> buffers[2];
    const std::int8_t* from = in;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      std::int8_t* to = buffers[l % 2].data();
      std::visit([&](const auto& layer) { layer.run(from, to); }, layers[l]);
      from = to;
    }
    std::copy_n(from, Out, out);
  }
  template <class T>
  std::array<std::int8_t, Out> eval_int8(const T* x) const {
    std::array<std::int8_t, In> q;
    quantize_input(x, q.data());
    std::array<std::int8_t, Out> y;
    run(q.data(), y.data());
    return y;
  }
  template <class T>
  std::array<float, Out> eval(const T* x) const {
    const auto q = eval_int8(x);
    std::array<float, Out> y;
    dequantize_output(q.data(), y.data());
    return y;
  }
  // Bytes of constant data in the emitted header: int8 weights, int32
  // biases, multipliers and shifts (what its NAME_CONSTANT_BYTES states).
  std::size_t constant_bytes() const {
    int8_emission e;
    for (const auto& l : layers) std::visit([&](const auto& layer) { layer.emit(e, "in", "out"); }, l);
    return e.constant_bytes;
  }
  // The class: argmax of the int8 outputs (the first on ties).
  template <class T>
    requires std::is_arithmetic_v<T>
  std::size_t predict(const T* x) const {
    const auto q = eval_int8(x);
    return argmax(q.data(), Out);
  }
  template <class Tensor>
    requires requires(const Tensor& t) { t.data(); }
  std::size_t predict(const Tensor& x) const {
    static_assert(diagnostics::example_matches_int8_input<typename Tensor::shape_type, In>::value,
                  "typegrad: int8_model::predict needs one example of the model's input size");
    return predict(x.data());
  }
};

// ---- lowering a model to int8 layers, at compile time ----------------------------------
namespace quantize_detail {

// A layer recipe: the node whose value is the layer's output, and what to
// build from.
template <class Node, class W, class B, bool TransposedW, class Activation>
struct dense_recipe {
  using node = Node;
};
template <class Node, class Activation>
struct clamp_recipe {
  using node = Node;
};
template <class Node>
struct softmax_recipe {
  using node = Node;
};

template <class List, class R>
struct push_back {
  using type = List;  // R is void: nothing to add
};
template <class... L, class R>
  requires(!std::is_void_v<R>)
struct push_back<type_list<L...>, R> {
  using type = type_list<L..., R>;
};

// lowering<E>: the recipes computing E from the input (before, then last),
// the input terminal, or the first node with no int8 form (culprit).
template <class E>
struct lowering {
  using culprit = E;
  using before = type_list<>;
  using last = void;
  using input = void;
};
template <fixed_string N, class S>
struct lowering<leaf_expr<input_leaf<N, S>>> {
  using culprit = void;
  using before = type_list<>;
  using last = void;
  using input = leaf_expr<input_leaf<N, S>>;
};
template <class L>
using layers_of = typename push_back<typename L::before, typename L::last>::type;

template <class Inner, class Recipe>
struct extended {
  using culprit = typename Inner::culprit;
  using before = layers_of<Inner>;
  using last = Recipe;
  using input = typename Inner::input;
};

template <class E>
concept param_expression = leaf_expression<E> && is_param_leaf_v<leaf_of_t<E>>;
template <class W>
concept dense_weights = param_expression<W> && shape_of_t<W>::rank == 2;
template <class B>
concept dense_bias = param_expression<B> && shape_of_t<B>::rank == 1;

template <bool TB, class X, class W>
  requires dense_weights<W> && (shape_of_t<X>::rank == 2)
struct lowering<node<matmul_op<false, TB>, X, W>>
    : extended<lowering<X>, dense_recipe<node<matmul_op<false, TB>, X, W>, W, void, TB, void>> {};
template <bool TB, class X, class W, class B>
  requires dense_weights<W> && dense_bias<B> && (shape_of_t<X>::rank == 2)
struct lowering<node<add_op, node<matmul_op<false, TB>, X, W>, B>>
    : extended<lowering<X>, dense_recipe<node<add_op, node<matmul_op<false, TB>, X, W>, B>, W, B, TB, void>> {};

// relu or relu6 right after a dense layer is its clamp; elsewhere a layer of
// its own.
template <class F>
concept clamping = same_type<F, relu_fn> || same_type<F, relu6_fn>;
template <class Inner, class Node, class F, class Last = typename Inner::last>
struct activation_lowering : extended<Inner, clamp_recipe<Node, F>> {};
template <class Inner, class Node, class F, class Dense, class W, class B, bool TB>
struct activation_lowering<Inner, Node, F, dense_recipe<Dense, W, B, TB, void>> {
  using culprit = typename Inner::culprit;
  using before = typename Inner::before;
  using last = dense_recipe<Node, W, B, TB, F>;
  using input = typename Inner::input;
};
template <clamping F, class X>
struct lowering<node<map_op<F>, X>> : activation_lowering<lowering<X>, node<map_op<F>, X>, F> {};
template <class X>
struct lowering<node<softmax_op, X>> : extended<lowering<X>, softmax_recipe<node<softmax_op, X>>> {};

template <class Culprit>
struct culprit_op {
  using type = Culprit;  // a terminal
};
template <class Op, class... C>
struct culprit_op<node<Op, C...>> {
  using type = Op;
};

template <class... R>
constexpr std::size_t widest(type_list<R...>) {
  return std::max({std::size_t{1}, last_extent_v<shape_of_t<typename R::node>>...});
}

template <class T>
void check_finite(const T* values, std::size_t n, const std::string& what) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(static_cast<double>(values[i])))
      throw data_error("quantize_int8: " + what + " element " + std::to_string(i) + " is " +
                       describe(static_cast<double>(values[i])) + "; an int8 model needs finite values");
}

// Calls f(row, index) for each example of a calibration set: a dataset
// (rows() and input_row(r)), or a range of tensors, each holding one example
// or a batch of them (any multiple of the example's size).
template <std::size_t Features, class Calibration, class F>
void for_each_example(const Calibration& calibration, F&& f) {
  std::size_t index = 0;
  if constexpr (requires { calibration.rows(); calibration.input_row(std::size_t{}); }) {
    for (std::size_t r = 0; r < calibration.rows(); ++r) f(calibration.input_row(r), index++);
  } else {
    for (const auto& t : calibration) {
      using tensor_type = std::remove_cvref_t<decltype(t)>;
      static_assert(diagnostics::calibration_holds_whole_examples<typename tensor_type::shape_type, Features>::value,
                    "typegrad: quantize_int8: each calibration tensor must hold whole examples of the model's input");
      for (std::size_t r = 0; r < tensor_type::size / Features; ++r) f(t.data() + r * Features, index++);
    }
  }
}

struct range {
  double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();
};

template <class Recipe>
struct builder;

// The clamp of an activation on an int8 tensor, as TFLite's
// CalculateActivationRangeQuantized: its bounds quantised, within [-128, 127].
template <class Activation>
std::pair<std::int32_t, std::int32_t> activation_clamp(const int8_quantization& q) {
  auto quantized = [&](float real) { return q.zero_point + static_cast<std::int32_t>(std::round(real / q.scale)); };
  if constexpr (same_type<Activation, relu_fn>) return {std::max(-128, quantized(0.0f)), 127};
  else if constexpr (same_type<Activation, relu6_fn>) return {std::max(-128, quantized(0.0f)), std::min(127, quantized(6.0f))};
  else return {-128, 127};
}

template <class Node, class W, class B, bool TB, class Activation>
struct builder<dense_recipe<Node, W, B, TB, Activation>> {
  template <class Params>
  static int8_layer build(const Params& params, const int8_quantization& in, const range& r) {
    using wshape = shape_of_t<W>;
    constexpr std::size_t inputs = TB ? wshape::dims[1] : wshape::dims[0];
    constexpr std::size_t outputs = TB ? wshape::dims[0] : wshape::dims[1];
    const auto& w = params.template lookup<leaf_of_t<W>>();
    int8_dense d;
    d.weight_name = std::string(leaf_of_t<W>::name.view());
    d.inputs = inputs;
    d.outputs = outputs;
    check_finite(w.data(), wshape::size, "tensor '" + d.weight_name + "'");
    d.input = in;
    d.output = activation_quantization(r.min, r.max);
    std::tie(d.low, d.high) = activation_clamp<Activation>(d.output);
    d.weights.resize(inputs * outputs);
    d.weight_scales.resize(outputs);
    d.biases.assign(outputs, 0);
    d.requantize.resize(outputs);
    auto weight = [&](std::size_t c, std::size_t k) { return static_cast<double>(TB ? w[c * inputs + k] : w[k * outputs + c]); };
    for (std::size_t c = 0; c < outputs; ++c) {
      double largest = 0;
      for (std::size_t k = 0; k < inputs; ++k) largest = std::max(largest, std::abs(weight(c, k)));
      // A channel of zeros (a dead unit) has no range; any scale holds it exactly.
      const float scale = largest == 0 ? 1.0f : static_cast<float>(largest / 127);
      d.weight_scales[c] = scale;
      for (std::size_t k = 0; k < inputs; ++k)
        d.weights[c * inputs + k] =
            static_cast<std::int8_t>(std::clamp(std::round(weight(c, k) / double(scale)), -127.0, 127.0));
      d.requantize[c] = fixed_point::quantize_multiplier(double(in.scale) * double(scale) / double(d.output.scale));
    }
    if constexpr (!std::is_void_v<B>) {
      d.bias_name = std::string(leaf_of_t<B>::name.view());
      const auto& b = params.template lookup<leaf_of_t<B>>();
      check_finite(b.data(), outputs, "tensor '" + d.bias_name + "'");
      for (std::size_t c = 0; c < outputs; ++c) {
        const double q = std::round(static_cast<double>(b[c]) / (double(in.scale) * double(d.weight_scales[c])));
        if (!(std::abs(q) < 2147483647.0))
          throw data_error("quantize_int8: tensor '" + d.bias_name + "' element " + std::to_string(c) + " is " +
                           describe(static_cast<double>(b[c])) + ", beyond int32 at scale input x weight");
        d.biases[c] = static_cast<std::int32_t>(q);
      }
    }
    return d;
  }
};
template <class Node, class Activation>
struct builder<clamp_recipe<Node, Activation>> {
  template <class Params>
  static int8_layer build(const Params&, const int8_quantization& in, const range&) {
    int8_clamp l;
    l.size = last_extent_v<shape_of_t<Node>>;
    l.input = l.output = in;
    std::tie(l.low, l.high) = activation_clamp<Activation>(in);
    return l;
  }
};
template <class Node>
struct builder<softmax_recipe<Node>> {
  template <class Params>
  static int8_layer build(const Params&, const int8_quantization& in, const range&) {
    int8_softmax l;
    l.size = last_extent_v<shape_of_t<Node>>;
    l.input = in;
    l.parameters = fixed_point::softmax_parameters_for(double(in.scale));
    if (l.parameters.input_left_shift < 0)
      throw data_error("quantize_int8: softmax's input scale " + describe(double(in.scale)) +
                       " is below 2^-26, where TFLite's int8 softmax has no multiplier");
    return l;
  }
};

template <class Layer>
const int8_quantization& output_of(const Layer& l) {
  return l.output;
}

// Widens ranges[layer] to the values of one recipe's output on the first
// `filled` rows of the bound batch. (Free functions rather than nested
// generic lambdas: clang 14 crashes on a pack expanded in a lambda within a
// lambda.)
template <class Recipe, class Params, class Data>
void record_range(const Params& params, const Data& data, range& r, std::size_t layer, std::size_t filled,
                  const std::size_t* example_of) {
  using node = typename Recipe::node;
  auto ws = std::make_unique<eval_workspace_t<node>>();
  const auto& y = eval(node{}, join(params, data), *ws);
  constexpr std::size_t width = last_extent_v<shape_of_t<node>>;
  for (std::size_t row = 0; row < filled; ++row)
    for (std::size_t i = 0; i < width; ++i) {
      const double v = static_cast<double>(y[row * width + i]);
      if (!std::isfinite(v))
        throw data_error("quantize_int8: calibration example " + std::to_string(example_of[row]) + ": layer " +
                         std::to_string(layer) + " (" + to_string(node{}) + ") gives " + describe(v) + " at " +
                         std::to_string(i));
      r.min = std::min(r.min, v);
      r.max = std::max(r.max, v);
    }
}
template <class... R, class Params, class Data>
void record_ranges(type_list<R...>, const Params& params, const Data& data, range* ranges, std::size_t filled,
                   const std::size_t* example_of) {
  std::size_t layer = 1;
  ((record_range<R>(params, data, ranges[layer], layer, filled, example_of), ++layer), ...);
}
// The int8 layers, each built from the previous one's output quantisation.
template <class... R, class Params, std::size_t N>
int8_quantization build_layers(type_list<R...>, const Params& params, const int8_quantization& input,
                               const std::array<range, N>& ranges, std::vector<int8_layer>& layers) {
  int8_quantization current = input;
  std::size_t layer = 1;
  ((layers.push_back(builder<R>::build(params, current, ranges[layer++])),
    current = std::visit([](const auto& l) { return output_of(l); }, layers.back())),
   ...);
  return current;
}

}  // namespace quantize_detail

// Quantises a trained float model to int8 (the header's comment gives the
// scheme). `model` computes one example at a time, or a batch of them row by
// row; `calibration` is the data its activation ranges are read from: a
// dataset, or a range of tensors each holding whole examples. Throws
// tg::data_error, and builds nothing, for an empty calibration set or a
// non-finite value in it, in a parameter or in an activation.
// (auto: instantiated at the call, so a misuse shows the caller's line.)
template <expression Model, environment_type Params, class Calibration>
auto quantize_int8(const Model& model, const Params& params, const Calibration& calibration) {
  using root = canonical_t<Model>;
  using lowered = quantize_detail::lowering<root>;
  using culprit = typename lowered::culprit;
  if constexpr (!std::is_void_v<culprit>) {
    static_assert(diagnostics::op_has_int8_form<typename quantize_detail::culprit_op<culprit>::type, shape_of_t<culprit>>::value,
                  "typegrad: quantize_int8: an op of this model has no int8 form (int8 forms: x * W and x * W + b "
                  "with params W and b, relu, relu6, softmax)");
    return int8_model<1, 1, 1>{};
  } else {
    using input = typename lowered::input;
    using recipes = quantize_detail::layers_of<lowered>;
    using input_shape = shape_of_t<input>;
    constexpr std::size_t features = last_extent_v<input_shape>, batch = input_shape::size / features;
    constexpr std::size_t outputs = last_extent_v<shape_of_t<root>>;
    using result = int8_model<features, outputs, quantize_detail::widest(recipes{})>;
    using T = typename Params::scalar_type;

    // The ranges: the input's, then each layer's output, over every example.
    constexpr std::size_t layer_count = recipes::size;
    std::array<quantize_detail::range, layer_count + 1> ranges{};
    auto data = std::make_unique<decltype(bind(input{} = tensor_for_t<T, input_shape>{}))>();
    auto& x = (*data)[input{}];
    std::array<std::size_t, batch> example_of{};
    std::size_t filled = 0, examples = 0;
    auto run_batch = [&] {
      for (std::size_t r = filled; r < batch; ++r)  // pad a partial batch with its first row: the ranges stay
        std::copy_n(x.data(), features, x.data() + r * features);
      quantize_detail::record_ranges(recipes{}, params, *data, ranges.data(), filled, example_of.data());
      filled = 0;
    };
    quantize_detail::for_each_example<features>(calibration, [&](const auto* row, std::size_t index) {
      quantize_detail::check_finite(row, features, "calibration example " + std::to_string(index) + ":");
      for (std::size_t i = 0; i < features; ++i) {
        ranges[0].min = std::min(ranges[0].min, static_cast<double>(row[i]));
        ranges[0].max = std::max(ranges[0].max, static_cast<double>(row[i]));
        x[filled * features + i] = static_cast<T>(row[i]);
      }
      example_of[filled++] = index;
      ++examples;
      if (filled == batch) run_batch();
    });
    if (examples == 0) throw data_error("quantize_int8: the calibration set is empty; it needs at least one example");
    if (filled != 0) run_batch();

    result q;
    q.description = to_string(model);
    q.input = quantize_detail::activation_quantization(ranges[0].min, ranges[0].max);
    q.output = quantize_detail::build_layers(recipes{}, params, q.input, ranges, q.layers);
    return q;
  }
}

// ---- emission ---------------------------------------------------------------------
// The int8 model as one C99 header: int8 weights, int32 biases, multipliers
// and shifts as constants, integer-only inference. Float appears only in the
// optional helpers NAME_quantize_input and NAME_dequantize_output (define
// NAME_NO_FLOAT_HELPERS, in upper case, to leave them out). Throws
// std::invalid_argument for a name that is not a C identifier.
template <std::size_t In, std::size_t Out, std::size_t Width>
std::string emit_c(const int8_model<In, Out, Width>& model, std::string_view name) {
  if (!diagnostics::is_c_identifier(name))
    throw std::invalid_argument("emit_c: the name '" + std::string(name) + "' is not a C identifier");
  const std::string fn(name), upper = inspect::upper_case(fn);
  int8_emission e;
  e.prefix = fn;
  // Scratch by liveness: layer l writes a buffer that layer l + 1 reads; the
  // last writes `output`.
  const std::size_t count = model.layers.size();
  std::vector<std::size_t> sizes(count, 0), last_use(count, count);
  for (std::size_t l = 0; l + 1 < count; ++l) {
    sizes[l] = std::visit([](const auto& layer) { return std::size_t(layer.output_size()); }, model.layers[l]);
    last_use[l] = l + 1;
  }
  const inspect::scratch_plan plan = inspect::plan_scratch(sizes, last_use);
  std::string from = "input";
  for (std::size_t l = 0; l < count; ++l) {
    const std::string to = l + 1 == count ? std::string("output") : "t" + inspect::num(l + 1);
    if (l + 1 < count) e.body += "  int8_t* const " + to + " = scratch + " + inspect::num(plan.offset[l]) + ";\n";
    std::visit([&](const auto& layer) { layer.emit(e, from, to); }, model.layers[l]);
    from = to;
  }
  if (count == 0) e.body += "  memcpy(output, input, " + inspect::num(In) + ");\n";
  const std::size_t scratch = plan.size == 0 ? 1 : plan.size;

  std::string out;
  out += "/* Generated by typegrad::emit_c from an int8 model. Standalone C99: it needs <stdint.h> and <string.h>,\n";
  out += " * and <math.h> (link with -lm) only for the optional float helpers.\n";
  out += " * " + fn + "(input, output) computes " + model.description + "\n";
  out += " * for one example, quantised to int8 in TensorFlow Lite's int8 scheme, in integer arithmetic only:\n";
  auto real = [](const int8_quantization& q, std::string_view what) {
    const std::string offset = q.zero_point < 0 ? " + " + std::to_string(-q.zero_point) : " - " + std::to_string(q.zero_point);
    return "real = " + inspect::float_literal(q.scale, what) + " * (q" + offset + ")";
  };
  out += " *   input:  " + inspect::num(In) + " int8, " + real(model.input, "the input scale") + "; " + fn +
         "_quantize_input makes them\n";
  out += " *   output: " + inspect::num(Out) + " int8, " + real(model.output, "the output scale") + "; " + fn +
         "_dequantize_output reads them\n";
  out += " * Constant data: " + inspect::num(e.constant_bytes) + " bytes (" + upper +
         "_CONSTANT_BYTES). Scratch: " + inspect::num(plan.size) + " bytes (" + upper +
         "_SCRATCH_BYTES), planned by liveness,\n";
  out += " *   a local array of " + fn + ", or the caller's buffer with " + fn + "_with_scratch.\n";
  out += " * The dot products use Helium's VMLADAVA (16 int8 multiply-accumulates) where integer MVE is there\n";
  out += " * (Cortex-M55, M85), else SMLAD (two) where __ARM_FEATURE_DSP is defined (Cortex-M4 and M7; M33\n";
  out += " * built with it), else a portable loop. All give the same integers.\n";
  out += " * No heap, no mutable global state. */\n";
  out += "#ifndef " + upper + "_H\n#define " + upper + "_H\n\n#include <stdint.h>\n#include <string.h>\n";
  out += "#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)\n#include <arm_mve.h>\n";
  out += "#elif defined(__ARM_FEATURE_DSP)\n#include <arm_acle.h>\n#endif\n\n";
  out += "#define " + upper + "_INPUT_SIZE " + inspect::num(In) + "\n";
  out += "#define " + upper + "_OUTPUT_SIZE " + inspect::num(Out) + "\n";
  out += "#define " + upper + "_CONSTANT_BYTES " + inspect::num(e.constant_bytes) + "\n";
  out += "#define " + upper + "_SCRATCH_BYTES " + inspect::num(scratch) + "\n";
  out += "#define " + upper + "_INPUT_SCALE " + inspect::float_literal(model.input.scale, "the input scale") + "\n";
  out += "#define " + upper + "_INPUT_ZERO_POINT " + std::to_string(model.input.zero_point) + "\n";
  out += "#define " + upper + "_OUTPUT_SCALE " + inspect::float_literal(model.output.scale, "the output scale") + "\n";
  out += "#define " + upper + "_OUTPUT_ZERO_POINT " + std::to_string(model.output.zero_point) + "\n\n";
  out += e.constants + "\n";
  auto named = [&](std::string_view text) {
    std::string s(text);
    for (std::size_t at = s.find("PREFIX_"); at != std::string::npos; at = s.find("PREFIX_", at + fn.size()))
      s.replace(at, 7, fn + "_");
    return s;
  };
  out += named(fixed_point::requantize_c);
  if (e.uses_dense) out += named(int8_dense::kernel_c);
  if (e.uses_softmax) out += named(fixed_point::softmax_c);
  out += "\nstatic inline void " + fn + "_with_scratch(const int8_t input[" + inspect::num(In) + "], int8_t output[" +
         inspect::num(Out) + "], int8_t scratch[" + inspect::num(scratch) + "]) {\n";
  if (plan.size == 0) out += "  (void)scratch;\n";
  out += e.body + "}\n\n";
  out += "static inline void " + fn + "(const int8_t input[" + inspect::num(In) + "], int8_t output[" +
         inspect::num(Out) + "]) {\n  int8_t scratch[" + inspect::num(scratch) + "];\n  " + fn +
         "_with_scratch(input, output, scratch);\n}\n\n";
  out += "#ifndef " + upper + "_NO_FLOAT_HELPERS\n#include <math.h>\n";
  out += "/* q = round(x / scale) + zero point, saturated to int8 (as TFLite Micro's Quantize). A NaN has no\n";
  out += " * int8 value: it becomes the zero point (real 0), and the count of NaNs is returned, 0 for a clean input. */\n";
  out += "static inline int " + fn + "_quantize_input(const float x[" + inspect::num(In) + "], int8_t q[" +
         inspect::num(In) + "]) {\n  int i, nans = 0;\n  for (i = 0; i < " + inspect::num(In) + "; ++i) {\n";
  out += "    const float v = roundf(x[i] / " + upper + "_INPUT_SCALE) + (float)" + upper + "_INPUT_ZERO_POINT;\n";
  out += "    if (isnan(v)) {\n      q[i] = (int8_t)" + upper + "_INPUT_ZERO_POINT;\n      ++nans;\n      continue;\n    }\n";
  out += "    q[i] = (int8_t)(v < -128.0f ? -128 : (v > 127.0f ? 127 : (int)v));\n  }\n  return nans;\n}\n";
  out += "static inline void " + fn + "_dequantize_output(const int8_t q[" + inspect::num(Out) + "], float y[" +
         inspect::num(Out) + "]) {\n  int i;\n  for (i = 0; i < " + inspect::num(Out) + "; ++i) y[i] = " + upper +
         "_OUTPUT_SCALE * (float)(q[i] - " + upper + "_OUTPUT_ZERO_POINT);\n}\n#endif\n\n";
  out += "#endif\n";
  return out;
}

// Test vectors for an emitted int8 model: the inputs quantised, and the
// simulator's int8 outputs, which the C must match bit for bit. `inputs` is
// a range of float tensors of one example each.
template <std::size_t In, std::size_t Out, std::size_t Width, class Inputs>
std::string emit_c_test_vectors(const int8_model<In, Out, Width>& model, std::string_view name, const Inputs& inputs) {
  const std::string fn(name);
  std::string in_text, out_text;
  std::size_t count = 0;
  auto row = [](const std::int8_t* q, std::size_t n) {
    std::string s = "  {";
    for (std::size_t i = 0; i < n; ++i) s += std::to_string(q[i]) + (i + 1 < n ? "," : "");
    return s + "},\n";
  };
  for (const auto& x : inputs) {
    static_assert(diagnostics::example_matches_int8_input<typename std::remove_cvref_t<decltype(x)>::shape_type, In>::value,
                  "typegrad: emit_c_test_vectors needs examples of the model's input size");
    std::array<std::int8_t, In> q;
    std::array<std::int8_t, Out> y;
    model.quantize_input(x.data(), q.data());
    model.run(q.data(), y.data());
    in_text += row(q.data(), In);
    out_text += row(y.data(), Out);
    ++count;
  }
  std::string out = "/* Generated by typegrad::emit_c_test_vectors: quantised inputs and the int8 simulator's outputs for " +
                    fn + ". */\n";
  out += "#define " + inspect::upper_case(fn) + "_VECTOR_COUNT " + inspect::num(count) + "\n";
  out += "static const int8_t " + fn + "_vector_inputs[" + inspect::num(count) + "][" + inspect::num(In) + "] = {\n" +
         in_text + "};\n";
  out += "static const int8_t " + fn + "_vector_outputs[" + inspect::num(count) + "][" + inspect::num(Out) + "] = {\n" +
         out_text + "};\n";
  return out;
}

}  // namespace typegrad

#pragma once
// The integer arithmetic of TensorFlow Lite's int8 scheme, as TFLite Micro
// and CMSIS-NN compute it (their "double rounding" default). Each function is
// written twice, side by side: in C++ for the host simulator, and as C99 text
// for emit_c's int8 headers. Both are checked against a numpy model of the
// arithmetic (tests/reference/make_int8_reference.py) and, bit for bit,
// against each other on emulated Cortex-M (tests/deploy).
//
// Fixed point Q(I): an int32 raw value r stands for r / 2^(31 - I).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace typegrad::fixed_point {

// A real multiplier m as m ≈ multiplier · 2^(shift − 31), with the
// multiplier in [2^30, 2^31) (or 0 for m = 0): TFLite's QuantizeMultiplier.
// Rounds half away from zero; a multiplier below 2^-31 becomes 0, and a shift
// above 30 saturates, as there.
struct quantized_multiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
  friend bool operator==(const quantized_multiplier&, const quantized_multiplier&) = default;
};
inline quantized_multiplier quantize_multiplier(double real) {
  if (real == 0.0) return {};
  int shift = 0;
  const double fraction = std::frexp(real, &shift);
  auto fixed = static_cast<std::int64_t>(std::round(fraction * double(std::int64_t{1} << 31)));
  if (fixed == (std::int64_t{1} << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) return {};
  if (shift > 30) return {std::numeric_limits<std::int32_t>::max(), 30};
  return {static_cast<std::int32_t>(fixed), shift};
}

// (a · b · 2) / 2^32, rounded to nearest (ties away from zero), saturating
// the one overflowing case a = b = INT32_MIN: gemmlowp's
// SaturatingRoundingDoublingHighMul.
constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t product = std::int64_t{a} * std::int64_t{b};
  const std::int64_t nudge = product >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  return static_cast<std::int32_t>((product + nudge) / (std::int64_t{1} << 31));  // truncates toward zero
}
// x / 2^exponent, rounded to nearest, ties away from zero (0 <= exponent <= 31).
constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}
// x · 2^exponent for exponent > 0, saturating to the int32 range.
constexpr std::int32_t saturating_left_shift(std::int32_t x, int exponent) {
  const std::int32_t threshold = static_cast<std::int32_t>((std::int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return std::numeric_limits<std::int32_t>::max();
  if (x < -threshold) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << exponent);
}
// x times a quantized multiplier: a left shift (wrapping, as the devices'
// 32-bit multiply does), the doubling high multiply, then a rounding right
// shift. TFLite's MultiplyByQuantizedMultiplier.
constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, quantized_multiplier m) {
  const int left = m.shift > 0 ? m.shift : 0, right = m.shift > 0 ? 0 : -m.shift;
  const auto shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier), right);
}

// The same four functions in C99, for the emitted headers. PREFIX_ is
// replaced by the model's name.
inline constexpr std::string_view requantize_c = R"(static inline int32_t PREFIX_high_mul(int32_t a, int32_t b) {
  /* (a * b * 2) / 2^32 rounded, saturating a = b = INT32_MIN */
  const int64_t product = (int64_t)a * (int64_t)b;
  const int64_t nudge = product >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  if (a == b && a == INT32_MIN) return INT32_MAX;
  return (int32_t)((product + nudge) / ((int64_t)1 << 31));
}
static inline int32_t PREFIX_divide_by_pot(int32_t x, int exponent) {
  /* x / 2^exponent rounded to nearest, ties away from zero */
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}
static inline int32_t PREFIX_saturating_left_shift(int32_t x, int exponent) {
  const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}
static inline int32_t PREFIX_requantize(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return PREFIX_divide_by_pot(PREFIX_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}
)";

// ---- softmax -----------------------------------------------------------------------
// TFLite Micro's int8 softmax (reference_ops::Softmax with gemmlowp's fixed
// point): differences from the row maximum, scaled to Q5 by beta × input
// scale, exponentiated in Q0, summed in Q12, and divided by the sum through a
// Newton-Raphson reciprocal. Output scale 1/256, zero point −128.
inline constexpr int softmax_diff_integer_bits = 5;
inline constexpr int softmax_accumulation_integer_bits = 12;

constexpr std::int32_t fixed_mul(std::int32_t a, std::int32_t b) { return saturating_rounding_doubling_high_mul(a, b); }

// exp(x) for x in [−1/4, 0), x in Q0: a Taylor expansion around −1/8.
constexpr std::int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(std::int32_t a) {
  constexpr std::int32_t exp_minus_one_eighth = 1895147668, one_third = 715827883;
  const std::int32_t x = a + (std::int32_t{1} << 28);  // a + 1/8
  const std::int32_t x2 = fixed_mul(x, x), x3 = fixed_mul(x2, x), x4 = fixed_mul(x2, x2);
  const std::int32_t x4_over_4 = rounding_divide_by_pot(x4, 2);
  const std::int32_t poly = rounding_divide_by_pot(fixed_mul(x4_over_4 + x3, one_third) + x2, 1);
  return exp_minus_one_eighth + fixed_mul(exp_minus_one_eighth, x + poly);
}
// exp(a) for a <= 0 in Q5, the result in Q0: the interval function on
// a mod 1/4, times exp(−2^k) for each bit k of the rest.
constexpr std::int32_t exp_on_negative_values(std::int32_t a) {
  constexpr int fractional_bits = 31 - softmax_diff_integer_bits;
  constexpr std::int32_t one_quarter = std::int32_t{1} << (fractional_bits - 2);
  const std::int32_t mod_quarter_minus_quarter = (a & (one_quarter - 1)) - one_quarter;
  std::int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      saturating_left_shift(mod_quarter_minus_quarter, softmax_diff_integer_bits));
  const std::int32_t remainder = mod_quarter_minus_quarter - a;
  constexpr std::int32_t exp_of_minus_pot[] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = 0; k < 7; ++k)  // exponents −2 .. +4
    if (remainder & (std::int32_t{1} << (fractional_bits - 2 + k))) result = fixed_mul(result, exp_of_minus_pot[k]);
  return a == 0 ? std::numeric_limits<std::int32_t>::max() : result;
}
// 1 / (1 + x) for x in [0, 1), both in Q0 (the result halved: Q0 holds < 1).
constexpr std::int32_t one_over_one_plus_x_for_x_in_0_1(std::int32_t a) {
  const std::int64_t sum = std::int64_t{a} + std::numeric_limits<std::int32_t>::max();
  const auto half_denominator = static_cast<std::int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  constexpr std::int32_t forty_eight_over_17 = 1515870810, minus_32_over_17 = -1010580540;  // Q2
  constexpr std::int32_t one_q2 = std::int32_t{1} << 29;
  std::int32_t x = forty_eight_over_17 + fixed_mul(half_denominator, minus_32_over_17);
  for (int i = 0; i < 3; ++i) {
    const std::int32_t one_minus_half_denominator_times_x = one_q2 - fixed_mul(half_denominator, x);
    x = x + saturating_left_shift(fixed_mul(x, one_minus_half_denominator_times_x), 2);
  }
  return saturating_left_shift(x, 1);
}

// The parameters TFLite Micro's SoftmaxPrepare derives from the input scale
// (beta 1): the Q5 rescaling multiplier, its left shift, and the smallest
// difference from the maximum that still contributes.
struct softmax_parameters {
  std::int32_t input_multiplier = 0;
  int input_left_shift = 0;
  std::int32_t diff_min = 0;
};
inline softmax_parameters softmax_parameters_for(double input_scale) {
  constexpr int integer_bits = softmax_diff_integer_bits;
  const double real = std::min(input_scale * double(std::int64_t{1} << (31 - integer_bits)), double(std::int64_t{1} << 31) - 1.0);
  const quantized_multiplier m = quantize_multiplier(real);
  softmax_parameters p;
  p.input_multiplier = m.multiplier;
  p.input_left_shift = m.shift;
  const double radius = double((1 << integer_bits) - 1) * double(std::int64_t{1} << (31 - integer_bits)) /
                        double(std::int64_t{1} << m.shift);
  p.diff_min = -static_cast<std::int32_t>(std::floor(radius));
  return p;
}

// One row of int8 softmax.
inline void softmax_int8(const std::int8_t* in, std::int8_t* out, std::size_t n, const softmax_parameters& p) {
  std::int32_t max_in_row = std::numeric_limits<std::int8_t>::min();
  for (std::size_t c = 0; c < n; ++c) max_in_row = std::max<std::int32_t>(max_in_row, in[c]);
  auto scaled_exp = [&](std::int32_t diff) {
    const std::int32_t rescaled = saturating_rounding_doubling_high_mul(
        static_cast<std::int32_t>(static_cast<std::uint32_t>(diff) << p.input_left_shift), p.input_multiplier);
    return exp_on_negative_values(rescaled);
  };
  std::int32_t sum_of_exps = 0;  // Q12
  for (std::size_t c = 0; c < n; ++c) {
    const std::int32_t diff = std::int32_t{in[c]} - max_in_row;
    if (diff >= p.diff_min)
      sum_of_exps += rounding_divide_by_pot(scaled_exp(diff), softmax_accumulation_integer_bits);
  }
  const int headroom_plus_one = std::countl_zero(static_cast<std::uint32_t>(sum_of_exps));
  const int bits_over_unit = softmax_accumulation_integer_bits - headroom_plus_one;
  const auto shifted_sum_minus_one = static_cast<std::int32_t>(
      (static_cast<std::uint32_t>(sum_of_exps) << headroom_plus_one) - (std::uint32_t{1} << 31));
  const std::int32_t reciprocal = one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
  for (std::size_t c = 0; c < n; ++c) {
    const std::int32_t diff = std::int32_t{in[c]} - max_in_row;
    std::int32_t q = -128;
    if (diff >= p.diff_min) {
      const std::int32_t unsaturated = rounding_divide_by_pot(fixed_mul(reciprocal, scaled_exp(diff)), bits_over_unit + 31 - 8);
      q = std::clamp<std::int32_t>(unsaturated - 128, -128, 127);
    }
    out[c] = static_cast<std::int8_t>(q);
  }
}

inline constexpr std::string_view softmax_c = R"(static inline int32_t PREFIX_exp_quarter(int32_t a) {
  /* exp(a) for a in [-1/4, 0), Q0: Taylor around -1/8 */
  const int32_t x = a + ((int32_t)1 << 28);
  const int32_t x2 = PREFIX_high_mul(x, x), x3 = PREFIX_high_mul(x2, x), x4 = PREFIX_high_mul(x2, x2);
  const int32_t x4_over_4 = PREFIX_divide_by_pot(x4, 2);
  const int32_t poly = PREFIX_divide_by_pot(PREFIX_high_mul(x4_over_4 + x3, 715827883) + x2, 1);
  return 1895147668 + PREFIX_high_mul(1895147668, x + poly);
}
static inline int32_t PREFIX_exp_negative(int32_t a) {
  /* exp(a) for a <= 0 in Q5, result Q0 */
  static const int32_t exp_of_minus_pot[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int32_t quarter = (int32_t)1 << 24;
  const int32_t mod_quarter_minus_quarter = (a & (quarter - 1)) - quarter;
  int32_t result = PREFIX_exp_quarter(PREFIX_saturating_left_shift(mod_quarter_minus_quarter, 5));
  const int32_t remainder = mod_quarter_minus_quarter - a;
  int k;
  for (k = 0; k < 7; ++k)
    if (remainder & ((int32_t)1 << (24 + k))) result = PREFIX_high_mul(result, exp_of_minus_pot[k]);
  return a == 0 ? INT32_MAX : result;
}
static inline int32_t PREFIX_reciprocal(int32_t a) {
  /* 1 / (1 + a) for a in [0, 1), Q0, halved: Newton-Raphson in Q2 */
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = 1515870810 + PREFIX_high_mul(half_denominator, -1010580540);
  int i;
  for (i = 0; i < 3; ++i) {
    const int32_t one_minus = ((int32_t)1 << 29) - PREFIX_high_mul(half_denominator, x);
    x = x + PREFIX_saturating_left_shift(PREFIX_high_mul(x, one_minus), 2);
  }
  return PREFIX_saturating_left_shift(x, 1);
}
static void PREFIX_softmax(const int8_t* restrict in, int8_t* restrict out, int n, int32_t multiplier, int left_shift,
                           int32_t diff_min) {
  int32_t max_in_row = -128, sum_of_exps = 0, reciprocal;
  int c, headroom = 0, bits_over_unit;
  uint32_t bit;
  for (c = 0; c < n; ++c) max_in_row = in[c] > max_in_row ? in[c] : max_in_row;
  for (c = 0; c < n; ++c) {
    const int32_t diff = in[c] - max_in_row;
    if (diff >= diff_min)
      sum_of_exps += PREFIX_divide_by_pot(PREFIX_exp_negative(PREFIX_high_mul((int32_t)((uint32_t)diff << left_shift), multiplier)), 12);
  }
  for (bit = (uint32_t)1 << 31; bit != 0 && ((uint32_t)sum_of_exps & bit) == 0; bit >>= 1) ++headroom;
  bits_over_unit = 12 - headroom;
  reciprocal = PREFIX_reciprocal((int32_t)(((uint32_t)sum_of_exps << headroom) - ((uint32_t)1 << 31)));
  for (c = 0; c < n; ++c) {
    const int32_t diff = in[c] - max_in_row;
    int32_t q = -128;
    if (diff >= diff_min) {
      const int32_t e = PREFIX_exp_negative(PREFIX_high_mul((int32_t)((uint32_t)diff << left_shift), multiplier));
      q = PREFIX_divide_by_pot(PREFIX_high_mul(reciprocal, e), bits_over_unit + 31 - 8) - 128;
      q = q < -128 ? -128 : (q > 127 ? 127 : q);
    }
    out[c] = (int8_t)q;
  }
}
)";

}  // namespace typegrad::fixed_point

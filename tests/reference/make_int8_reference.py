#!/usr/bin/python3
"""Reference values for typegrad's int8 arithmetic, computed outside typegrad.

How they are made: each step of TensorFlow Lite's int8 scheme is written here
from its definition, in Python's exact integers and fractions, not from the
C++ code:
- a multiplier m is stored as M * 2^(shift - 31), with M = m / 2^shift * 2^31
  rounded half away from zero and M in [2^30, 2^31);
- the doubling high multiply is round(a * b / 2^31), ties upward, saturated;
- the divide by a power of two rounds ties away from zero;
- a dense layer is clamp(requantize(bias + sum w (x - zx)) + zy);
- softmax is gemmlowp's fixed-point recipe as TFLite Micro runs it for int8,
  each fixed-point product done by the rounding rule above; every softmax
  row is also checked against a float64 softmax (within 1/256 plus rounding)
  before anything is written;
- activation ranges become (scale, zero point) by TFLite's nudging, the
  scale rounded to float32 with numpy.
The inputs come from numpy's default_rng with fixed seeds, so the output is
the same on every run.

Run (Debian's numpy is for /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_int8_reference.py > tests/reference/int8_reference.hpp
"""
import math
from fractions import Fraction

import numpy as np

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def round_half_away(q):
    q = Fraction(q)
    return math.floor(q + Fraction(1, 2)) if q >= 0 else -math.floor(-q + Fraction(1, 2))


def quantize_multiplier(real):
    if real == 0:
        return 0, 0
    fraction, shift = math.frexp(real)
    fixed = round_half_away(Fraction(fraction) * 2**31)
    if fixed == 2**31:
        fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 30:
        return INT32_MAX, 30
    return fixed, shift


def high_mul(a, b):
    if a == b == INT32_MIN:
        return INT32_MAX
    return math.floor(Fraction(a * b, 2**31) + Fraction(1, 2))


def divide_by_pot(x, exponent):
    return round_half_away(Fraction(x, 2**exponent))


def wrap32(x):
    return (x + 2**31) % 2**32 - 2**31


def requantize(x, multiplier, shift):
    left, right = max(shift, 0), max(-shift, 0)
    return divide_by_pot(high_mul(wrap32(x * 2**left), multiplier), right)


def saturating_left_shift(x, exponent):
    return max(INT32_MIN, min(INT32_MAX, x * 2**exponent))


def dense(x, zx, w, bias, multipliers, shifts, zy, low, high):
    out = []
    for c in range(len(bias)):
        acc = bias[c] + sum(int(w[c][k]) * (int(x[k]) - zx) for k in range(len(x)))
        out.append(min(max(requantize(acc, multipliers[c], shifts[c]) + zy, low), high))
    return out


# ---- softmax, gemmlowp's fixed point: Q(I) holds raw / 2^(31 - I) ----
def exp_quarter(a):  # exp(a) for a in [-1/4, 0), Q0
    x = a + 2**28
    x2 = high_mul(x, x)
    x3 = high_mul(x2, x)
    x4 = high_mul(x2, x2)
    poly = divide_by_pot(high_mul(divide_by_pot(x4, 2) + x3, 715827883) + x2, 1)
    return 1895147668 + high_mul(1895147668, x + poly)


def exp_negative(a):  # exp(a) for a <= 0 in Q5, result Q0
    quarter = 2**24
    mod = (a & (quarter - 1)) - quarter
    result = exp_quarter(saturating_left_shift(mod, 5))
    remainder = mod - a
    for k, m in enumerate([1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242]):
        if remainder & (1 << (24 + k)):
            result = high_mul(result, m)
    return INT32_MAX if a == 0 else result


def reciprocal(a):  # 1 / (1 + a) for a in [0, 1), Q0, halved
    s = a + INT32_MAX
    half = int(Fraction(s + (1 if s >= 0 else -1), 2))  # truncates toward zero
    x = 1515870810 + high_mul(half, -1010580540)
    for _ in range(3):
        x = x + saturating_left_shift(high_mul(x, 2**29 - high_mul(half, x)), 2)
    return saturating_left_shift(x, 1)


def softmax_parameters(scale):
    real = min(float(scale) * 2.0**26, 2.0**31 - 1)
    multiplier, shift = quantize_multiplier(real)
    diff_min = -math.floor(31 * 2.0**26 / 2.0**shift)
    return multiplier, shift, diff_min


def softmax(row, scale):
    multiplier, shift, diff_min = softmax_parameters(scale)
    top = max(row)
    exps = [exp_negative(high_mul(wrap32((v - top) * 2**shift), multiplier)) if v - top >= diff_min else None for v in row]
    total = sum(divide_by_pot(e, 12) for e in exps if e is not None)
    headroom = 32 - total.bit_length()
    bits_over_unit = 12 - headroom
    r = reciprocal(wrap32((total << headroom) - 2**31))
    out = []
    for e in exps:
        q = -128 if e is None else min(max(divide_by_pot(high_mul(r, e), bits_over_unit + 23) - 128, -128), 127)
        out.append(q)
    want = np.exp((np.array(row) - top) * float(scale))
    want /= want.sum()
    got = (np.array(out) + 128) / 256.0
    assert np.all(np.abs(got - want) <= 1.5 / 256), (row, scale, got, want)
    return out


def activation_quantization(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < np.finfo(np.float64).eps:
        return np.float32(1.0), -128
    scale = (hi - lo) / 255.0
    from_min, from_min_error = -128 - lo / scale, 128 + abs(lo / scale)
    from_max, from_max_error = 127 - hi / scale, 127 + abs(hi / scale)
    zero_point = from_min if from_min_error < from_max_error else from_max
    return np.float32(scale), int(min(max(round_half_away(Fraction(zero_point)), -128), 127))


def array(name, ctype, values):
    return "inline constexpr %s %s[] = {%s};" % (ctype, name, ", ".join(str(v) for v in values))


def main():
    rng = np.random.default_rng(2026)
    lines = ["// Generated by tests/reference/make_int8_reference.py; do not edit.", "#pragma once", "",
             "#include <cstdint>", "", "namespace reference::int8 {", ""]

    reals = [0.0, 1e-12, 2.0**-32, 0.5, 0.25, 1 / 3, 0.9999999999, 1.0, 1.5, 2.0**31, 2.0**40, 0.75 + 2.0**-33]
    reals += list(np.exp(rng.uniform(np.log(1e-6), np.log(4.0), 40)))
    pairs = [quantize_multiplier(r) for r in reals]
    lines.append(array("multiplier_reals", "double", [repr(float(r)) for r in reals]))
    lines.append(array("multiplier_values", "std::int32_t", [m for m, _ in pairs]))
    lines.append(array("multiplier_shifts", "int", [s for _, s in pairs]))

    xs = [int(v) for v in rng.integers(-(2**24), 2**24, 60)] + [0, 1, -1, 3, -3, INT32_MAX, INT32_MIN + 1, 2**20 + 2**9]
    ms = [quantize_multiplier(float(r)) for r in np.exp(rng.uniform(np.log(1e-5), np.log(1.9), len(xs)))]
    lines.append(array("requantize_inputs", "std::int32_t", xs))
    lines.append(array("requantize_multipliers", "std::int32_t", [m for m, _ in ms]))
    lines.append(array("requantize_shifts", "int", [s for _, s in ms]))
    lines.append(array("requantize_outputs", "std::int32_t", [requantize(x, m, s) for x, (m, s) in zip(xs, ms)]))

    # A dense layer: 37 inputs (not a multiple of 4), 11 outputs, relu clamp.
    n_in, n_out, zx, zy = 37, 11, -5, 7
    x = rng.integers(-128, 128, n_in)
    w = rng.integers(-127, 128, (n_out, n_in))
    bias = [int(v) for v in rng.integers(-50000, 50000, n_out)]
    mult = [quantize_multiplier(float(r)) for r in np.exp(rng.uniform(np.log(1e-4), np.log(1e-2), n_out))]
    lines.append("inline constexpr std::int32_t dense_input_zero_point = %d, dense_output_zero_point = %d;" % (zx, zy))
    lines.append(array("dense_input", "std::int8_t", [int(v) for v in x]))
    lines.append(array("dense_weights", "std::int8_t", [int(v) for v in w.flatten()]))
    lines.append(array("dense_bias", "std::int32_t", bias))
    lines.append(array("dense_multipliers", "std::int32_t", [m for m, _ in mult]))
    lines.append(array("dense_shifts", "int", [s for _, s in mult]))
    lines.append(array("dense_output", "std::int32_t",
                       dense(x, zx, w, bias, [m for m, _ in mult], [s for _, s in mult], zy, zy, 127)))

    scales = [0.01, 0.05, 0.1, 0.25, 1.0, 4.0, 0.1, 0.1]
    rows = [[int(v) for v in rng.integers(-128, 128, 10)] for _ in range(6)]
    rows.append([3] * 10)
    rows.append([127, -128, 127, 0, -128, 5, 6, 7, 8, 9])
    lines.append(array("softmax_scales", "float", [repr(float(np.float32(s))) + "f" for s in scales]))
    lines.append(array("softmax_inputs", "std::int8_t", [v for r in rows for v in r]))
    lines.append(array("softmax_outputs", "std::int32_t",
                       [v for r, s in zip(rows, scales) for v in softmax(r, np.float32(s))]))
    params = [softmax_parameters(np.float32(s)) for s in scales]
    lines.append(array("softmax_multipliers", "std::int32_t", [p[0] for p in params]))
    lines.append(array("softmax_left_shifts", "int", [p[1] for p in params]))
    lines.append(array("softmax_diff_mins", "std::int32_t", [p[2] for p in params]))

    ranges = [(0.0, 0.0), (-1.0, 1.0), (0.0, 6.0), (-3.2, 0.5), (0.1, 0.2), (-2.0, -1.0), (-1e-3, 10.0), (-7.3, 2.9)]
    quantized = [activation_quantization(lo, hi) for lo, hi in ranges]
    lines.append(array("range_min", "double", [repr(lo) for lo, _ in ranges]))
    lines.append(array("range_max", "double", [repr(hi) for _, hi in ranges]))
    lines.append(array("range_scale", "float", [repr(float(s)) + "f" for s, _ in quantized]))
    lines.append(array("range_zero_point", "std::int32_t", [z for _, z in quantized]))
    lines += ["", "}  // namespace reference::int8"]
    print("\n".join(lines))


main()

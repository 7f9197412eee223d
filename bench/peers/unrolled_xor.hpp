#pragma once
// The straight-line XOR peer: the 2-2-2 network's gradient written out by
// hand with no loops, every weight and activation a named scalar, std::exp
// and std::log for the softmax cross-entropy. It is the fastest form a person
// would write for a model this small; the loop-based hand peer is the form
// that scales to other sizes.
#include <cmath>
#include <cstddef>

#include "model.hpp"

namespace bench::unrolled {

template <class Model>
struct xor_network {
  static_assert(Model::batch == 4 && Model::depth == 2 && Model::sizes[0] == 2 && Model::sizes[1] == 2 &&
                    Model::sizes[2] == 2,
                "the straight-line peer is written for XOR: batch 4, layers 2-2-2");
  using T = typename Model::scalar;
  // Layer 1 [in][out], layer 2 [in][out], and their gradients.
  T w1_00, w1_01, w1_10, w1_11, b1_0, b1_1;
  T w2_00, w2_01, w2_10, w2_11, b2_0, b2_1;
  T gw1_00, gw1_01, gw1_10, gw1_11, gb1_0, gb1_1;
  T gw2_00, gw2_01, gw2_10, gw2_11, gb2_0, gb2_1;
  T x[4][2], y[4][2];
  T rate, loss;

  explicit xor_network(const start<Model>& s) : rate(T(s.learning_rate)) {
    const auto& w1 = s.weights[0];
    const auto& w2 = s.weights[1];
    w1_00 = T(w1[0]), w1_01 = T(w1[1]), w1_10 = T(w1[2]), w1_11 = T(w1[3]);
    w2_00 = T(w2[0]), w2_01 = T(w2[1]), w2_10 = T(w2[2]), w2_11 = T(w2[3]);
    b1_0 = T(s.biases[0][0]), b1_1 = T(s.biases[0][1]);
    b2_0 = T(s.biases[1][0]), b2_1 = T(s.biases[1][1]);
    for (std::size_t r = 0; r < 4; ++r)
      for (std::size_t i = 0; i < 2; ++i) x[r][i] = T(s.x[r * 2 + i]), y[r][i] = T(s.y[r * 2 + i]);
  }

  // One row's forward pass, loss and gradient, added into the sums.
  [[gnu::always_inline]] inline void row(const T (&xr)[2], const T (&yr)[2]) {
    const T z1_0 = xr[0] * w1_00 + xr[1] * w1_10 + b1_0;
    const T z1_1 = xr[0] * w1_01 + xr[1] * w1_11 + b1_1;
    const T h_0 = z1_0 > T(0) ? z1_0 : T(0);
    const T h_1 = z1_1 > T(0) ? z1_1 : T(0);
    const T z2_0 = h_0 * w2_00 + h_1 * w2_10 + b2_0;
    const T z2_1 = h_0 * w2_01 + h_1 * w2_11 + b2_1;
    const T m = z2_0 > z2_1 ? z2_0 : z2_1;
    const T e_0 = std::exp(z2_0 - m), e_1 = std::exp(z2_1 - m);
    const T s = e_0 + e_1, mass = yr[0] + yr[1];
    loss += (m + std::log(s)) * mass - (yr[0] * z2_0 + yr[1] * z2_1);
    const T scale = T(1) / T(4), inv = T(1) / s;
    const T d2_0 = scale * (e_0 * inv * mass - yr[0]);
    const T d2_1 = scale * (e_1 * inv * mass - yr[1]);
    gw2_00 += h_0 * d2_0, gw2_01 += h_0 * d2_1, gw2_10 += h_1 * d2_0, gw2_11 += h_1 * d2_1;
    gb2_0 += d2_0, gb2_1 += d2_1;
    const T d1_0 = z1_0 > T(0) ? d2_0 * w2_00 + d2_1 * w2_01 : T(0);
    const T d1_1 = z1_1 > T(0) ? d2_0 * w2_10 + d2_1 * w2_11 : T(0);
    gw1_00 += xr[0] * d1_0, gw1_01 += xr[0] * d1_1, gw1_10 += xr[1] * d1_0, gw1_11 += xr[1] * d1_1;
    gb1_0 += d1_0, gb1_1 += d1_1;
  }

  void checked_step() { step(); }

  void step() {
    loss = 0;
    gw1_00 = gw1_01 = gw1_10 = gw1_11 = gb1_0 = gb1_1 = 0;
    gw2_00 = gw2_01 = gw2_10 = gw2_11 = gb2_0 = gb2_1 = 0;
    row(x[0], y[0]);
    row(x[1], y[1]);
    row(x[2], y[2]);
    row(x[3], y[3]);
    loss /= T(4);
    w1_00 -= rate * gw1_00, w1_01 -= rate * gw1_01, w1_10 -= rate * gw1_10, w1_11 -= rate * gw1_11;
    b1_0 -= rate * gb1_0, b1_1 -= rate * gb1_1;
    w2_00 -= rate * gw2_00, w2_01 -= rate * gw2_01, w2_10 -= rate * gw2_10, w2_11 -= rate * gw2_11;
    b2_0 -= rate * gb2_0, b2_1 -= rate * gb2_1;
  }

  step_result result() const {
    return {double(loss),
            {double(gw1_00), double(gw1_01), double(gw1_10), double(gw1_11), double(gb1_0), double(gb1_1),
             double(gw2_00), double(gw2_01), double(gw2_10), double(gw2_11), double(gb2_0), double(gb2_1)}};
  }
};

}  // namespace bench::unrolled

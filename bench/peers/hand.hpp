#pragma once
// The hand-written peer: straight-line loops over constexpr sizes, the way a
// careful engineer writes a small network's backprop by hand.
#include <cmath>
#include <cstddef>
#include <tuple>
#include <utility>

#include "model.hpp"

namespace bench::hand {

template <class T, std::size_t B, std::size_t In, std::size_t Out>
struct layer {
  T W[In][Out];
  T b[Out];
  T z[B][Out];   // pre-activation
  T h[B][Out];   // relu(z), the next layer's input
  T dz[B][Out];
  T dW[In][Out];
  T db[Out];

  void forward(const T (&x)[B][In], bool last) {
    for (std::size_t r = 0; r < B; ++r) {
      T row[Out];
      for (std::size_t o = 0; o < Out; ++o) row[o] = b[o];
      for (std::size_t i = 0; i < In; ++i) {
        const T xi = x[r][i];
        for (std::size_t o = 0; o < Out; ++o) row[o] += xi * W[i][o];
      }
      for (std::size_t o = 0; o < Out; ++o) {
        z[r][o] = row[o];
        h[r][o] = last ? row[o] : (row[o] > T(0) ? row[o] : T(0));
      }
    }
  }
  // dW = xᵀ dz, db = column sums of dz; returns nothing, the caller computes
  // the previous layer's dz from dz Wᵀ.
  void weight_gradients(const T (&x)[B][In]) {
    for (std::size_t i = 0; i < In; ++i)
      for (std::size_t o = 0; o < Out; ++o) dW[i][o] = 0;
    for (std::size_t o = 0; o < Out; ++o) db[o] = 0;
    for (std::size_t r = 0; r < B; ++r) {
      for (std::size_t i = 0; i < In; ++i) {
        const T xi = x[r][i];
        for (std::size_t o = 0; o < Out; ++o) dW[i][o] += xi * dz[r][o];
      }
      for (std::size_t o = 0; o < Out; ++o) db[o] += dz[r][o];
    }
  }
  void sgd(T rate) {
    for (std::size_t i = 0; i < In; ++i)
      for (std::size_t o = 0; o < Out; ++o) W[i][o] -= rate * dW[i][o];
    for (std::size_t o = 0; o < Out; ++o) b[o] -= rate * db[o];
  }
};

template <class Model, class Seq = std::make_index_sequence<Model::depth>>
struct network;
template <class Model, std::size_t... L>
struct network<Model, std::index_sequence<L...>> {
  using T = typename Model::scalar;
  static constexpr std::size_t B = Model::batch;
  static constexpr std::size_t in = Model::sizes[0], out = Model::sizes[Model::depth];
  std::tuple<layer<T, B, Model::sizes[L], Model::sizes[L + 1]>...> layers;
  T x[B][in];
  T y[B][out];
  T rate;
  T loss;

  explicit network(const start<Model>& s) : rate(T(s.learning_rate)) {
    ((load(std::get<L>(layers), s.weights[L], s.biases[L])), ...);
    for (std::size_t r = 0; r < B; ++r) {
      for (std::size_t i = 0; i < in; ++i) x[r][i] = T(s.x[r * in + i]);
      for (std::size_t o = 0; o < out; ++o) y[r][o] = T(s.y[r * out + o]);
    }
  }

  template <class Layer>
  static void load(Layer& l, const std::vector<double>& w, const std::vector<double>& b) {
    constexpr std::size_t o = sizeof(l.b) / sizeof(T), i = sizeof(l.W) / sizeof(l.W[0]);
    for (std::size_t a = 0; a < i; ++a)
      for (std::size_t c = 0; c < o; ++c) l.W[a][c] = T(w[a * o + c]);
    for (std::size_t c = 0; c < o; ++c) l.b[c] = T(b[c]);
  }

  template <std::size_t I>
  const auto& input_of() const {
    if constexpr (I == 0)
      return x;
    else
      return std::get<I - 1>(layers).h;
  }

  void checked_step() { step(); }

  void step() {
    ((std::get<L>(layers).forward(input_of<L>(), L + 1 == sizeof...(L))), ...);
    // Softmax cross-entropy on the last layer's z, averaged over rows.
    auto& last = std::get<sizeof...(L) - 1>(layers);
    T total = 0;
    for (std::size_t r = 0; r < B; ++r) {
      T m = last.z[r][0];
      for (std::size_t o = 1; o < out; ++o) m = last.z[r][o] > m ? last.z[r][o] : m;
      T e[out], s = 0, mass = 0, dot = 0;
      for (std::size_t o = 0; o < out; ++o) {
        e[o] = std::exp(last.z[r][o] - m);
        s += e[o];
        mass += y[r][o];
        dot += y[r][o] * last.z[r][o];
      }
      total += (m + std::log(s)) * mass - dot;
      const T inv = T(1) / s, scale = T(1) / T(B);
      for (std::size_t o = 0; o < out; ++o) last.dz[r][o] = scale * (e[o] * inv * mass - y[r][o]);
    }
    loss = total / T(B);
    backward(std::integral_constant<std::size_t, sizeof...(L) - 1>{});
    ((std::get<L>(layers).sgd(rate)), ...);
  }

  template <std::size_t I>
  void backward(std::integral_constant<std::size_t, I>) {
    auto& l = std::get<I>(layers);
    l.weight_gradients(input_of<I>());
    if constexpr (I > 0) {
      auto& prev = std::get<I - 1>(layers);
      constexpr std::size_t o = sizeof(l.b) / sizeof(T), i = sizeof(l.W) / sizeof(l.W[0]);
      for (std::size_t r = 0; r < B; ++r)
        for (std::size_t a = 0; a < i; ++a) {
          T acc = 0;
          for (std::size_t c = 0; c < o; ++c) acc += l.dz[r][c] * l.W[a][c];
          prev.dz[r][a] = prev.z[r][a] > T(0) ? acc : T(0);
        }
      backward(std::integral_constant<std::size_t, I - 1>{});
    }
  }

  step_result result() const {
    step_result out_{double(loss), {}};
    auto add = [&](const auto& l) {
      for (const auto& row : l.dW)
        for (T v : row) out_.gradient.push_back(double(v));
      for (T v : l.db) out_.gradient.push_back(double(v));
    };
    (add(std::get<L>(layers)), ...);
    return out_;
  }
};

}  // namespace bench::hand

#pragma once
// The Eigen peer: Eigen 3.4 fixed-size matrices, backprop written by hand.
#include <Eigen/Dense>

#include <cstddef>
#include <tuple>
#include <utility>

#include "model.hpp"

namespace bench::eigen {

template <class T, int R, int C>
using matrix = Eigen::Matrix<T, R, C, (C == 1 && R != 1) ? Eigen::ColMajor : Eigen::RowMajor>;

template <class T, int B, int In, int Out>
struct layer {
  matrix<T, In, Out> W, dW;
  matrix<T, 1, Out> b, db;
  matrix<T, B, Out> z, h, dz;
};

template <class Model, class Seq = std::make_index_sequence<Model::depth>>
struct network;
template <class Model, std::size_t... L>
struct network<Model, std::index_sequence<L...>> {
  using T = typename Model::scalar;
  static constexpr int B = int(Model::batch);
  static constexpr int in = int(Model::sizes[0]), out = int(Model::sizes[Model::depth]);
  std::tuple<layer<T, B, int(Model::sizes[L]), int(Model::sizes[L + 1])>...> layers;
  matrix<T, B, in> x;
  matrix<T, B, out> y;
  T rate;
  T loss;

  explicit network(const start<Model>& s) : rate(T(s.learning_rate)) {
    auto load = [](auto& l, const std::vector<double>& w, const std::vector<double>& b) {
      for (int i = 0; i < l.W.rows(); ++i)
        for (int o = 0; o < l.W.cols(); ++o) l.W(i, o) = T(w[i * l.W.cols() + o]);
      for (int o = 0; o < l.b.cols(); ++o) l.b(0, o) = T(b[o]);
    };
    (load(std::get<L>(layers), s.weights[L], s.biases[L]), ...);
    for (int r = 0; r < B; ++r) {
      for (int i = 0; i < in; ++i) x(r, i) = T(s.x[r * in + i]);
      for (int o = 0; o < out; ++o) y(r, o) = T(s.y[r * out + o]);
    }
  }

  template <std::size_t I>
  const auto& input_of() const {
    if constexpr (I == 0)
      return x;
    else
      return std::get<I - 1>(layers).h;
  }

  template <std::size_t I>
  void forward() {
    auto& l = std::get<I>(layers);
    l.z.noalias() = input_of<I>() * l.W;
    l.z.rowwise() += l.b;
    if constexpr (I + 1 < sizeof...(L)) l.h = l.z.cwiseMax(T(0));
  }

  void checked_step() { step(); }

  void step() {
    (forward<L>(), ...);
    auto& last = std::get<sizeof...(L) - 1>(layers);
    const auto m = last.z.rowwise().maxCoeff().eval();
    const matrix<T, B, out> e = (last.z.colwise() - m).array().exp().matrix();
    const auto s = e.rowwise().sum().eval();
    const auto mass = y.rowwise().sum().eval();
    loss = ((m.array() + s.array().log()) * mass.array() - (y.cwiseProduct(last.z)).rowwise().sum().array()).sum() / T(B);
    last.dz = ((e.array().colwise() * (mass.array() / s.array())).matrix() - y) / T(B);
    backward(std::integral_constant<std::size_t, sizeof...(L) - 1>{});
    auto update = [&](auto& l) {
      l.W -= rate * l.dW;
      l.b -= rate * l.db;
    };
    (update(std::get<L>(layers)), ...);
  }

  template <std::size_t I>
  void backward(std::integral_constant<std::size_t, I>) {
    auto& l = std::get<I>(layers);
    l.dW.noalias() = input_of<I>().transpose() * l.dz;
    l.db = l.dz.colwise().sum();
    if constexpr (I > 0) {
      auto& prev = std::get<I - 1>(layers);
      prev.dz.noalias() = l.dz * l.W.transpose();
      prev.dz = (prev.z.array() > T(0)).select(prev.dz, T(0));
      backward(std::integral_constant<std::size_t, I - 1>{});
    }
  }

  step_result result() const {
    step_result r{double(loss), {}};
    auto add = [&](const auto& l) {
      for (int i = 0; i < l.dW.rows(); ++i)
        for (int o = 0; o < l.dW.cols(); ++o) r.gradient.push_back(double(l.dW(i, o)));
      for (int o = 0; o < l.db.cols(); ++o) r.gradient.push_back(double(l.db(0, o)));
    };
    (add(std::get<L>(layers)), ...);
    return r;
  }
};

}  // namespace bench::eigen

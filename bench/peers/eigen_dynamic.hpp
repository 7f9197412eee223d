#pragma once
// The Eigen peer for shapes too large for fixed-size matrices (Eigen refuses
// fixed-size objects past its stack limit): the same backprop as
// eigen.hpp, written by hand, on dynamic-size row-major matrices allocated
// once, when the network is made.
#include <Eigen/Dense>

#include <cstddef>
#include <vector>

#include "model.hpp"

namespace bench::eigen_dynamic {

template <class Model>
struct network {
  using T = typename Model::scalar;
  using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using row = Eigen::Matrix<T, 1, Eigen::Dynamic>;
  static constexpr std::size_t depth = Model::depth;

  struct layer {
    matrix W, dW, z, h, dz;
    row b, db;
  };
  std::vector<layer> layers;
  matrix x, y, e;
  T rate;
  T loss{};

  explicit network(const start<Model>& s) : rate(T(s.learning_rate)) {
    const Eigen::Index B = Eigen::Index(Model::batch);
    for (std::size_t l = 0; l < depth; ++l) {
      const Eigen::Index in = Eigen::Index(Model::sizes[l]), out = Eigen::Index(Model::sizes[l + 1]);
      layer L{matrix(in, out), matrix(in, out), matrix(B, out), matrix(B, out), matrix(B, out), row(out), row(out)};
      for (Eigen::Index i = 0; i < in; ++i)
        for (Eigen::Index o = 0; o < out; ++o) L.W(i, o) = T(s.weights[l][std::size_t(i * out + o)]);
      for (Eigen::Index o = 0; o < out; ++o) L.b(o) = T(s.biases[l][std::size_t(o)]);
      layers.push_back(std::move(L));
    }
    const Eigen::Index in = Eigen::Index(Model::sizes[0]), out = Eigen::Index(Model::sizes[depth]);
    x.resize(B, in);
    y.resize(B, out);
    e.resize(B, out);
    for (Eigen::Index r = 0; r < B; ++r) {
      for (Eigen::Index i = 0; i < in; ++i) x(r, i) = T(s.x[std::size_t(r * in + i)]);
      for (Eigen::Index o = 0; o < out; ++o) y(r, o) = T(s.y[std::size_t(r * out + o)]);
    }
  }

  const matrix& input_of(std::size_t l) const { return l == 0 ? x : layers[l - 1].h; }

  void checked_step() { step(); }

  void step() {
    for (std::size_t l = 0; l < depth; ++l) {
      layer& L = layers[l];
      L.z.noalias() = input_of(l) * L.W;
      L.z.rowwise() += L.b;
      if (l + 1 < depth) L.h = L.z.cwiseMax(T(0));
    }
    layer& last = layers[depth - 1];
    const auto m = last.z.rowwise().maxCoeff().eval();
    e = (last.z.colwise() - m).array().exp().matrix();
    const auto s = e.rowwise().sum().eval();
    const auto mass = y.rowwise().sum().eval();
    const T B = T(Model::batch);
    loss = ((m.array() + s.array().log()) * mass.array() - (y.cwiseProduct(last.z)).rowwise().sum().array()).sum() / B;
    last.dz = ((e.array().colwise() * (mass.array() / s.array())).matrix() - y) / B;
    for (std::size_t l = depth; l-- > 0;) {
      layer& L = layers[l];
      L.dW.noalias() = input_of(l).transpose() * L.dz;
      L.db = L.dz.colwise().sum();
      if (l > 0) {
        layer& prev = layers[l - 1];
        prev.dz.noalias() = L.dz * L.W.transpose();
        prev.dz = (prev.z.array() > T(0)).select(prev.dz, T(0));
      }
    }
    for (layer& L : layers) {
      L.W -= rate * L.dW;
      L.b -= rate * L.db;
    }
  }

  step_result result() const {
    step_result r{double(loss), {}};
    for (const layer& L : layers) {
      for (Eigen::Index i = 0; i < L.dW.rows(); ++i)
        for (Eigen::Index o = 0; o < L.dW.cols(); ++o) r.gradient.push_back(double(L.dW(i, o)));
      for (Eigen::Index o = 0; o < L.db.cols(); ++o) r.gradient.push_back(double(L.db(o)));
    }
    return r;
  }
};

}  // namespace bench::eigen_dynamic

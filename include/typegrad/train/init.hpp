#pragma once
// Initialisers: each fills one tensor from a tg::random_engine, so the same
// seed gives the same values on every run and every compiler (see random.hpp).
// Fans follow the row-batch layout Z = X W + b, where W is [inputs, outputs]:
// fan_in = rows, fan_out = columns; a vector or a scalar has fan_in = fan_out
// = its size.
//   params[W1] = ...            one tensor:  tg::init::he_normal{}(params[W1], rng)
//   tg::initialize(params, rng, tg::init::he_normal{})   every matrix with
//                               one initialiser and every vector with another
//                               (zeros by default), in the set's order.
#include <cmath>
#include <cstddef>
#include <type_traits>

#include <typegrad/core/random.hpp>
#include <typegrad/core/tensor.hpp>

namespace typegrad {

namespace init {

// A matrix [in, out] has its rows' and columns' counts; a conv kernel
// [KH, KW, Cin, Cout] (rank 3: [K, Cin, Cout]) has the window times the
// channels in and out, as PyTorch and Keras count them.
template <class Tensor>
struct fans {
  using S = typename Tensor::shape_type;
  static constexpr bool weights = S::rank >= 2;
  static constexpr double in = weights ? double(S::size / S::dims[S::rank - 1]) : double(S::size);
  static constexpr double out = weights ? double(S::size / S::dims[S::rank - 2]) : double(S::size);
};

struct zeros {
  template <class Tensor>
  void operator()(Tensor& t, random_engine&) const {
    for (auto& v : t) v = 0;
  }
};
struct constant {
  double value = 0;
  template <class Tensor>
  void operator()(Tensor& t, random_engine&) const {
    for (auto& v : t) v = static_cast<typename Tensor::value_type>(value);
  }
};
// Uniform in [lo, hi).
struct uniform {
  double lo = -0.05, hi = 0.05;
  template <class Tensor>
  void operator()(Tensor& t, random_engine& rng) const {
    for (auto& v : t) v = static_cast<typename Tensor::value_type>(rng.uniform(lo, hi));
  }
};
struct normal {
  double mean = 0, stddev = 0.05;
  template <class Tensor>
  void operator()(Tensor& t, random_engine& rng) const {
    for (auto& v : t) v = static_cast<typename Tensor::value_type>(rng.normal(mean, stddev));
  }
};
// Glorot and Bengio (2010): variance 2 / (fan_in + fan_out), times gain^2.
struct xavier_uniform {
  double gain = 1;
  template <class Tensor>
  void operator()(Tensor& t, random_engine& rng) const {
    const double limit = gain * std::sqrt(6.0 / (fans<Tensor>::in + fans<Tensor>::out));
    uniform{-limit, limit}(t, rng);
  }
};
struct xavier_normal {
  double gain = 1;
  template <class Tensor>
  void operator()(Tensor& t, random_engine& rng) const {
    normal{0, gain * std::sqrt(2.0 / (fans<Tensor>::in + fans<Tensor>::out))}(t, rng);
  }
};
// He et al. (2015), for relu layers: variance 2 / fan_in.
struct he_uniform {
  template <class Tensor>
  void operator()(Tensor& t, random_engine& rng) const {
    const double limit = std::sqrt(6.0 / fans<Tensor>::in);
    uniform{-limit, limit}(t, rng);
  }
};
struct he_normal {
  template <class Tensor>
  void operator()(Tensor& t, random_engine& rng) const {
    normal{0, std::sqrt(2.0 / fans<Tensor>::in)}(t, rng);
  }
};

}  // namespace init

// Every tensor of rank 2 or more of an environment (a parameter set: weight
// matrices and conv kernels) with `matrices`, every other (biases) with
// `vectors`, in the environment's order.
template <class Env, class MatrixInit, class VectorInit = init::zeros>
void initialize(Env& params, random_engine& rng, const MatrixInit& matrices, const VectorInit& vectors = {}) {
  params.for_each([&](const auto&, auto& t) {
    if constexpr (std::remove_cvref_t<decltype(t)>::rank >= 2)
      matrices(t, rng);
    else
      vectors(t, rng);
  });
}

}  // namespace typegrad

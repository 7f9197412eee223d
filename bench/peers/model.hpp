#pragma once
// The benchmarked models, one description for every peer: a dense network of
// the given layer sizes, relu between layers, softmax cross-entropy averaged
// over a batch of B rows, and one SGD step. XOR is Model<double, 4, 2, 2, 2>.
#include <array>
#include <cstddef>
#include <random>
#include <vector>

namespace bench {

template <class T, std::size_t B, std::size_t... Sizes>
struct model {
  using scalar = T;
  static constexpr std::size_t batch = B;
  static constexpr std::size_t depth = sizeof...(Sizes) - 1;
  static constexpr std::array<std::size_t, sizeof...(Sizes)> sizes{Sizes...};
};

// Starting values shared by every peer: weights [in][out] and biases of each
// layer, row-major, then the batch X [B][in] and one-hot targets Y [B][out].
template <class Model>
struct start {
  std::vector<std::vector<double>> weights, biases;
  std::vector<double> x, y;
  double learning_rate = 0.1;
};

template <class Model>
start<Model> make_start(unsigned seed) {
  start<Model> s;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  for (std::size_t l = 0; l < Model::depth; ++l) {
    const std::size_t in = Model::sizes[l], out = Model::sizes[l + 1];
    std::vector<double> w(in * out), b(out);
    for (auto& v : w) v = normal(rng) / std::sqrt(double(in));
    for (auto& v : b) v = 0.1 * normal(rng);
    s.weights.push_back(w);
    s.biases.push_back(b);
  }
  const std::size_t in = Model::sizes[0], out = Model::sizes[Model::depth];
  s.x.resize(Model::batch * in);
  for (auto& v : s.x) v = normal(rng);
  s.y.assign(Model::batch * out, 0.0);
  std::uniform_int_distribution<std::size_t> label(0, out - 1);
  for (std::size_t r = 0; r < Model::batch; ++r) s.y[r * out + label(rng)] = 1;
  return s;
}

// What every peer reports after one step from the start: the loss and the
// gradients, flattened as weights then biases of each layer.
struct step_result {
  double loss = 0;
  std::vector<double> gradient;
};

}  // namespace bench

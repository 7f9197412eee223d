#pragma once
// The libtorch peer: C++ autograd on one thread, tensors created once, one
// step = forward, backward, and an SGD update under NoGradGuard.
#include <torch/torch.h>

#include <cstddef>
#include <vector>

#include "model.hpp"

namespace bench::libtorch {

template <class Model>
struct network {
  using T = typename Model::scalar;
  static constexpr auto dtype = sizeof(T) == 8 ? torch::kFloat64 : torch::kFloat32;
  std::vector<torch::Tensor> weights, biases;
  torch::Tensor x, y;
  double rate;
  double loss = 0;

  static torch::Tensor from(const std::vector<double>& v, std::vector<int64_t> shape) {
    return torch::tensor(v, torch::dtype(torch::kFloat64)).reshape(shape).to(dtype);
  }

  explicit network(const start<Model>& s) : rate(s.learning_rate) {
    torch::set_num_threads(1);
    for (std::size_t l = 0; l < Model::depth; ++l) {
      const int64_t in = int64_t(Model::sizes[l]), out = int64_t(Model::sizes[l + 1]);
      weights.push_back(from(s.weights[l], {in, out}).requires_grad_(true));
      biases.push_back(from(s.biases[l], {out}).requires_grad_(true));
    }
    const int64_t b = int64_t(Model::batch), in = int64_t(Model::sizes[0]), out = int64_t(Model::sizes[Model::depth]);
    x = from(s.x, {b, in});
    y = from(s.y, {b, out});
  }

  void step() { run(nullptr); }
  void checked_step() { run(&kept); }

  step_result kept;
  step_result result() const { return kept; }

 private:
  void run(step_result* keep) {
    torch::Tensor h = x;
    for (std::size_t l = 0; l < Model::depth; ++l) {
      h = torch::addmm(biases[l], h, weights[l]);
      if (l + 1 < Model::depth) h = torch::relu(h);
    }
    torch::Tensor total = -(y * torch::log_softmax(h, 1)).sum(1).mean();
    total.backward();
    loss = total.item<double>();
    if (keep) {
      *keep = step_result{loss, {}};
      for (std::size_t l = 0; l < Model::depth; ++l) {
        for (const auto& t : {weights[l].grad(), biases[l].grad()}) {
          auto flat = t.to(torch::kFloat64).contiguous();
          const double* p = flat.template data_ptr<double>();
          keep->gradient.insert(keep->gradient.end(), p, p + flat.numel());
        }
      }
    }
    torch::NoGradGuard no_grad;
    for (std::size_t l = 0; l < Model::depth; ++l) {
      weights[l].sub_(weights[l].grad(), rate);
      biases[l].sub_(biases[l].grad(), rate);
      weights[l].grad().zero_();
      biases[l].grad().zero_();
    }
  }
};

}  // namespace bench::libtorch

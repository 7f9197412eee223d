#pragma once
// The typegrad peer: the model written as an expression, its gradient
// derived by the compiler, then tg::sgd_step.
#include <typegrad/typegrad.hpp>

#include <cstddef>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "model.hpp"

namespace bench::tgpeer {

namespace tg = typegrad;

template <char Kind, std::size_t L>
constexpr auto layer_name() {
  const char text[] = {Kind, char('0' + L), 0};
  return tg::fixed_string<3>(text);
}
template <std::size_t L, std::size_t In, std::size_t Out>
using weight = tg::param<layer_name<'W', L>(), In, Out>;
template <std::size_t L, std::size_t Out>
using bias = tg::param<layer_name<'b', L>(), Out>;

template <class Model, class Seq = std::make_index_sequence<Model::depth>>
struct network;
template <class Model, std::size_t... L>
struct network<Model, std::index_sequence<L...>> {
  using T = typename Model::scalar;
  static constexpr std::size_t B = Model::batch, in = Model::sizes[0], out = Model::sizes[Model::depth];
  using X = tg::input<"X", B, in>;
  using Y = tg::input<"Y", B, out>;

  // z_{l+1} = relu(z_l) W_l + b_l, with no relu after the last layer.
  template <std::size_t I>
  static constexpr auto logits() {
    constexpr std::size_t i = Model::sizes[I], o = Model::sizes[I + 1];
    if constexpr (I == 0)
      return X{} * weight<I, i, o>{} + bias<I, o>{};
    else
      return tg::relu(logits<I - 1>()) * weight<I, i, o>{} + bias<I, o>{};
  }
  static constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits<Model::depth - 1>()), Y{}));
  static constexpr auto program =
      tg::grad(loss, weight<L, Model::sizes[L], Model::sizes[L + 1]>{}..., bias<L, Model::sizes[L + 1]>{}...);

  template <class Tensor>
  static void fill(Tensor& t, const std::vector<double>& values) {
    for (std::size_t i = 0; i < Tensor::size; ++i) t[i] = T(values[i]);
  }
  using environment = decltype(tg::bind(
      X{} = tg::tensor<T, B, in>{}, Y{} = tg::tensor<T, B, out>{},
      weight<L, Model::sizes[L], Model::sizes[L + 1]>{} = tg::tensor<T, Model::sizes[L], Model::sizes[L + 1]>{}...,
      bias<L, Model::sizes[L + 1]>{} = tg::tensor<T, Model::sizes[L + 1]>{}...));
  using program_type = std::remove_cvref_t<decltype(program)>;
  using gradients_type = std::remove_cvref_t<decltype(program(std::declval<const environment&>(),
                                                                std::declval<typename program_type::workspace_type&>()))>;
  // A model whose arena does not fit on the stack runs in a workspace on the
  // heap (made once, with the network); a small one on the stack, as a user
  // would call it.
  static constexpr bool in_workspace =
      tg::detail::stack_bytes<T, typename program_type::plan, gradients_type> > TYPEGRAD_STACK_WORKSPACE_LIMIT;

  // Filled in place: a large model's tensors would not fit on the stack as
  // temporaries (the network itself is made on the heap).
  environment env{};
  std::unique_ptr<typename program_type::workspace_type> workspace;
  T rate;
  gradients_type last{};

  explicit network(const start<Model>& s) : rate(T(s.learning_rate)) {
    fill(env[X{}], s.x);
    fill(env[Y{}], s.y);
    (fill(env[weight<L, Model::sizes[L], Model::sizes[L + 1]>{}], s.weights[L]), ...);
    (fill(env[bias<L, Model::sizes[L + 1]>{}], s.biases[L]), ...);
    if constexpr (in_workspace) workspace = std::make_unique<typename program_type::workspace_type>();
  }

  void step() {
    if constexpr (in_workspace) {
      const auto& g = program(env, *workspace);
      tg::sgd_step(env, g, rate);
    } else {
      const auto g = program(env);
      tg::sgd_step(env, g, rate);
    }
  }
  // One step that keeps its gradients, for checking against the other peers.
  void checked_step() {
    if constexpr (in_workspace)
      last = program(env, *workspace);
    else
      last = program(env);
    tg::sgd_step(env, last, rate);
  }

  step_result result() const {
    step_result r{double(last.value), {}};
    auto add = [&](const auto& terminal) {
      for (auto v : last[terminal]) r.gradient.push_back(double(v));
    };
    ((add(weight<L, Model::sizes[L], Model::sizes[L + 1]>{}), add(bias<L, Model::sizes[L + 1]>{})), ...);
    return r;
  }
};

}  // namespace bench::tgpeer

#pragma once
// Stochastic gradient descent.
//   tg::sgd_step(env, g, rate)     plain SGD, in place in the bindings;
//   tg::sgd opt(params, {...})     with momentum, Nesterov momentum and
//                                  (coupled, L2) weight decay; its state, one
//                                  velocity per parameter, is typed by the
//                                  parameter set and lives in the optimiser.
// Per element, with d the gradient, the rules of PyTorch's torch.optim.SGD
// (dampening 0):
//   d = d + weight_decay * p
//   b = momentum * b + d                     (b starts at zero)
//   d = nesterov ? d + momentum * b : b      (when momentum != 0)
//   p = p - learning_rate * d
#include <cstddef>
#include <string_view>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/train/parameters.hpp>

namespace typegrad {

// (auto, deduced void: instantiated at the call, so a terminal the bindings
// lack is reported at the caller's line.)
template <class... Bindings, class T, class... Wrt>
TYPEGRAD_ALWAYS_INLINE constexpr auto sgd_step(environment<Bindings...>& env, const gradients<T, Wrt...>& g,
                                               T learning_rate) {
  auto update = [&](const auto& terminal) {
    auto& value = env[terminal];
    const auto& slope = g[terminal];
    for (std::size_t i = 0; i < value.size; ++i) value[i] -= learning_rate * slope[i];
  };
  (update(Wrt{}), ...);
}

struct sgd_options {
  double learning_rate = 0.01;
  double momentum = 0;
  bool nesterov = false;
  double weight_decay = 0;
};

template <class Params>
struct sgd {
  sgd_options options;
  Params velocity{};        // zero until the first step
  std::size_t steps = 0;    // steps taken

  constexpr sgd(const Params&, sgd_options o) : options(o) {}

  // For checkpoints: the optimiser's name and its state tensors, by name.
  static constexpr std::string_view kind = "sgd";
  template <class F>
  void for_each_state(F&& f) {
    f("velocity", velocity);
  }
  template <class F>
  void for_each_state(F&& f) const {
    f("velocity", velocity);
  }

  // One step at options.learning_rate, or at a rate given for this step
  // (a schedule's value).
  // auto (deduced void): instantiated at the call, so another model's
  // parameter set, or a gradient set that misses a parameter, is reported at
  // the caller's line.
  template <class P, class G>
  constexpr auto step(P& params, const G& g) {
    return step(params, g, options.learning_rate);
  }
  template <class P, class G>
  constexpr auto step(P& params, const G& g, double learning_rate) {
    if constexpr (detail::is_own_parameter_set<Params, P>())
      if constexpr (detail::gradients_cover(typename Params::leaves{}, static_cast<const G*>(nullptr))) apply(params, g, learning_rate);
  }

 private:
  template <class G>
  constexpr void apply(Params& params, const G& g, double learning_rate) {
    using T = typename Params::scalar_type;
    const T rate = static_cast<T>(learning_rate), mu = static_cast<T>(options.momentum),
            decay = static_cast<T>(options.weight_decay);
    params.for_each([&](const auto& terminal, auto& p) {
      const auto& grad = g[terminal];
      auto& b = velocity[terminal];
      for (std::size_t i = 0; i < p.size; ++i) {
        T d = grad[i] + decay * p[i];
        if (options.momentum != 0) {
          b[i] = mu * b[i] + d;
          d = options.nesterov ? d + mu * b[i] : b[i];
        }
        p[i] -= rate * d;
      }
    });
    ++steps;
  }
};
template <class Params>
sgd(const Params&, sgd_options) -> sgd<Params>;

}  // namespace typegrad

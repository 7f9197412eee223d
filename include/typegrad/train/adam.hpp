#pragma once
// Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019). The
// state, two moments per parameter and the step count, is typed by the
// parameter set and lives in the optimiser: no heap. Per element, at step
// t = 1, 2, ... with d the gradient:
//   AdamW only:  p = p - learning_rate * weight_decay * p   (decoupled decay)
//   Adam only:   d = d + weight_decay * p                   (L2, coupled)
//   m = beta1 m + (1 - beta1) d
//   v = beta2 v + (1 - beta2) d^2
//   p = p - (learning_rate / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
// which is PyTorch's torch.optim.Adam and AdamW.
#include <cmath>
#include <cstddef>
#include <optional>
#include <string_view>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/train/parameters.hpp>

namespace typegrad {

struct adam_options {
  double learning_rate = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  // L2 for adam, decoupled for adamw. Unset, it is PyTorch's default for the
  // optimiser (torch.optim.Adam: 0, torch.optim.AdamW: 1e-2), so code ported
  // from PyTorch decays as it did there.
  std::optional<double> weight_decay{};
};

template <class Params, bool Decoupled>
struct adam_family {
  adam_options options;
  Params first_moment{};   // m
  Params second_moment{};  // v
  std::size_t steps = 0;   // steps taken

  constexpr adam_family(const Params&, adam_options o) : options(o) {}

  // For checkpoints: the optimiser's name and its state tensors, by name.
  static constexpr std::string_view kind = Decoupled ? "adamw" : "adam";
  static constexpr double default_weight_decay = Decoupled ? 1e-2 : 0.0;

  // The weight decay in effect: the option, or the optimiser's default.
  constexpr double weight_decay() const { return options.weight_decay.value_or(default_weight_decay); }
  template <class F>
  void for_each_state(F&& f) {
    f("first_moment", first_moment);
    f("second_moment", second_moment);
  }
  template <class F>
  void for_each_state(F&& f) const {
    f("first_moment", first_moment);
    f("second_moment", second_moment);
  }

  // auto (deduced void): instantiated at the call, so another model's
  // parameter set, or a gradient set that misses a parameter, is reported at
  // the caller's line.
  template <class P, class G>
  auto step(P& params, const G& g) {
    return step(params, g, options.learning_rate);
  }
  template <class P, class G>
  auto step(P& params, const G& g, double learning_rate) {
    if constexpr (detail::is_own_parameter_set<Params, P>())
      if constexpr (detail::gradients_cover(typename Params::leaves{}, static_cast<const G*>(nullptr))) apply(params, g, learning_rate);
  }

 private:
  template <class G>
  void apply(Params& params, const G& g, double learning_rate) {
    using T = typename Params::scalar_type;
    ++steps;
    const double t = static_cast<double>(steps);
    const T beta1 = static_cast<T>(options.beta1), beta2 = static_cast<T>(options.beta2);
    const T step_size = static_cast<T>(learning_rate / (1 - std::pow(options.beta1, t)));
    const T root_correction = static_cast<T>(std::sqrt(1 - std::pow(options.beta2, t)));
    const T eps = static_cast<T>(options.epsilon), decay = static_cast<T>(weight_decay());
    const T shrink = static_cast<T>(1 - learning_rate * weight_decay());
    params.for_each([&](const auto& terminal, auto& p) {
      const auto& grad = g[terminal];
      auto& m = first_moment[terminal];
      auto& v = second_moment[terminal];
      for (std::size_t i = 0; i < p.size; ++i) {
        T d = grad[i];
        if constexpr (Decoupled)
          p[i] *= shrink;
        else
          d += decay * p[i];
        m[i] = beta1 * m[i] + (T(1) - beta1) * d;
        v[i] = beta2 * v[i] + (T(1) - beta2) * d * d;
        p[i] -= step_size * m[i] / (std::sqrt(v[i]) / root_correction + eps);
      }
    });
  }
};

template <class Params>
struct adam : adam_family<Params, false> {
  using adam_family<Params, false>::adam_family;
};
template <class Params>
adam(const Params&, adam_options) -> adam<Params>;

template <class Params>
struct adamw : adam_family<Params, true> {
  using adam_family<Params, true>::adam_family;
};
template <class Params>
adamw(const Params&, adam_options) -> adamw<Params>;

}  // namespace typegrad

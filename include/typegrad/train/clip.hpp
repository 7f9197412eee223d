#pragma once
// Gradient clipping by global norm: when the L2 norm of all gradient tensors
// together exceeds max_norm, every gradient is scaled by
// max_norm / (norm + 1e-6), as torch.nn.utils.clip_grad_norm_ does. Returns
// the norm before clipping (NaN or Inf if a gradient holds one; then nothing
// is scaled, so the bad value stays visible).
#include <cmath>
#include <cstddef>
#include <tuple>

#include <typegrad/autodiff/grad.hpp>

namespace typegrad {

template <class T, class... Wrt>
double clip_by_global_norm(gradients<T, Wrt...>& g, double max_norm) {
  double squares = 0;
  std::apply([&](const auto&... t) { ((squares += [&] {
                                        double s = 0;
                                        for (std::size_t i = 0; i < t.size; ++i) s += double(t[i]) * double(t[i]);
                                        return s;
                                      }()),
                                      ...); },
             g.tensors);
  const double norm = std::sqrt(squares);
  const double scale = max_norm / (norm + 1e-6);
  if (scale < 1)
    std::apply([&](auto&... t) { ((([&] { for (std::size_t i = 0; i < t.size; ++i) t[i] = static_cast<T>(t[i] * scale); })()), ...); },
               g.tensors);
  return norm;
}

}  // namespace typegrad

#pragma once
// Gradient clipping by global norm: when the L2 norm of all gradient tensors
// together exceeds max_norm, every gradient is scaled by
// max_norm / (norm + 1e-6), as torch.nn.utils.clip_grad_norm_ does. Returns
// the norm before clipping.
//
// Non-finite gradients: if any gradient holds a NaN or an Inf, the norm is
// NaN or Inf and nothing is scaled, so the bad value stays visible. Finite
// gradients whose squares overflow (1e200) are not treated as infinite: the
// norm is then summed again over values scaled by the largest magnitude, so
// it is finite and the gradients are clipped like any others.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <tuple>

#include <typegrad/autodiff/grad.hpp>

namespace typegrad {

namespace detail {

// Calls f(x) on every gradient element, as a double.
template <class T, class... Wrt, class F>
void for_each_gradient_value(const gradients<T, Wrt...>& g, F&& f) {
  std::apply([&](const auto&... t) { (([&] { for (std::size_t i = 0; i < t.size; ++i) f(double(t[i])); })(), ...); },
             g.tensors);
}

template <class T, class... Wrt>
double global_norm(const gradients<T, Wrt...>& g) {
  double squares = 0;
  detail::for_each_gradient_value(g, [&](double x) { squares += x * x; });
  if (std::isfinite(squares)) return std::sqrt(squares);
  // An overflowed sum of finite values: sum again relative to the largest
  // magnitude, as BLAS's nrm2 does. An Inf or NaN element keeps its value.
  double largest = 0;
  bool nan = false;
  detail::for_each_gradient_value(g, [&](double x) {
    nan = nan || std::isnan(x);
    largest = std::max(largest, std::abs(x));
  });
  if (nan) return std::nan("");
  if (std::isinf(largest)) return largest;
  double scaled = 0;
  detail::for_each_gradient_value(g, [&](double x) { scaled += (x / largest) * (x / largest); });
  return largest * std::sqrt(scaled);
}

}  // namespace detail

template <class T, class... Wrt>
double clip_by_global_norm(gradients<T, Wrt...>& g, double max_norm) {
  const double norm = detail::global_norm(g);
  if (!std::isfinite(norm)) return norm;
  const double scale = max_norm / (norm + 1e-6);
  if (scale < 1)
    std::apply([&](auto&... t) { ((([&] { for (std::size_t i = 0; i < t.size; ++i) t[i] = static_cast<T>(t[i] * scale); })()), ...); },
               g.tensors);
  return norm;
}

}  // namespace typegrad

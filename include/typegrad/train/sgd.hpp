#pragma once
// Plain stochastic gradient descent: every terminal a gradient program was
// asked about moves against its gradient, in place in the bindings.
#include <cstddef>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/eval/bind.hpp>

namespace typegrad {

template <class... Bindings, class T, class... Wrt>
TYPEGRAD_ALWAYS_INLINE constexpr void sgd_step(environment<Bindings...>& env, const gradients<T, Wrt...>& g,
                                               T learning_rate) {
  auto update = [&](const auto& terminal) {
    auto& value = env[terminal];
    const auto& slope = g[terminal];
    for (std::size_t i = 0; i < value.size; ++i) value[i] -= learning_rate * slope[i];
  };
  (update(Wrt{}), ...);
}

}  // namespace typegrad

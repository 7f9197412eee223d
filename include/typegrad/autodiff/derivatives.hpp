#pragma once
// Programs built on forward and reverse mode together:
//   hvp(loss, W...)      the gradient and the Hessian-vector product, forward
//                        over reverse: the tangent of the gradient;
//   jacobian(expr, W)    the whole Jacobian, by N forward sweeps or M reverse
//                        sweeps, whichever is fewer (N inputs, M outputs);
//   hessian(loss, W)     the whole Hessian, one Hessian-vector product per
//                        column, for small W.
// Each is derived at compile time and holds only the expression's numbers.
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <typegrad/autodiff/forward.hpp>
#include <typegrad/autodiff/grad.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/eval/evaluate.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/ops/arithmetic.hpp>
#include <typegrad/ops/reduce.hpp>

namespace typegrad {

namespace detail {
// d loss / d W as a canonical expression, zeros where the loss does not use W.
template <class Loss, class W>
using gradient_t = or_zeros_t<shape_of_t<W>, cotangent_t<Loss, W>>;

// Reports a loss that is not a scalar (then loss_root_t differentiates its
// sum, so nothing else errs).
template <class E>
constexpr void check_scalar_loss() {
  static_assert(diagnostics::loss_is_scalar<shape_of_t<E>>::value, "typegrad: hvp and hessian need a scalar loss");
}

// W when it is a terminal; after the check has reported, a stand-in input
// of W's shape, so that nothing else errs.
template <class W, class w = std::remove_cvref_t<W>>
using checked_target_t = std::conditional_t<is_terminal<w>(), w, leaf_expr<input_leaf<"not a terminal", shape_of_t<w>>>>;
}  // namespace detail

// What hvp returns: the loss, its gradient and H·v, each per listed terminal
// (product[W] is the block of H·v that belongs to W).
template <class T, class... Wrt>
struct hvp_result {
  T value{};
  gradients<T, Wrt...> gradient{};
  gradients<T, Wrt...> product{};
};

// hvp(loss, W...): call it with the bindings of the loss and of the seeds
// tangent(W)..., the vector v:
//   const auto r = tg::hvp(loss, W)(params, tg::bind(X = x, tg::tangent(W) = v));
//   r.product[W] is H·v; r.gradient[W] the gradient.
template <class Loss, std::size_t NumberCount, class... Wrt>
struct hvp_program {
  using loss_type = Loss;
  std::array<double, NumberCount> numbers{};

  template <binding_source Env>
  TYPEGRAD_FLATTEN auto operator()(const Env& env) const {
    using T = typename Env::scalar_type;
    hvp_result<T, Wrt...> out{};
    auto values = detail::evaluate_roots<T, NumberCount, Loss, detail::gradient_t<Loss, Wrt>...,
                                         tangent_t<detail::gradient_t<Loss, Wrt>, Wrt...>...>(env, numbers);
    out.value = std::get<0>(values)[0];
    out.gradient.value = out.value;
    out.product.value = out.value;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((std::get<I>(out.gradient.tensors) = std::get<1 + I>(values)), ...);
      ((std::get<I>(out.product.tensors) = std::get<1 + sizeof...(Wrt) + I>(values)), ...);
    }(std::index_sequence_for<Wrt...>{});
    return out;
  }
  template <environment_type... Envs>
    requires(sizeof...(Envs) >= 2)
  auto operator()(const Envs&... envs) const {
    return (*this)(detail::join_environments(envs...));
  }
};

template <expression E, expression... Wrt>
constexpr auto hvp(const E& loss, const Wrt&...) {
  static_assert(diagnostics::derivative_lists_terminals<sizeof...(Wrt)>::value, "typegrad: hvp(loss, W...) needs at least one terminal");
  detail::check_scalar_loss<E>();
  const auto form = typegrad::canonicalize(loss);
  using root = detail::loss_root_t<typename decltype(form)::expression_type>;
  return [&]<class... W>(type_list<W...>) {
    return hvp_program<root, decltype(form)::number_count, W...>{form.numbers};
  }(detail::checked_terminals_t<Wrt...>{});
}

// ---- Jacobians -----------------------------------------------------------------

// How a Jacobian is swept: automatic picks forward when W has no more
// elements than the output (N <= M), else reverse.
enum class jacobian_mode { automatic, forward, reverse };

namespace detail {
// The seed of the reverse sweeps: one output row of the Jacobian at a time.
template <class S>
using row_seed_t = leaf_expr<input_leaf<"jacobian row seed", S>>;

// What one sweep seeds and computes: a column J e_j (forward), or a row
// e_iᵀ J, the gradient of <e_i, expr> (reverse).
template <class E, class W, jacobian_mode Mode>
struct jacobian_sweep {
  using seed = tangent_terminal_t<leaf_of_t<W>>;
  using swept = tangent_t<E, W>;
};
template <class E, class W>
struct jacobian_sweep<E, W, jacobian_mode::reverse> {
  using seed = row_seed_t<shape_of_t<E>>;
  using swept = gradient_t<canonical_t<decltype(typegrad::sum(typegrad::hadamard(E{}, seed{})))>, W>;
};

// One sweep: Swept evaluated with the bindings and Seed bound to a value.
template <class T, class Seed, class Swept, std::size_t NumberCount, class... Envs>
auto seeded_run(const std::array<double, NumberCount>& numbers, const Envs&... envs) {
  return [&numbers, &envs...](const auto& value) {
    const auto seed_binding = typegrad::bind(Seed{} = value);
    const auto seeded = detail::join_environments(envs..., seed_binding);
    return std::get<0>(detail::evaluate_roots<T, NumberCount, Swept>(seeded, numbers));
  };
}

// Sets seed to the I-th unit vector, runs, and hands the result to store.
template <class Seed, class T, std::size_t Count, class Run, class Store>
void sweep_unit_vectors(Run run, Store store) {
  tensor_for_t<T, typename leaf_of_t<Seed>::shape_type> seed{};
  for (std::size_t i = 0; i < Count; ++i) {
    seed[i] = T(1);
    store(i, run(seed));
    seed[i] = T(0);
  }
}
}  // namespace detail

// The Jacobian d expr / d W as a tensor [M, N]: M = elements of expr, N =
// elements of W, both in row-major order. Row i is the gradient of output i;
// column j the tangent along W's j-th element.
template <class E, std::size_t NumberCount, class W, jacobian_mode Requested>
struct jacobian_program {
  static constexpr std::size_t outputs = shape_of_t<E>::size;
  static constexpr std::size_t inputs = shape_of_t<W>::size;
  static constexpr jacobian_mode mode =
      Requested != jacobian_mode::automatic ? Requested : (inputs <= outputs ? jacobian_mode::forward : jacobian_mode::reverse);
  using seed = typename detail::jacobian_sweep<E, W, mode>::seed;
  using swept = typename detail::jacobian_sweep<E, W, mode>::swept;
  std::array<double, NumberCount> numbers{};

  // The bindings (params, data, ...) as separate environments: each sweep
  // joins them with its seed.
  template <environment_type... Envs>
  TYPEGRAD_FLATTEN auto operator()(const Envs&... envs) const {
    using T = typename decltype(detail::join_environments(envs...))::scalar_type;
    tensor<T, outputs, inputs> out{};
    const auto run = detail::seeded_run<T, seed, swept>(numbers, envs...);
    if constexpr (mode == jacobian_mode::forward) {
      detail::sweep_unit_vectors<seed, T, inputs>(run, [&](std::size_t j, const auto& column) {
        for (std::size_t i = 0; i < outputs; ++i) out[i * inputs + j] = column[i];
      });
    } else {
      detail::sweep_unit_vectors<seed, T, outputs>(run, [&](std::size_t i, const auto& row) {
        for (std::size_t j = 0; j < inputs; ++j) out[i * inputs + j] = row[j];
      });
    }
    return out;
  }
};

template <jacobian_mode Mode = jacobian_mode::automatic, expression E, expression W>
constexpr auto jacobian(const E& expr, const W&) {
  const auto form = typegrad::canonicalize(expr);
  return jacobian_program<typename decltype(form)::expression_type, decltype(form)::number_count, detail::checked_target_t<W>,
                          Mode>{form.numbers};
}

// ---- Hessians --------------------------------------------------------------------

// The Hessian d² loss / d W² as a tensor [N, N], N = elements of W: column j
// is H·e_j, one forward-over-reverse sweep each. For a W of a few hundred
// elements at most; beyond that, take products with hvp.
template <class Loss, std::size_t NumberCount, class W>
struct hessian_program {
  static constexpr std::size_t size = shape_of_t<W>::size;
  using seed = detail::tangent_terminal_t<leaf_of_t<W>>;
  using swept = tangent_t<detail::gradient_t<Loss, W>, W>;
  std::array<double, NumberCount> numbers{};

  template <environment_type... Envs>
  TYPEGRAD_FLATTEN auto operator()(const Envs&... envs) const {
    using T = typename decltype(detail::join_environments(envs...))::scalar_type;
    tensor<T, size, size> out{};
    const auto run = detail::seeded_run<T, seed, swept>(numbers, envs...);
    detail::sweep_unit_vectors<seed, T, size>(run, [&](std::size_t j, const auto& column) {
      for (std::size_t i = 0; i < size; ++i) out[i * size + j] = column[i];
    });
    return out;
  }
};

template <expression E, expression W>
constexpr auto hessian(const E& loss, const W&) {
  detail::check_scalar_loss<E>();
  const auto form = typegrad::canonicalize(loss);
  using root = detail::loss_root_t<typename decltype(form)::expression_type>;
  return hessian_program<root, decltype(form)::number_count, detail::checked_target_t<W>>{form.numbers};
}

}  // namespace typegrad

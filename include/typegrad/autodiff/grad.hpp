#pragma once
// grad(loss, t1, t2, ...): the reverse sweep, done by the compiler.
//
// The cotangent of a node N is the sum, over every consumer P of N and every
// operand slot I of P that holds N, of P's VJP rule for slot I applied to P's
// own cotangent. Each cotangent is a class template specialisation of
// (Loss, N), so the compiler computes it once; the rules build expressions
// that refer to the forward nodes by type, never copy them, and each sum is
// normalised (simplified) before it is used. The
// gradient program is then the forward graph and the cotangents of the listed
// terminals, placed in one topological order: shared nodes are one slot.
#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <boost/mp11/algorithm.hpp>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/eval/evaluate.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/graph/params.hpp>
#include <typegrad/graph/topo.hpp>
#include <typegrad/kernels/loops.hpp>
#include <typegrad/ops/arithmetic.hpp>
#include <typegrad/ops/reduce.hpp>

namespace typegrad {

namespace detail {

template <class Acc, class C>
constexpr auto accumulate(const Acc& acc, const C& contribution) {
  if constexpr (same_type<C, no_grad>)
    return acc;
  else if constexpr (same_type<Acc, no_grad>)
    return contribution;
  else
    return typegrad::add(acc, contribution);
}

template <class Loss, class N>
struct cotangent_of;

// Adds what consumer P passes back to N, once per operand slot of P that is N.
template <class Loss, class N, class P, std::size_t I = 0, class Acc>
constexpr auto from_consumer(const Acc& acc) {
  if constexpr (I == traits<P>::arity) {
    return acc;
  } else if constexpr (same_type<child_t<I, P>, N>) {
    using u = typename cotangent_of<Loss, P>::type;
    if constexpr (same_type<u, no_grad>)
      return acc;
    else
      return detail::from_consumer<Loss, N, P, I + 1>(detail::accumulate(acc, op_of_t<P>::template vjp<I>(P{}, u{})));
  } else {
    return detail::from_consumer<Loss, N, P, I + 1>(acc);
  }
}

template <class P, class N>
struct consumes : std::false_type {};
template <class P, class N>
  requires(!leaf_expression<P>)
struct consumes<P, N> : list_contains<children_t<P>, N> {};

// The consumers of N among the nodes Order, in order: a flat filter, one
// builtin membership test per node.
template <class N, class Order>
struct consumers_of;
template <class N, class... P>
struct consumers_of<N, type_list<P...>> {
  using type = mp11::mp_append<type_list<>, std::conditional_t<consumes<P, N>::value, type_list<P>, type_list<>>...>;
};

// The sum of N's contributions, folded over its consumers with mp_fold: no
// operator on node types (an operator would be looked up in every namespace
// the node types name, a walk of the whole subgraph), and an instantiation
// depth that does not grow with the number of consumers.
template <class Loss, class N>
struct add_contribution {
  template <class Acc, class P>
  using fn = decltype(detail::from_consumer<Loss, N, P>(Acc{}));
};
template <class Loss, class N, class Consumers>
using gather_t = mp11::mp_fold_q<Consumers, no_grad, add_contribution<Loss, N>>;

// dLoss/dN as a canonical expression, or no_grad. A class template, so the
// compiler computes each (Loss, N) once.
template <class E>
struct normalised {
  using type = canonical_t<E>;
};
template <>
struct normalised<no_grad> {
  using type = no_grad;
};
template <class Loss, class N>
struct cotangent_of {
  using type = typename normalised<gather_t<Loss, N, typename consumers_of<N, node_list_t<Loss>>::type>>::type;
};
template <class Loss>
struct cotangent_of<Loss, Loss> {
  using type = std::remove_cvref_t<decltype(literal<1>)>;
};

}  // namespace detail

// The cotangent expression of N in the gradient of Loss (both canonical).
template <class Loss, class N>
using cotangent_t = typename detail::cotangent_of<Loss, N>::type;

// What a gradient program returns: the loss and one gradient per listed terminal.
template <class T, class... Wrt>
struct gradients {
  using value_type = T;
  T value{};
  std::tuple<tensor_for_t<T, shape_of_t<Wrt>>...> tensors{};

  template <expression W>
  constexpr decltype(auto) operator[](const W&) {
    if constexpr (listed<W>())
      return std::get<index_in<W, type_list<Wrt...>>::value>(tensors);
    else
      return (detail::zeros_of<T, shape_of_t<W>>);  // reported by listed()
  }
  template <expression W>
  constexpr decltype(auto) operator[](const W&) const {
    if constexpr (listed<W>())
      return std::get<index_in<W, type_list<Wrt...>>::value>(tensors);
    else
      return (detail::zeros_of<T, shape_of_t<W>>);
  }

 private:
  template <class W>
  static constexpr bool listed() {
    constexpr bool found = index_in<W, type_list<Wrt...>>::value < sizeof...(Wrt);
    static_assert(found || diagnostics::gradient_lists_terminal<diagnostics::spelled_t<leaf_of_t<W>::name>,
                                                                diagnostics::spelled_t<leaf_of_t<Wrt>::name>...>::value,
                  "typegrad: g[t] names a terminal that was not listed in grad(loss, ...)");
    return found;
  }
};

namespace detail {
// An optimiser updates every parameter of its set, so g must list each one:
// reports the first that it does not.
template <class Listed, class... Leaves>
constexpr std::size_t first_unlisted_leaf() {
  constexpr bool listed[] = {(index_in<leaf_expr<Leaves>, Listed>::value < Listed::size)..., false};
  std::size_t i = 0;
  while (i < sizeof...(Leaves) && listed[i]) ++i;
  return i;
}
template <class... Leaves, class T, class... Wrt>
constexpr bool gradients_cover(type_list<Leaves...>, const gradients<T, Wrt...>*) {
  constexpr std::size_t first_unlisted = first_unlisted_leaf<type_list<Wrt...>, Leaves...>();
  if constexpr (first_unlisted < sizeof...(Leaves)) {
    using missing = typename at<first_unlisted, type_list<Leaves...>>::type;
    static_assert(diagnostics::gradients_list_parameter<diagnostics::spelled_t<missing::name>,
                                                        diagnostics::spelled_t<leaf_of_t<Wrt>::name>...>::value,
                  "typegrad: the optimiser's parameter set has a parameter the gradients do not list");
  }
  return first_unlisted == sizeof...(Leaves);
}
}  // namespace detail

// The program grad(...) returns. Loss is canonical; the numbers are the values
// of its constant_leaf<I> terminals.
template <class Loss, std::size_t NumberCount, class... Wrt>
struct gradient_program {
  using loss_type = Loss;
  using wrt = type_list<Wrt...>;
  // Every node the program computes, forward then backward, in order.
  using nodes = node_list_t<Loss, cotangent_t<Loss, Wrt>...>;

  std::array<double, NumberCount> numbers{};

  // Where each node lives: one arena, reused by liveness (eval/evaluate.hpp).
  using plan = detail::memory_plan<nodes, type_list<Loss, cotangent_t<Loss, Wrt>...>>;
  // Storage the caller owns, for a model too large for the stack: the
  // gradients, then the arena. One type serves float and double runs.
  //   auto ws = std::make_unique<typename decltype(step)::workspace_type>();
  //   const auto& g = step(env, *ws);   // g lives in *ws until its next use
  using workspace_type = detail::workspace<sizeof(gradients<double, Wrt...>), plan::arena_elements>;
  static constexpr std::size_t workspace_bytes = sizeof(workspace_type);
  // Elements of the arena, and what one slot per node would take.
  static constexpr std::size_t planned_elements = plan::plan.size;
  static constexpr std::size_t unplanned_elements = plan::plan.naive;

  // flatten: the whole program, every node's kernel, is one function of
  // straight-line code, with calls left only to the math library (exp, log).
  // auto: the body is instantiated at the call, so a binding error shows the
  // caller's line. The arena and the result are on the stack: a program that
  // would need more than TYPEGRAD_STACK_WORKSPACE_LIMIT bytes is a compile
  // error that says to pass a workspace.
  template <binding_source Env>
  TYPEGRAD_FLATTEN constexpr auto operator()(const Env& env) const {
    using T = typename Env::scalar_type;
    gradients<T, Wrt...> out{};
    if constexpr (detail::ready_to_run<Env, nodes>()) {
      constexpr std::size_t needed = detail::stack_bytes<T, plan, gradients<T, Wrt...>>;
      static_assert(diagnostics::workspace_fits_on_the_stack<needed, TYPEGRAD_STACK_WORKSPACE_LIMIT>::value,
                    "typegrad: this gradient program needs more stack than TYPEGRAD_STACK_WORKSPACE_LIMIT; pass a "
                    "workspace: auto ws = std::make_unique<typename decltype(program)::workspace_type>(); "
                    "const auto& g = program(env, *ws)");
      alignas(64) T arena[plan::arena_elements];
      run_into(env, arena, out);
    }
    return out;
  }

  // In a workspace: nothing on the stack but the kernels' own, and the
  // gradients stay in the workspace (no copy); the reference is valid until
  // the workspace's next use.
  template <binding_source Env>
  TYPEGRAD_FLATTEN auto operator()(const Env& env, workspace_type& ws) const
      -> const gradients<typename Env::scalar_type, Wrt...>& {
    using T = typename Env::scalar_type;
    auto& out = ws.template make_result<gradients<T, Wrt...>>();
    if constexpr (detail::ready_to_run<Env, nodes>()) run_into(env, ws.template arena<T>(), out);
    return out;
  }
  template <environment_type Params, environment_type Data>
  auto operator()(const Params& params, const Data& data, workspace_type& ws) const
      -> const gradients<typename detail::first_bound_scalar<Params, Data>::scalar_type, Wrt...>& {
    return (*this)(detail::join_environments(params, data), ws);
  }

  // Parameters and data passed apart: step(params, data). Both are read in
  // place, so one parameter set serves batches of any size.
  template <environment_type... Envs>
    requires(sizeof...(Envs) >= 2)
  constexpr auto operator()(const Envs&... envs) const {
    return (*this)(detail::join_environments(envs...));
  }

 private:
  template <class Env, class T>
  TYPEGRAD_ALWAYS_INLINE constexpr void run_into(const Env& env, T* arena, gradients<T, Wrt...>& out) const {
    detail::evaluation<T, Env, NumberCount, nodes, plan> run{env, numbers, arena};
    run.run();
    out.value = run.template value<Loss>()[0];
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (store<cotangent_t<Loss, Wrt>>(run, std::get<I>(out.tensors)), ...);
    }(std::index_sequence_for<Wrt...>{});
  }

  template <class Cotangent, class Run, class Out>
  TYPEGRAD_ALWAYS_INLINE static constexpr void store(const Run& run, Out& out) {
    if constexpr (same_type<Cotangent, no_grad>) {
      out = Out{};  // the loss does not depend on this terminal
    } else {
      kernels::copy_into(out, run.template value<Cotangent>());
    }
  }
};

namespace detail {
// What a program differentiates: the canonical loss, or after a failed
// scalar check its sum, so that only the check reports.
template <class Canonical>
using loss_root_t = std::conditional_t<shape_of_t<Canonical>::rank == 0, Canonical, decltype(typegrad::sum(Canonical{}))>;

template <expression E, expression... Wrt>
constexpr auto grad_listed(const E& loss, const Wrt&...) {
  static_assert(diagnostics::loss_is_scalar<shape_of_t<E>>::value, "typegrad: grad needs a scalar loss");
  static_assert((diagnostics::grad_target_is_terminal<std::remove_cvref_t<Wrt>, leaf_expression<std::remove_cvref_t<Wrt>>>::value && ...),
                "typegrad: grad differentiates with respect to terminals (params and inputs) only");
  const auto form = typegrad::canonicalize(loss);
  using canonical = typename decltype(form)::expression_type;
  using root = loss_root_t<canonical>;
  constexpr std::size_t numbers = std::remove_cvref_t<decltype(form)>::number_count;
  // Two terminals of one name are reported here, at grad, not first when the
  // program is called; then no cotangent is derived.
  if constexpr (!detail::check_terminal_names(node_list_t<root>{}))
    return gradient_program<root, numbers>{form.numbers};
  else
    return gradient_program<root, numbers, std::remove_cvref_t<Wrt>...>{form.numbers};
}
template <class E, class... Leaves>
constexpr auto grad_all_params(const E& loss, type_list<Leaves...>) {
  return detail::grad_listed(loss, leaf_expr<Leaves>{}...);
}
}  // namespace detail

// Derives the gradient of a scalar loss with respect to the listed params and
// inputs; with none listed, with respect to every param of the loss, in the
// order of tg::parameters. Everything is decided at compile time; the program
// holds only the values of the numbers written in the loss.
template <expression E, expression... Wrt>
constexpr auto grad(const E& loss, const Wrt&... wrt) {
  if constexpr (sizeof...(Wrt) == 0)
    return detail::grad_all_params(loss, param_leaves_t<E>{});
  else
    return detail::grad_listed(loss, wrt...);
}

}  // namespace typegrad

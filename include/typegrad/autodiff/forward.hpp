#pragma once
// Forward mode, and derivatives as expressions.
//
// The tangent of a node N, given a tangent for each seeded terminal, is the
// sum over N's operand slots I of N's JVP rule for slot I applied to the
// tangent of that operand. As for cotangents (grad.hpp), each tangent is a
// class template specialisation of (Seeds, N), computed once per node and
// normalised, so shared nodes stay shared.
//
// The seed of terminal W is itself a terminal, tg::tangent(W): an input named
// W' of W's shape, bound like any input. A tangent expression is an ordinary
// expression of the forward nodes and those seeds, and so is a derivative
// (tg::derivative): both can be evaluated, printed, emitted and
// differentiated again.
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/fixed_string.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/eval/evaluate.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/graph/topo.hpp>
#include <typegrad/ops/reduce.hpp>

namespace typegrad {

namespace detail {

// W's name with a prime: the seed of W is W'.
template <fixed_string Name>
constexpr auto primed() {
  char text[Name.size() + 2]{};
  for (std::size_t i = 0; i < Name.size(); ++i) text[i] = Name.chars[i];
  text[Name.size()] = '\'';
  return fixed_string<Name.size() + 2>(text);
}

template <class Leaf>
using tangent_terminal_t = leaf_expr<input_leaf<detail::primed<Leaf::name>(), typename Leaf::shape_type>>;

// A derivative that is identically zero, as an expression of its shape.
template <class S, class E>
using or_zeros_t = std::conditional_t<same_type<E, no_grad>, canonical_t<decltype(typegrad::broadcast<S>(literal<0>))>, E>;

template <class Seeds, class N>
struct tangent_of_node;

// What operand slot I of N adds to N's tangent.
template <class Seeds, class N, std::size_t I>
constexpr auto operand_tangent() {
  using t = typename tangent_of_node<Seeds, child_t<I, N>>::type;
  if constexpr (same_type<t, no_grad>)
    return no_grad{};
  else
    return op_of_t<N>::template jvp<I>(N{}, t{});
}
template <class Seeds, class N>
struct add_operand_tangent {
  template <class Acc, class I>
  using fn = decltype(detail::accumulate(Acc{}, detail::operand_tangent<Seeds, N, I::value>()));
};

template <class Seeds, class N>
struct tangent_of_node {
  using type = typename normalised<mp11::mp_fold_q<mp11::mp_iota_c<traits<N>::arity>, no_grad, add_operand_tangent<Seeds, N>>>::type;
};
template <class Seeds, class Leaf>
struct tangent_of_node<Seeds, leaf_expr<Leaf>> {
  using type = no_grad;
};
template <class Seeds, class Leaf>
  requires list_contains<Seeds, leaf_expr<Leaf>>::value
struct tangent_of_node<Seeds, leaf_expr<Leaf>> {
  using type = tangent_terminal_t<Leaf>;
};

// A derivative expression is built from the canonical types alone, so the
// runtime numbers of the expression it comes from would be lost: refused.
template <fixed_string Operation, class E>
constexpr bool holds_only_exact_numbers() {
  static_assert(diagnostics::derived_expression_has_exact_numbers<diagnostics::spelled_t<Operation>, shape_of_t<E>,
                                                                  number_count<E>::value>::value,
                "typegrad: a derivative expression needs exact numbers: write constants as tg::literal<N, D> or bind "
                "them as inputs (programs such as grad, jvp and hvp take any number)");
  return number_count<E>::value == 0;
}

template <class W>
constexpr bool is_terminal() {
  static_assert(diagnostics::grad_target_is_terminal<W, leaf_expression<W>>::value,
                "typegrad: derivatives are taken with respect to terminals (params and inputs) only");
  return leaf_expression<W>;
}
// The listed terminals, each checked; none after a check has reported.
template <class... Wrt>
using checked_terminals_t =
    std::conditional_t<(is_terminal<std::remove_cvref_t<Wrt>>() && ...), type_list<std::remove_cvref_t<Wrt>...>, type_list<>>;

}  // namespace detail

// The tangent (seed) terminal of a param or input W: an input named W', of
// W's shape. Bind it to the direction: tg::bind(tg::tangent(W) = v).
template <expression W>
constexpr auto tangent(const W&) {
  using w = std::remove_cvref_t<W>;
  if constexpr (detail::is_terminal<w>())
    return detail::tangent_terminal_t<leaf_of_t<w>>{};
  else
    return w{};
}

// The tangent of N when the listed terminals move along their seeds
// tg::tangent(W): canonical, and zeros where N does not depend on them.
template <class N, class... Wrt>
using tangent_t = detail::or_zeros_t<shape_of_t<N>, typename detail::tangent_of_node<type_list<Wrt...>, N>::type>;

// d expr along (tangent(wrt)...), as an expression: the directional
// derivative, J·v for the seeds v. Forward mode, one sweep.
template <expression E, expression... Wrt>
constexpr auto tangent_of(const E&, const Wrt&...) {
  using e = std::remove_cvref_t<E>;
  if constexpr (detail::holds_only_exact_numbers<"tangent_of", e>() && (detail::is_terminal<std::remove_cvref_t<Wrt>>() && ...))
    return tangent_t<canonical_t<e>, std::remove_cvref_t<Wrt>...>{};
  else
    return canonical_t<e>{};
}

// d loss / d wrt, as an expression of wrt's shape: reverse mode, derived by
// the compiler as grad's cotangents are. Differentiate it again, put it in a
// loss (a physics-informed network's u''), evaluate, print or emit it.
template <expression E, expression W>
constexpr auto derivative(const E&, const W&) {
  using e = std::remove_cvref_t<E>;
  using w = std::remove_cvref_t<W>;
  static_assert(diagnostics::loss_is_scalar<shape_of_t<e>>::value,
                "typegrad: derivative(loss, x) needs a scalar loss; for an output y, take derivative(sum(y), x) or "
                "tg::jacobian");
  if constexpr (shape_of_t<e>::rank == 0 && detail::holds_only_exact_numbers<"derivative", e>() && detail::is_terminal<w>())
    return detail::or_zeros_t<shape_of_t<w>, cotangent_t<canonical_t<e>, w>>{};
  else
    return detail::or_zeros_t<shape_of_t<w>, no_grad>{};
}

// ---- programs ----------------------------------------------------------------

namespace detail {

// Runs the nodes of several roots in one sweep, in one arena on the stack,
// and copies each root out.
template <class T, std::size_t NumberCount, class... Roots, class Env>
auto evaluate_roots(const Env& env, const std::array<double, NumberCount>& numbers) {
  using nodes = node_list_t<Roots...>;
  using plan = memory_plan<nodes, type_list<Roots...>>;
  using result = std::tuple<tensor_for_t<T, shape_of_t<Roots>>...>;
  result out{};
  if constexpr (detail::ready_to_run<Env, nodes>()) {
    constexpr std::size_t needed = detail::stack_bytes<T, plan, result>;
    static_assert(diagnostics::workspace_fits_on_the_stack<needed, TYPEGRAD_STACK_WORKSPACE_LIMIT>::value,
                  "typegrad: this derivative program needs more stack than TYPEGRAD_STACK_WORKSPACE_LIMIT");
    alignas(64) T arena[plan::arena_elements];
    detail::evaluation<T, Env, NumberCount, nodes, plan> run{env, numbers, arena};
    run.run();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (kernels::copy_into(std::get<I>(out), run.template value<Roots>()), ...);
    }(std::index_sequence_for<Roots...>{});
  }
  return out;
}

}  // namespace detail

// What jvp returns: the value of the expression and its tangent.
template <class Value, class Tangent>
struct jvp_result {
  Value value;
  Tangent tangent;
};

// jvp(expr, W...): the program that computes expr and its tangent along the
// seeds tangent(W)... in one forward sweep. Call it with the bindings of
// expr and of the seeds:
//   auto [y, dy] = tg::jvp(f, X)(params, tg::bind(X = x, tg::tangent(X) = v));
template <class E, std::size_t NumberCount, class... Wrt>
struct jvp_program {
  using value_type = E;
  using tangent_type = tangent_t<E, Wrt...>;
  std::array<double, NumberCount> numbers{};

  template <binding_source Env>
  TYPEGRAD_FLATTEN auto operator()(const Env& env) const {
    using T = typename Env::scalar_type;
    auto [value, tangent] = detail::evaluate_roots<T, NumberCount, E, tangent_type>(env, numbers);
    return jvp_result<decltype(value), decltype(tangent)>{value, tangent};
  }
  template <environment_type... Envs>
    requires(sizeof...(Envs) >= 2)
  auto operator()(const Envs&... envs) const {
    return (*this)(detail::join_environments(envs...));
  }
};

template <expression E, expression... Wrt>
constexpr auto jvp(const E& expr, const Wrt&...) {
  static_assert(diagnostics::derivative_lists_terminals<sizeof...(Wrt)>::value, "typegrad: jvp(expr, W...) needs at least one terminal to move");
  const auto form = typegrad::canonicalize(expr);
  return [&]<class... W>(type_list<W...>) {
    return jvp_program<typename decltype(form)::expression_type, decltype(form)::number_count, W...>{form.numbers};
  }(detail::checked_terminals_t<Wrt...>{});
}

}  // namespace typegrad

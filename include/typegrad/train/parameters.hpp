#pragma once
// tg::parameters<T>(loss): the typed set of a model's parameters, one
// zero-filled tensor of scalar type T per param terminal, reached by terminal
// (params[W1]). It is an environment, so it is what eval, gradient programs,
// optimisers and checkpoints all take; data is bound apart with tg::bind and
// passed beside it: step(params, data).
#include <type_traits>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/tensor.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/eval/evaluate.hpp>
#include <typegrad/graph/params.hpp>

namespace typegrad {

namespace detail {
template <class T, class Leaves>
struct parameter_set;
template <class T, class... Leaves>
struct parameter_set<T, type_list<Leaves...>> {
  using type = environment<binding<Leaves, tensor_for_t<T, typename Leaves::shape_type>>...>;
};

// A parameter set spelled for a diagnostic: its scalar type, and each
// terminal's name and shape. Anything else is shown as it is.
template <class Set>
struct spelled_set {
  using type = Set;
};
template <class... Bindings>
struct spelled_set<environment<Bindings...>> {
  using type = diagnostics::parameter_set<typename environment<Bindings...>::scalar_type,
                                          diagnostics::terminal<diagnostics::spelled_t<Bindings::leaf::name>,
                                                                typename Bindings::leaf::shape_type>...>;
};
// Whether an optimiser made for MadeFor was given that set; if not, the one
// error names both sets.
template <class MadeFor, class Given>
constexpr bool is_own_parameter_set() {
  constexpr bool same = same_type<MadeFor, Given>;
  static_assert(diagnostics::optimiser_steps_its_parameter_set<typename spelled_set<MadeFor>::type,
                                                               typename spelled_set<Given>::type, same>::value,
                "typegrad: an optimiser steps the parameter set it was made for, and was given another");
  return same;
}
}  // namespace detail

// The parameter-set type of expression E in scalar type T. Default-constructible
// and zero-filled: for a large model hold it on the heap,
// std::make_unique<tg::parameters_t<float, decltype(loss)>>().
template <class T, class E>
using parameters_t = typename detail::parameter_set<T, param_leaves_t<E>>::type;

template <class T, expression E>
constexpr parameters_t<T, E> parameters(const E&) {
  static_assert(diagnostics::scalar_is_float_or_double<T>::value, "typegrad: parameters<T> needs T to be float or double");
  detail::check_terminal_names(node_list_t<canonical_t<E>>{});
  return {};
}

}  // namespace typegrad

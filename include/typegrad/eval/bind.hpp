#pragma once
// Bindings: data enters only at evaluation time, by name.
//   auto env = tg::bind(W = tensor, X = tensor, ...);
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <boost/hana/count_if.hpp>
#include <boost/hana/index_if.hpp>
#include <boost/hana/optional.hpp>
#include <boost/hana/type.hpp>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/tensor.hpp>

namespace typegrad {

// One terminal bound to one value; made by `terminal = tensor`.
template <class Leaf, class Tensor>
struct binding {
  using leaf = Leaf;
  using tensor_type = Tensor;
  Tensor value;
};

template <class... Bindings>
struct environment;

namespace detail {
// Whether a binding type is for the terminal called Name.
template <fixed_string Name>
constexpr auto named = [](auto binding_type) {
  return hana::bool_c<decltype(binding_type)::type::leaf::name == Name>;
};
// The position of the binding named Name, or sizeof...(B) when there is none.
template <fixed_string Name, class... B>
constexpr std::size_t binding_index() {
  constexpr auto found = hana::index_if(hana::tuple_t<B...>, named<Name>);
  if constexpr (found == hana::nothing)
    return sizeof...(B);
  else
    return std::remove_cvref_t<decltype(*found)>::value;
}
template <fixed_string Name, class... B>
constexpr std::size_t binding_count() {
  return decltype(hana::count_if(hana::tuple_t<B...>, named<Name>))::value;
}
// Zeros of a shape, returned after a failed lookup so that the failure's
// static_assert is the only error.
template <class T, class S>
inline constexpr tensor_for_t<T, S> zeros_of{};
}  // namespace detail

template <class... Bindings>
struct environment {
  // The scalar type of every bound tensor (double when nothing is bound).
  using scalar_type = typename std::tuple_element_t<0, std::tuple<typename Bindings::tensor_type..., tensor<double>>>::value_type;

  std::tuple<Bindings...> bindings;

  // The value bound to Leaf's name.
  template <class Leaf>
  constexpr const auto& lookup() const {
    constexpr std::size_t i = detail::binding_index<Leaf::name, Bindings...>();
    if constexpr (i == sizeof...(Bindings)) {
      static_assert(diagnostics::bindings_provide_terminal<diagnostics::spelled_t<Leaf::name>, typename Leaf::shape_type, false>::value,
                    "typegrad: the expression needs a terminal that the bindings lack");
      return detail::zeros_of<scalar_type, typename Leaf::shape_type>;
    } else {
      using bound = std::tuple_element_t<i, std::tuple<Bindings...>>;
      static_assert(diagnostics::one_name_one_terminal<diagnostics::spelled_t<Leaf::name>, Leaf, typename bound::leaf>::value,
                    "typegrad: a terminal is bound under its name, but with another shape or kind");
      return std::get<i>(bindings).value;
    }
  }
  // env[W]: the value bound to a terminal, to read or to update in place.
  template <expression E>
  constexpr const auto& operator[](const E&) const {
    return lookup<leaf_of_t<E>>();
  }
  template <expression E>
  constexpr auto& operator[](const E&) {
    return lookup_mutable<leaf_of_t<E>>();
  }

  template <class Leaf>
  constexpr auto& lookup_mutable() {
    return const_cast<std::remove_cvref_t<decltype(lookup<Leaf>())>&>(std::as_const(*this).template lookup<Leaf>());
  }
};

template <class... Bindings>
constexpr environment<Bindings...> bind(const Bindings&... bindings) {
  static_assert(diagnostics::bindings_share_one_scalar_type<typename Bindings::tensor_type::value_type...>::value,
                "typegrad: bind mixes float and double tensors; bind all of one scalar type");
  static_assert((diagnostics::bound_once<diagnostics::spelled_t<Bindings::leaf::name>, detail::binding_count<Bindings::leaf::name, Bindings...>()>::value && ...),
                "typegrad: bind names one terminal twice");
  return {{bindings...}};
}

}  // namespace typegrad

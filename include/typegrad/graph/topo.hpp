#pragma once
// The graph of canonical expressions: the distinct nodes in topological order
// (operands before the nodes that use them), one entry per node type.
#include <cstddef>
#include <type_traits>

#include <boost/hana/append.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <typegrad/core/expr.hpp>

namespace typegrad {

namespace detail {

template <class... C>
constexpr auto children_types(type_list<C...>) {
  return hana::tuple_t<C...>;
}

// Depth-first, post-order, skipping nodes already placed.
template <class E, class Seen>
constexpr auto place(Seen seen) {
  if constexpr (std::is_same_v<E, no_grad> || decltype(hana::contains(seen, hana::type_c<E>))::value) {
    return seen;
  } else if constexpr (is_leaf_expr_v<E>) {
    return hana::append(seen, hana::type_c<E>);
  } else {
    auto with_children = hana::fold_left(children_types(children_t<E>{}), seen, [](auto placed, auto child) {
      return place<typename decltype(child)::type>(placed);
    });
    return hana::append(with_children, hana::type_c<E>);
  }
}

}  // namespace detail

// hana::tuple of hana::type<Node>, in topological order, for the given roots.
template <class... Roots>
constexpr auto topological_order() {
  return hana::fold_left(hana::tuple_t<Roots...>, hana::make_tuple(), [](auto seen, auto root) {
    return detail::place<typename decltype(root)::type>(seen);
  });
}

namespace detail {
template <class... T>
constexpr type_list<typename T::type...> as_type_list(hana::tuple<T...>) {
  return {};
}
}  // namespace detail

// The same order as a type_list.
template <class... Roots>
using node_list_t = decltype(detail::as_type_list(topological_order<Roots...>()));

// Position of N in a type_list of distinct types.
template <class N, class List>
struct index_in;
template <class N, class... Ns>
struct index_in<N, type_list<Ns...>> {
  static constexpr std::size_t value = [] {
    constexpr bool hits[] = {std::is_same_v<N, Ns>..., false};
    std::size_t i = 0;
    while (i < sizeof...(Ns) && !hits[i]) ++i;
    return i;
  }();
};
template <class N, class List>
inline constexpr std::size_t index_in_v = index_in<N, List>::value;

}  // namespace typegrad

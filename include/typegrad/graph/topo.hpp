#pragma once
// The graph of canonical expressions: the distinct nodes in topological order
// (operands before the nodes that use them), one entry per node type.
//
// This is the hottest metaprogram of the library (it runs over the forward
// and backward graph together), so it works on plain packs: membership is a
// fold of std::is_same_v, which GCC and Clang answer with a builtin, instead
// of hana::contains over hana::types, which instantiates a comparison per
// pair (measured in docs/design.md).
#include <cstddef>
#include <type_traits>

#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>

namespace typegrad {

namespace detail {

// The position of the first true flag (the last flag is a sentinel true or false).
template <std::size_t N>
constexpr std::size_t first_true(const bool (&flags)[N]) {
  std::size_t i = 0;
  while (i + 1 < N && !flags[i]) ++i;
  return i;
}

template <class List, class E>
struct list_contains;
template <class... S, class E>
struct list_contains<type_list<S...>, E> : std::bool_constant<(same_type<S, E> || ...)> {};

template <class List, class E>
struct list_append;
template <class... S, class E>
struct list_append<type_list<S...>, E> {
  using type = type_list<S..., E>;
};

template <class Seen, class Roots>
struct place_all;

// Depth-first, post-order, skipping nodes already placed and no_grad.
template <class Seen, class E, bool Skip = same_type<E, no_grad> || list_contains<Seen, E>::value>
struct place {
  using type = Seen;
};
template <class Seen, class E>
struct place<Seen, E, false> {
  using type = typename list_append<typename place_all<Seen, children_t<E>>::type, E>::type;
};
template <class Seen, class Leaf>
struct place<Seen, leaf_expr<Leaf>, false> {
  using type = typename list_append<Seen, leaf_expr<Leaf>>::type;
};

template <class Seen>
struct place_all<Seen, type_list<>> {
  using type = Seen;
};
template <class Seen, class Head, class... Tail>
struct place_all<Seen, type_list<Head, Tail...>> : place_all<typename place<Seen, Head>::type, type_list<Tail...>> {};

}  // namespace detail

// The distinct nodes of the given roots, in topological order, as a type_list.
template <class... Roots>
using node_list_t = typename detail::place_all<type_list<>, type_list<Roots...>>::type;

// Position of N in a type_list of distinct types.
template <class N, class List>
struct index_in;
template <class N, class... Ns>
struct index_in<N, type_list<Ns...>> : std::integral_constant<std::size_t, detail::first_true({same_type<N, Ns>..., false})> {};

}  // namespace typegrad

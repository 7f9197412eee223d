#pragma once
// The param terminals of an expression, in the order the forward sweep first
// meets them: what tg::grad(loss) differentiates by default and what
// tg::parameters<T>(loss) holds one tensor for.
#include <type_traits>

#include <typegrad/core/expr.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/graph/topo.hpp>

namespace typegrad {

namespace detail {
// type_list<the leaf> for a param terminal, type_list<> for any other node.
template <class N>
struct param_entry {
  using type = type_list<>;
};
template <fixed_string Name, class Shape>
struct param_entry<leaf_expr<param_leaf<Name, Shape>>> {
  using type = type_list<param_leaf<Name, Shape>>;
};
template <class... Lists>
struct concat {
  using type = type_list<>;
};
template <class... A>
struct concat<type_list<A...>> {
  using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<type_list<A...>, type_list<B...>, Rest...> : concat<type_list<A..., B...>, Rest...> {};

template <class Nodes>
struct param_leaves_of;
template <class... Nodes>
struct param_leaves_of<type_list<Nodes...>> : concat<type_list<>, typename param_entry<Nodes>::type...> {};
}  // namespace detail

// type_list<param_leaf<...>...> of expression E.
template <class E>
using param_leaves_t = typename detail::param_leaves_of<node_list_t<canonical_t<E>>>::type;

}  // namespace typegrad

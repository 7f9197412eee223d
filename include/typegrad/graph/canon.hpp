#pragma once
// Normalisation: a user's expression becomes a canonical one in which
//   - every operator node (+, -, *, /, unary -) is the call node of its op;
//   - every number written by the user is constant_leaf<I>, the I-th number
//     in left-to-right order, its value moved into an array beside the type;
//   - the ops' rewrite rules have been applied bottom up.
// Every canonical node is empty, so its type alone is its value: a node's type
// is its identity, and equal subtrees are one node.
#include <array>
#include <cstddef>
#include <utility>

#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>

namespace typegrad {

// How many user numbers an expression holds.
template <class E>
struct number_count;
template <class Leaf>
struct number_count<leaf_expr<Leaf>> : std::integral_constant<std::size_t, same_type<Leaf, number_leaf> ? 1 : 0> {};
template <class E>
  requires(!leaf_expression<E>)
struct number_count<E> {
  template <class... C>
  struct total : std::integral_constant<std::size_t, (std::size_t{0} + ... + number_count<C>::value)> {};
  static constexpr std::size_t value = children_t<E>::size == 0 ? 0 : traits<E>::template apply_children<total>::value;
};

namespace detail {

template <std::size_t Offset, class E>
struct canonical_type;

// The numbering offset of each child: Offset plus the numbers before it.
template <std::size_t Offset, class... C>
constexpr std::array<std::size_t, sizeof...(C)> child_offsets() {
  std::array<std::size_t, sizeof...(C)> out{};
  std::size_t at = Offset, i = 0;
  ((out[i++] = at, at += number_count<C>::value), ...);
  return out;
}

template <std::size_t Offset, class Op, class Children, class Seq>
struct canonical_call;
template <std::size_t Offset, class Op, class... C, std::size_t... I>
struct canonical_call<Offset, Op, type_list<C...>, std::index_sequence<I...>> {
  static constexpr auto offsets = detail::child_offsets<Offset, C...>();
  using checked_shape [[maybe_unused]] = shape_of_t<node<Op, typename canonical_type<offsets[I], C>::type...>>;
  using type = canonical_node_t<Op, typename canonical_type<offsets[I], C>::type...>;
};

template <std::size_t Offset, class Leaf>
struct canonical_type<Offset, leaf_expr<Leaf>> {
  using type = std::conditional_t<same_type<Leaf, number_leaf>, leaf_expr<constant_leaf<Offset>>, leaf_expr<Leaf>>;
};
template <std::size_t Offset, class Op, class... C>
struct canonical_type<Offset, node<Op, C...>>
    : canonical_call<Offset, Op, type_list<C...>, std::index_sequence_for<C...>> {};
template <std::size_t Offset, yap::expr_kind K, class... C>
  requires(K != yap::expr_kind::terminal && K != yap::expr_kind::call)
struct canonical_type<Offset, expr<K, C...>>
    : canonical_call<Offset, typename operator_op<K, shape_of_t<C>...>::type, type_list<C...>,
                     std::index_sequence_for<C...>> {};

// Copies the user's numbers out of an expression, in the same order.
template <class E, std::size_t N>
constexpr void collect_numbers(const E& e, std::array<double, N>& out, std::size_t& at) {
  if constexpr (leaf_expression<E>) {
    if constexpr (same_type<leaf_of_t<E>, number_leaf>) out[at++] = hana::at_c<0>(e.elements).value;
  } else if constexpr (number_count<E>::value != 0) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (detail::collect_numbers(typegrad::child<I>(e), out, at), ...);
    }(std::make_index_sequence<children_t<E>::size>{});
  }
}

}  // namespace detail

// The canonical type of E.
template <class E>
using canonical_t = typename detail::canonical_type<0, std::remove_cvref_t<E>>::type;

// A canonical expression type with the values of its numbers.
template <class E>
struct canonical_form {
  using expression_type = canonical_t<E>;
  static constexpr std::size_t number_count = typegrad::number_count<E>::value;
  std::array<double, number_count> numbers{};
};

template <expression E>
constexpr canonical_form<E> canonicalize(const E& e) {
  canonical_form<E> out{};
  std::size_t at = 0;
  detail::collect_numbers(e, out.numbers, at);
  return out;
}

}  // namespace typegrad

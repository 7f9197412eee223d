#pragma once
// The expression language: a Boost.YAP expression template whose leaves are
// typed terminals. Everything but a runtime number is empty, and every operand
// is stored by value, so the type of an expression is its whole graph and an
// expression returned from a function never dangles.
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/mp11/list.hpp>
#include <boost/yap/algorithm.hpp>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/fixed_string.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/core/shape.hpp>
#include <typegrad/core/tensor.hpp>

namespace typegrad {

namespace hana = boost::hana;
namespace yap = boost::yap;
namespace mp11 = boost::mp11;

// ---- leaves -----------------------------------------------------------------

struct leaf_tag {};

// A trainable parameter: a name and a shape, no data.
template <fixed_string Name, class Shape>
struct param_leaf : leaf_tag {
  using shape_type = Shape;
  static constexpr auto name = Name;
};
// Data fed at evaluation time: a name and a shape, no data.
template <fixed_string Name, class Shape>
struct input_leaf : leaf_tag {
  using shape_type = Shape;
  static constexpr auto name = Name;
};
// An exact rational constant, held in the type (used by the VJP rules).
template <long long Num, long long Den = 1>
struct literal_leaf : leaf_tag {
  using shape_type = shape<>;
  static constexpr long long num = Num;
  static constexpr long long den = Den;
  template <class T>
  static constexpr T value = T(Num) / T(Den);
};
// A number written by the user (0.01 * x), before normalisation.
struct number_leaf : leaf_tag {
  using shape_type = shape<>;
  double value = 0;
};
// The Index-th user number of a normalised expression. Its value lives in the
// program, so the node stays empty and its type still names it uniquely.
template <std::size_t Index>
struct constant_leaf : leaf_tag {
  using shape_type = shape<>;
  static constexpr std::size_t index = Index;
};

template <class L>
inline constexpr bool is_leaf_v = std::is_base_of_v<leaf_tag, L>;

template <class L>
struct is_variable_leaf : std::false_type {};
template <fixed_string N, class S>
struct is_variable_leaf<param_leaf<N, S>> : std::true_type {};
template <fixed_string N, class S>
struct is_variable_leaf<input_leaf<N, S>> : std::true_type {};
template <class L>
inline constexpr bool is_variable_leaf_v = is_variable_leaf<L>::value;

template <class L>
struct is_param_leaf : std::false_type {};
template <fixed_string N, class S>
struct is_param_leaf<param_leaf<N, S>> : std::true_type {};
template <class L>
inline constexpr bool is_param_leaf_v = is_param_leaf<L>::value;

template <class Leaf, class Tensor>
struct binding;

// What a VJP rule returns for an operand that receives no cotangent (the
// derivative is zero almost everywhere, as for step).
struct no_grad {};

// ---- the expression template --------------------------------------------------

namespace detail {
// The operands of an expression. A subtree that holds no runtime number is an
// empty type, and then its operands are a static member: the object has no
// subobjects, so copying or constant-evaluating it costs nothing, however
// often a node is shared. (Held by value, a node used twice would be a tree
// twice its operand's size, and the compiler's constant folding at -O1 and
// above walked that tree: exponential in the depth of the sharing.)
template <bool Stateless, class... C>
struct operand_storage {
  hana::tuple<C...> elements{};
};
template <class... C>
struct operand_storage<true, C...> {
  static constexpr hana::tuple<C...> elements{};
};
}  // namespace detail

// The operands are the template arguments themselves, not a hana::tuple of
// them: a hana::tuple argument would make Hana's operators candidates for
// every + and * by argument-dependent lookup, and clang++ prints the operand
// types of each rejected candidate, which is exponential in shared subgraphs.
template <yap::expr_kind Kind, class... Children>
struct expr : detail::operand_storage<(empty_type<Children> && ...), Children...> {
  static constexpr yap::expr_kind kind = Kind;
  using detail::operand_storage<(empty_type<Children> && ...), Children...>::elements;

  // W = tensor: binds a terminal to a value, checking its shape here.
  template <class T, std::size_t... D>
  constexpr auto operator=(const tensor<T, D...>& value) const
    requires(Kind == yap::expr_kind::terminal)
  {
    using leaf = std::remove_cvref_t<decltype(hana::at_c<0>(elements))>;
    static_assert(diagnostics::bound_terminal_is_variable<diagnostics::spelled_t<leaf::name>, leaf, is_variable_leaf_v<leaf>>::value,
                  "typegrad: only params and inputs can be bound to values");
    static_assert(diagnostics::bound_shape_matches_terminal<diagnostics::spelled_t<leaf::name>, typename leaf::shape_type, shape<D...>>::value,
                  "typegrad: a bound tensor needs the shape of its terminal");
    return binding<leaf, tensor<T, D...>>{value};
  }
};

template <class E>
struct is_expr : std::false_type {};
template <yap::expr_kind K, class... C>
struct is_expr<expr<K, C...>> : std::true_type {};

template <class E>
concept expression = is_expr<std::remove_cvref_t<E>>::value;
template <class E>
concept operand = expression<E> || std::is_arithmetic_v<std::remove_cvref_t<E>>;

template <class Leaf>
using leaf_expr = expr<yap::expr_kind::terminal, Leaf>;
// A call node: the op tag in a terminal, then the operands (YAP's call kind).
template <class Op, class... C>
using node = expr<yap::expr_kind::call, expr<yap::expr_kind::terminal, Op>, C...>;

// Terminals, declared constexpr by the user: constexpr param<"W", 2, 2> W;
template <fixed_string Name, std::size_t... D>
using param = leaf_expr<param_leaf<Name, shape<D...>>>;
template <fixed_string Name, std::size_t... D>
using input = leaf_expr<input_leaf<Name, shape<D...>>>;
// An exact constant such as literal<1> or literal<1, 4>.
template <long long Num, long long Den = 1>
inline constexpr leaf_expr<literal_leaf<Num, Den>> literal{};

// ---- structure of an expression ---------------------------------------------

template <class E>
struct traits;

// The flags live in bases named by their values, so that the compiler makes
// one variable per value, not one per node type.
template <bool IsLeaf>
struct leaf_traits {
  static constexpr bool is_leaf = IsLeaf;
};
template <std::size_t Arity>
struct inner_traits {
  static constexpr bool is_leaf = false;
  static constexpr std::size_t arity = Arity;
};

template <class Leaf>
struct traits<leaf_expr<Leaf>> : leaf_traits<is_leaf_v<Leaf>> {
  using leaf = Leaf;
};
template <class Op, class... C>
struct traits<node<Op, C...>> : inner_traits<sizeof...(C)> {
  using op = Op;
  template <template <class...> class F>
  using apply_children = F<C...>;
};
template <yap::expr_kind K, class... C>
  requires(K != yap::expr_kind::terminal && K != yap::expr_kind::call)
struct traits<expr<K, C...>> : inner_traits<sizeof...(C)> {
  template <template <class...> class F>
  using apply_children = F<C...>;
};

template <class E>
concept leaf_expression = traits<std::remove_cvref_t<E>>::is_leaf;

template <class E>
struct is_literal : std::false_type {};
template <long long N, long long D>
struct is_literal<leaf_expr<literal_leaf<N, D>>> : std::true_type {};
template <class E>
concept literal_expression = is_literal<E>::value;

// Whether E is a call node of Op.
template <class Op, class E>
struct is_node_of : std::false_type {};
template <class Op, class... C>
struct is_node_of<Op, node<Op, C...>> : std::true_type {};
template <class Op, class E>
concept node_of = is_node_of<Op, E>::value;
template <class E>
using leaf_of_t = typename traits<std::remove_cvref_t<E>>::leaf;
template <class E>
using op_of_t = typename traits<std::remove_cvref_t<E>>::op;

template <class... T>
struct type_list {
  static constexpr std::size_t size = sizeof...(T);
};
template <class E>
using children_t = typename traits<E>::template apply_children<type_list>;

template <std::size_t I, class List>
struct at;
template <std::size_t I, class Head, class... Tail>
struct at<I, type_list<Head, Tail...>> : at<I - 1, type_list<Tail...>> {};
template <class Head, class... Tail>
struct at<0, type_list<Head, Tail...>> {
  using type = Head;
};
template <std::size_t I, class E>
using child_t = typename at<I, children_t<E>>::type;

// The I-th operand of an expression object.
// A stateless operand is made anew (it is empty), so that no static
// operand tuple is referenced at run time.
template <std::size_t I, class E>
constexpr decltype(auto) child(const E& e) {
  constexpr std::size_t position = E::kind == yap::expr_kind::call ? I + 1 : I;
  if constexpr (empty_type<E>)
    return std::remove_cvref_t<decltype(hana::at_c<position>(e.elements))>{};
  else
    return (hana::at_c<position>(e.elements));
}

// Which op a YAP operator kind means, given its operands' shapes. Each op
// header specialises this for the operator it owns.
template <yap::expr_kind K, class... Shapes>
struct operator_op;

// ---- shapes ------------------------------------------------------------------

template <class E>
struct shape_of_impl;
template <class E>
using shape_of_t = typename shape_of_impl<std::remove_cvref_t<E>>::type;

template <class Leaf>
struct shape_of_impl<leaf_expr<Leaf>> {
  using type = typename Leaf::shape_type;
};
template <class Op, class... C>
struct shape_of_impl<node<Op, C...>> {
  using type = decltype(Op::shape(shape_of_t<C>{}...));
};
template <yap::expr_kind K, class... C>
  requires(K != yap::expr_kind::terminal && K != yap::expr_kind::call)
struct shape_of_impl<expr<K, C...>> {
  using op = typename operator_op<K, shape_of_t<C>...>::type;
  using type = decltype(op::shape(shape_of_t<C>{}...));
};

// The static shape of an expression, usable in static_assert.
template <expression E>
constexpr shape_of_t<E> shape_of(const E&) {
  return {};
}

// ---- building nodes ------------------------------------------------------------

// Compile-time simplification: op headers specialise this for the patterns
// they own (transpose of transpose, product with one, ...). Rules apply to
// canonical nodes only (graph/canon.hpp): what the user builds stays as
// written, and prints so.
template <class N>
struct rewrite {
  using type = N;
};

// An expression of type E holding the operand objects c...
template <class E, class... C>
constexpr E make_expr(const C&... c) {
  if constexpr (empty_type<E>)
    return E{};
  else
    return E{{decltype(E::elements){c...}}};
}

// Builds the call node Op(c...) as written, checking the op's shape rule on
// the spot so that a mismatch is reported from the user's line.
template <class Op, class... C>
constexpr auto make_node(const C&... c) {
  using built = node<Op, std::remove_cvref_t<C>...>;
  using checked_shape [[maybe_unused]] = shape_of_t<built>;
  return typegrad::make_expr<built>(expr<yap::expr_kind::terminal, Op>{}, c...);
}

// The canonical node Op(C...) of canonical operands: the node after the
// rewrite rules. Rules name their results with it, so they compose.
template <class Op, class... C>
using canonical_node_t = typename rewrite<node<Op, C...>>::type;

// Wraps a number as a terminal; passes expressions through by value.
template <operand T>
constexpr auto as_operand(const T& x) {
  if constexpr (expression<T>)
    return x;
  else
    return typegrad::make_expr<leaf_expr<number_leaf>>(number_leaf{{}, static_cast<double>(x)});
}

// Builds the YAP operator node K(a, b) by value, checking its shape rule.
template <yap::expr_kind K, class... C>
constexpr auto make_operator(const C&... c) {
  using built = expr<K, std::remove_cvref_t<C>...>;
  using checked_shape [[maybe_unused]] = shape_of_t<built>;
  return typegrad::make_expr<built>(c...);
}

}  // namespace typegrad

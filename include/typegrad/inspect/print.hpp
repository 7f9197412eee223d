#pragma once
// to_string: a model in math-like notation, and a gradient program as
// numbered steps, one per node, forward then backward, after simplification.
#include <array>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/core/code.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/ops/arithmetic.hpp>
#include <typegrad/ops/linear.hpp>

namespace typegrad {

namespace inspect {

// The op of a non-terminal node: its call tag, or what its YAP operator means.
template <class E>
struct node_op {
  using type = op_of_t<E>;
};
template <yap::expr_kind K, class... C>
  requires(K != yap::expr_kind::terminal && K != yap::expr_kind::call)
struct node_op<expr<K, C...>> {
  using type = typename operator_op<K, shape_of_t<C>...>::type;
};
template <class E>
using node_op_t = typename node_op<std::remove_cvref_t<E>>::type;

// Binding strength, for parentheses: sums 1, products 2, negation 3, calls
// and terminals 4.
template <class Op, class... C>
constexpr int precedence() {
  if constexpr (same_type<Op, add_op> || same_type<Op, subtract_op>)
    return 1;
  else if constexpr (same_type<Op, divide_op> || requires { Op::transpose_a; })
    return 2;
  else if constexpr (same_type<Op, multiply_op> && ((shape_of_t<C>::rank == 0) || ...))
    return 2;  // a scalar times a tensor reads as a product; two tensors as hadamard(a, b)
  else if constexpr (same_type<Op, negate_op>)
    return 3;
  else
    return 4;
}

// How a node of Op over operands C... reads, given its operands' texts and
// binding strengths.
template <class Op, class... C>
std::string notation(const names<sizeof...(C)>& text, const std::array<int, sizeof...(C)>& strength) {
  constexpr int mine = precedence<Op, C...>();
  auto wrap = [&](std::size_t i, bool right) {
    const bool tighter_needed = strength[i] < mine || (right && strength[i] == mine && mine != 4 &&
                                                       !same_type<Op, add_op> && !requires { Op::transpose_a; });
    return tighter_needed ? "(" + text[i] + ")" : text[i];
  };
  if constexpr (requires { Op::notation(text); }) {
    if constexpr (requires { Op::transpose_a; }) {
      names<sizeof...(C)> wrapped;
      for (std::size_t i = 0; i < sizeof...(C); ++i) wrapped[i] = wrap(i, i > 0);
      return Op::notation(wrapped);
    } else {
      return Op::notation(text);
    }
  } else if constexpr (sizeof...(C) == 2 && mine <= 2 && requires { Op::symbol; }) {
    const std::string symbol = same_type<Op, multiply_op> ? "·" : std::string(Op::symbol);
    return wrap(0, false) + " " + symbol + " " + wrap(1, true);
  } else if constexpr (same_type<Op, negate_op>) {
    return join("-", wrap(0, false));
  } else {
    std::string out = std::string(Op::name) + "(";
    for (std::size_t i = 0; i < sizeof...(C); ++i) out += join(i ? ", " : "", text[i]);
    return out + ")";
  }
}

// The value of a literal or numbered constant.
template <class Leaf>
double leaf_numeric_value(const double* numbers) {
  if constexpr (requires { Leaf::den; })
    return double(Leaf::num) / double(Leaf::den);
  else
    return numbers[Leaf::index];
}

template <class Leaf>
std::string leaf_text(const Leaf& leaf, const double* numbers) {
  if constexpr (is_variable_leaf_v<Leaf>)
    return std::string(Leaf::name.view());
  else if constexpr (same_type<Leaf, number_leaf>)
    return number_text(leaf.value);
  else if constexpr (requires { Leaf::den; })
    return Leaf::den == 1 ? std::to_string(Leaf::num) : std::to_string(Leaf::num) + "/" + std::to_string(Leaf::den);
  else
    return number_text(numbers[Leaf::index]);
}

// Text and binding strength of an expression, printed recursively.
template <class E>
std::pair<std::string, int> print_tree(const E& e, bool with_shapes, const double* numbers) {
  if constexpr (leaf_expression<E>) {
    using leaf = leaf_of_t<E>;
    std::string text = leaf_text(hana::at_c<0>(e.elements), numbers);
    if (with_shapes && is_variable_leaf_v<leaf>) text += std::string(shape_text<typename leaf::shape_type>::value);
    return {text, 4};
  } else {
    return [&]<class... C, std::size_t... I>(type_list<C...>, std::index_sequence<I...>) {
      names<sizeof...(C)> text;
      std::array<int, sizeof...(C)> strength{};
      ((std::tie(text[I], strength[I]) = print_tree(child<I>(e), with_shapes, numbers)), ...);
      using op = node_op_t<E>;
      std::string out = notation<op, C...>(text, strength);
      constexpr int mine = precedence<op, C...>();
      if (with_shapes && mine == 4) out += std::string(shape_text<shape_of_t<E>>::value);
      return std::pair{out, mine};
    }(children_t<E>{}, std::make_index_sequence<children_t<E>::size>{});
  }
}

}  // namespace inspect

// A model in math-like notation: mean(cross_entropy(softmax(relu(X·W + b1)·V + b2), Y)).
// With shapes, every terminal and call is followed by its shape.
template <expression E>
std::string to_string(const E& e, bool with_shapes = false) {
  return inspect::print_tree(e, with_shapes, nullptr).first;
}

namespace inspect {

// Names of a program's nodes: terminals by name, numbers by value, computed
// nodes t1, t2, ... except a node that is the gradient of exactly one
// listed terminal and not a forward node, which is named d<terminal>.
template <class Program>
struct program_names {
  using nodes = typename Program::nodes;
  using forward = node_list_t<typename Program::loss_type>;
  std::array<std::string, nodes::size> name;
  std::array<bool, nodes::size> is_forward{};
  std::array<bool, nodes::size> is_leaf{};

  explicit program_names(const Program& program) {
    std::size_t counter = 0;
    fill(program, counter, nodes{});
  }

  template <class N>
  static constexpr std::size_t gradient_uses() {
    return []<class... W>(type_list<W...>) {
      return (std::size_t{0} + ... + (same_type<cotangent_t<typename Program::loss_type, W>, N> ? 1 : 0));
    }(typename Program::wrt{});
  }
  template <class N>
  static std::string gradient_name() {
    std::string out;
    [&]<class... W>(type_list<W...>) {
      ((same_type<cotangent_t<typename Program::loss_type, W>, N> ? void(out = join("d", leaf_of_t<W>::name.view()))
                                                                        : void()),
       ...);
    }(typename Program::wrt{});
    return out;
  }

  template <class... N>
  void fill(const Program& program, std::size_t& counter, type_list<N...>) {
    std::size_t i = 0;
    ((is_forward[i] = index_in<N, forward>::value < forward::size, is_leaf[i] = leaf_expression<N>,
      name[i] = leaf_expression<N>                                               ? leaf_name<N>(program)
                : (!is_forward[i] && gradient_uses<N>() == 1) ? gradient_name<N>()
                                                              : join("t", std::to_string(++counter)),
      ++i),
     ...);
  }
  template <class N>
  static std::string leaf_name(const Program& program) {
    if constexpr (leaf_expression<N>)
      return leaf_text(leaf_of_t<N>{}, program.numbers.data());
    else
      return {};
  }
  template <class N>
  const std::string& of() const {
    return name[index_in<N, nodes>::value];
  }
};

// The notation of node N with its operands named by var (indexed like Nodes).
template <class N, class... Nodes, std::size_t M>
std::string step_text_with(const std::array<std::string, M>& var, type_list<Nodes...>) {
  return [&]<class... C>(type_list<C...>) {
    names<sizeof...(C)> text{var[index_in<C, type_list<Nodes...>>::value]...};
    std::array<int, sizeof...(C)> strength{};
    strength.fill(4);
    return notation<op_of_t<N>, C...>(text, strength);
  }(children_t<N>{});
}

// The step "name = notation" of a computed node.
template <class N, class Names>
std::string step_text(const Names& names) {
  return [&]<class... C>(type_list<C...>) {
    inspect::names<sizeof...(C)> text{names.template of<C>()...};
    std::array<int, sizeof...(C)> strength{};
    strength.fill(4);
    return notation<op_of_t<N>, C...>(text, strength);
  }(children_t<N>{});
}

}  // namespace inspect

// A gradient program as numbered steps, SSA style, after simplification:
//   t3 = relu(t2)                              [4,2]
template <class Loss, std::size_t K, class... Wrt>
std::string to_string(const gradient_program<Loss, K, Wrt...>& program) {
  using program_type = gradient_program<Loss, K, Wrt...>;
  const inspect::program_names<program_type> names(program);
  std::string out = "inputs:";
  std::string forward = "forward:\n", backward = "backward:\n";
  auto pad = [](std::string s, std::size_t width) {
    std::size_t shown = 0;  // code points, not bytes: "·" and "⊙" are one column
    for (unsigned char c : s) shown += (c & 0xC0) != 0x80;
    return shown < width ? s + std::string(width - shown, ' ') : s + "  ";
  };
  [&]<class... N>(type_list<N...>) {
    std::size_t i = 0;
    (([&] {
       if constexpr (leaf_expression<N>) {
         if constexpr (is_variable_leaf_v<leaf_of_t<N>>)
           out += " " + names.name[i] + std::string(shape_text<shape_of_t<N>>::value);
       } else {
         std::string line = "  " + pad(names.name[i] + " = " + inspect::step_text<N>(names), 52) +
                            std::string(shape_text<shape_of_t<N>>::value);
         if (same_type<N, Loss>) line += "  (loss)";
         (names.is_forward[i] ? forward : backward) += line + "\n";
       }
       ++i;
     }()),
     ...);
  }(typename program_type::nodes{});
  // Gradients not named by a step of their own (a shared or forward node, or
  // zero) are listed with what they are.
  std::string gradients;
  ([&] {
    using cot = cotangent_t<Loss, Wrt>;
    const std::string d = inspect::join("d", leaf_of_t<Wrt>::name.view());
    std::string source;
    if constexpr (same_type<cot, no_grad>)
      source = "0 (the loss does not depend on it)";
    else
      source = names.template of<cot>();
    if (source != d) gradients += "  " + pad(d + " = " + source, 52) + std::string(shape_text<shape_of_t<Wrt>>::value) + "\n";
  }(), ...);
  return out + "\n" + forward + backward + (gradients.empty() ? "" : "gradients:\n" + gradients);
}

}  // namespace typegrad

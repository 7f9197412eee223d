#pragma once
// to_dot: Graphviz source of a model's graph or of a gradient program.
// Forward nodes are ellipses, backward (gradient) nodes blue boxes, params
// yellow boxes, inputs grey boxes; every edge is labelled with the shape it
// carries; each gradient ends in a double octagon named d<terminal>. A
// program's nodes carry the names and steps of to_string(program).
#include <array>
#include <cstddef>
#include <string>
#include <type_traits>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/graph/topo.hpp>
#include <typegrad/inspect/print.hpp>

namespace typegrad {

namespace inspect {

inline std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// The label of node N: its notation with operands written a, b, c.
template <class N>
std::string dot_label(const double* numbers) {
  if constexpr (leaf_expression<N>) {
    return leaf_text(leaf_of_t<N>{}, numbers);
  } else {
    return [&]<class... C>(type_list<C...>) {
      names<sizeof...(C)> text;
      for (std::size_t i = 0; i < sizeof...(C); ++i) text[i] = std::string(1, char('a' + i));
      std::array<int, sizeof...(C)> strength{};
      strength.fill(4);
      return notation<op_of_t<N>, C...>(text, strength);
    }(children_t<N>{});
  }
}

// labels[i] is the label of the i-th node.
template <class Forward, class Loss, class... Nodes>
std::string dot_graph(type_list<Nodes...>, const std::array<std::string, sizeof...(Nodes)>& labels) {
  using nodes = type_list<Nodes...>;
  std::string out = "digraph typegrad {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=11];\n"
                    "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  std::size_t i = 0;
  (([&] {
     using N = Nodes;
     std::string style;
     if constexpr (leaf_expression<N>) {
       using leaf = leaf_of_t<N>;
       if constexpr (is_variable_leaf_v<leaf>)
         style = std::string("shape=box, style=filled, fillcolor=\"") + (is_param_leaf_v<leaf> ? "#fff3b0" : "#e6e6e6") + "\"";
       else
         style = "shape=plaintext";
     } else if (index_in<N, Forward>::value < Forward::size) {
       style = std::string("shape=ellipse") + (same_type<N, Loss> ? ", penwidth=2" : "");
     } else {
       style = "shape=box, style=\"rounded,filled\", fillcolor=\"#cfe3ff\"";
     }
     out += "  n" + std::to_string(i) + " [label=\"" + dot_escape(labels[i]) + "\", " + style + "];\n";
     if constexpr (!leaf_expression<N>) {
       [&]<class... C>(type_list<C...>) {
         ((out += "  n" + std::to_string(index_in<C, nodes>::value) + " -> n" + std::to_string(i) + " [label=\"" +
                  std::string(shape_text<shape_of_t<C>>::value) + "\"];\n"),
          ...);
       }(children_t<N>{});
     }
     ++i;
   }()),
   ...);
  return out;
}

}  // namespace inspect

// The forward graph of a model, after normalisation (as it is computed).
template <expression E>
std::string to_dot(const E& e) {
  const auto form = canonicalize(e);
  using root = typename decltype(form)::expression_type;
  const auto labels = [&]<class... N>(type_list<N...>) {
    return std::array<std::string, sizeof...(N)>{inspect::dot_label<N>(form.numbers.data())...};
  }(node_list_t<root>{});
  return inspect::dot_graph<node_list_t<root>, root>(node_list_t<root>{}, labels) + "}\n";
}

// A gradient program: the forward graph, the backward nodes, and one output
// per gradient.
template <class Loss, std::size_t K, class... Wrt>
std::string to_dot(const gradient_program<Loss, K, Wrt...>& program) {
  using program_type = gradient_program<Loss, K, Wrt...>;
  using nodes = typename program_type::nodes;
  // Each computed node is labelled with its step as to_string(program)
  // prints it ("t3 = relu(t2)"), so the picture and the listing match.
  const inspect::program_names<program_type> names(program);
  const auto labels = [&]<class... N>(type_list<N...>) {
    std::size_t i = 0;
    return std::array<std::string, sizeof...(N)>{[&] {
      const std::string& name = names.name[i++];
      if constexpr (leaf_expression<N>)
        return name;
      else
        return name + " = " + inspect::step_text<N>(names);
    }()...};
  }(nodes{});
  std::string out = inspect::dot_graph<node_list_t<Loss>, Loss>(nodes{}, labels);
  ([&] {
    using cot = cotangent_t<Loss, Wrt>;
    const std::string d = inspect::join("d", leaf_of_t<Wrt>::name.view());
    out += "  \"" + d + "\" [shape=doubleoctagon, style=filled, fillcolor=\"#cfe3ff\"];\n";
    if constexpr (!same_type<cot, no_grad>)
      out += "  n" + std::to_string(index_in<cot, nodes>::value) + " -> \"" + d + "\" [label=\"" +
             std::string(shape_text<shape_of_t<Wrt>>::value) + "\"];\n";
  }(), ...);
  return out + "}\n";
}

}  // namespace typegrad

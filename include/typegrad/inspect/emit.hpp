#pragma once
// emit_cpp: a gradient program as a self-contained C++17 header that needs
// nothing but <cmath>: straight-line code, loops only over static extents,
// each op written by its own emitter (the emit member beside its kernel).
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/core/code.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/inspect/print.hpp>

namespace typegrad {

namespace inspect {

// "double X[4][2];", "float b[2];", "double s;": a terminal as a field.
template <class Leaf>
std::string field(std::string_view scalar, std::string_view name) {
  std::string out = std::string(scalar) + " " + std::string(name);
  for (std::size_t d : Leaf::shape_type::dims) out += join("[", num(d), "]");
  return out + ";";
}

// What emit_cpp and emit_c write for a computed node N of a program's node
// list: its step as a comment, then its op's kernel (the op's own emitter).
// The declaration of its storage, which differs, stays with the caller.
template <class N, class Nodes>
std::string step_comment(const std::array<std::string, Nodes::size>& var, std::size_t i) {
  return "// " + var[i] + " = " + step_text_with<N>(var, Nodes{}) + "  " + std::string(shape_text<shape_of_t<N>>::value);
}
template <class N, class Nodes>
void emit_kernel(cpp_code& body, const std::array<std::string, Nodes::size>& var, std::size_t i) {
  [&]<class... C>(type_list<C...>) {
    op_of_t<N>::template emit<shape_of_t<N>, shape_of_t<C>...>(body, var[i],
                                                                names<sizeof...(C)>{var[index_in<C, Nodes>::value]...});
  }(children_t<N>{});
}

// The same two for code that is not a template of the node list: plain
// functions of the names of N's operands (its children's, in order), so
// that the code around them is compiled once, not once per node.
template <class N>
[[gnu::cold]] std::string node_notation(const std::string* operands) {
  return [&]<class... C, std::size_t... J>(type_list<C...>, std::index_sequence<J...>) {
    std::array<int, sizeof...(C)> strength{};
    strength.fill(4);
    return notation<op_of_t<N>, C...>(names<sizeof...(C)>{operands[J]...}, strength);
  }(children_t<N>{}, std::make_index_sequence<children_t<N>::size>{});
}
template <class N>
[[gnu::cold]] void node_kernel(cpp_code& body, const std::string& out, const std::string* operands) {
  [&]<class... C, std::size_t... J>(type_list<C...>, std::index_sequence<J...>) {
    op_of_t<N>::template emit<shape_of_t<N>, shape_of_t<C>...>(body, out, names<sizeof...(C)>{operands[J]...});
  }(children_t<N>{}, std::make_index_sequence<children_t<N>::size>{});
}

}  // namespace inspect

// The header defines NAME_in (one field per terminal), NAME_out (value, then
// one field per gradient), NAME_workspace (one arena, laid out by the
// program's own memory plan, as tg::grad's runs are) and
//   inline void NAME(const NAME_in&, NAME_out&, NAME_workspace&);
// and, when the workspace fits in TYPEGRAD_STACK_WORKSPACE_LIMIT bytes,
//   inline void NAME(const NAME_in&, NAME_out&);
// which keeps it on the stack. Fields and arrays are of scalar type T (float
// or double, as the model's parameters); the kernels are typegrad's scalar
// loops. (auto: instantiated at the call, so a bad terminal name shows the
// caller's line.)
template <class T = double, class Loss, std::size_t K, class... Wrt>
auto emit_cpp(const gradient_program<Loss, K, Wrt...>& program, std::string_view name) {
  static_assert(diagnostics::scalar_is_float_or_double<T>::value, "typegrad: emit_cpp<T> needs T to be float or double");
  using program_type = gradient_program<Loss, K, Wrt...>;
  using nodes = typename program_type::nodes;
  using plan = typename program_type::plan;
  const std::string fn(name), scalar = std::is_same_v<T, float> ? "float" : "double";
  std::string in_fields, out_fields, prologue;
  inspect::cpp_code body;
  body.lang = std::is_same_v<T, float> ? inspect::dialect::cpp_float : inspect::dialect::cpp_double;
  std::array<std::string, nodes::size> var;

  [&]<class... N>(type_list<N...>) {
    std::size_t i = 0, computed = 0;
    (([&] {
       if constexpr (leaf_expression<N>) {
         using leaf = leaf_of_t<N>;
         if constexpr (is_variable_leaf_v<leaf>) {
           static_assert(diagnostics::name_is_emittable_field<leaf::name>::value,
                         "typegrad: emit_cpp needs terminal names that are C++ identifiers, neither keywords nor 'value'");
           const std::string terminal(leaf::name.view());
           in_fields += "  " + inspect::field<leaf>(scalar, terminal) + "\n";
           var[i] = "in_" + terminal;
           prologue += "  const " + scalar + "* " + var[i] + " = reinterpret_cast<const " + scalar + "*>(&in." +
                       terminal + ");\n";
         } else {
           var[i] = inspect::join("k", std::to_string(i), "_");
           prologue += inspect::to_dialect("  const double " + var[i] + "[1] = {" +
                                               inspect::number_text(inspect::leaf_numeric_value<leaf>(program.numbers.data())) +
                                               "};\n",
                                           body.lang);
         }
       } else {
         var[i] = inspect::join("t", std::to_string(++computed), "_");
         body.line(inspect::step_comment<N, nodes>(var, i));
         body.line(scalar + "* const " + var[i] + " = ws.arena + " + inspect::num(plan::plan.offset[i]) + ";");
         inspect::emit_kernel<N, nodes>(body, var, i);
       }
       ++i;
     }()),
     ...);
  }(nodes{});

  body.line("out.value = " + var[index_in<Loss, nodes>::value] + "[0];");
  ([&] {
    using leaf = leaf_of_t<Wrt>;
    using cot = cotangent_t<Loss, Wrt>;
    const std::string terminal(leaf::name.view());
    out_fields += "  " + inspect::field<leaf>(scalar, terminal) + "\n";
    if constexpr (same_type<cot, no_grad>)
      body.line("std::memset(&out." + terminal + ", 0, sizeof out." + terminal + ");");
    else
      body.line("std::memcpy(&out." + terminal + ", " + var[index_in<cot, nodes>::value] + ", sizeof out." + terminal + ");");
  }(), ...);

  const std::size_t arena_bytes = plan::arena_elements * sizeof(T);
  std::string out = "// Generated by typegrad::emit_cpp. Self-contained C++17: it needs only <cmath> and <cstring>.\n";
  out += "// The gradient program, one step per node, in the order typegrad computes it.\n";
  out += "#pragma once\n#include <cmath>\n#include <cstring>\n\n";
  out += "struct " + fn + "_in {\n" + in_fields + "};\n\n";
  out += "struct " + fn + "_out {\n  " + scalar + " value;\n" + out_fields + "};\n\n";
  out += "// Every intermediate, placed by liveness: " + inspect::num(arena_bytes) + " bytes.\n";
  out += "struct " + fn + "_workspace {\n  alignas(64) " + scalar + " arena[" + inspect::num(plan::arena_elements) + "];\n};\n\n";
  out += "inline void " + fn + "(const " + fn + "_in& in, " + fn + "_out& out, " + fn + "_workspace& ws) {\n" + prologue +
         body.text + "}\n";
  if (arena_bytes <= TYPEGRAD_STACK_WORKSPACE_LIMIT)
    out += "\ninline void " + fn + "(const " + fn + "_in& in, " + fn + "_out& out) {\n  " + fn + "_workspace ws;\n  " + fn +
           "(in, out, ws);\n}\n";
  else
    out += "// The workspace is too large for the stack: allocate it once, e.g.\n// auto ws = std::make_unique<" + fn +
           "_workspace>();\n";
  return out;
}

}  // namespace typegrad

#pragma once
// emit_c: a trained model as one standalone C99 header, for inference where
// typegrad is not. From the model expression (forward only) and a parameter
// set it writes
//   static const float NAME_<param>[...]          the weights, as float32
//   void NAME(const float input[IN], float output[OUT])          one example
//   void NAME_with_scratch(input, output, float scratch[NAME_SCRATCH_SIZE])
//   void NAME_batch(const float* inputs, float* outputs, int count)
// using nothing but <math.h>: no heap, no mutable global state, loops over
// static extents written by each op's own emitter (in the C dialect of
// core/code.hpp). Every intermediate lives in one scratch array whose size
// is planned here by liveness: a node's storage is reused once its last
// consumer has run.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <typegrad/core/code.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/eval/evaluate.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/graph/topo.hpp>
#include <typegrad/inspect/emit.hpp>
#include <typegrad/inspect/print.hpp>

namespace typegrad {

namespace inspect {

// Offsets into one scratch array for nodes computed in order, each needing
// `sizes[i]` elements (0: no storage) and freed after node `last_use[i]`:
// first fit over the freed gaps, coalesced.
struct scratch_plan {
  std::vector<std::size_t> offset;
  std::size_t size = 0;   // elements of the whole array
  std::size_t naive = 0;  // elements if every node had its own storage
};
inline scratch_plan plan_scratch(const std::vector<std::size_t>& sizes, const std::vector<std::size_t>& last_use) {
  struct gap {
    std::size_t begin, length;
  };
  std::vector<gap> free;  // sorted by begin
  scratch_plan plan;
  plan.offset.assign(sizes.size(), 0);
  auto release = [&](std::size_t begin, std::size_t length) {
    std::size_t k = 0;
    while (k < free.size() && free[k].begin < begin) ++k;
    free.insert(free.begin() + std::ptrdiff_t(k), gap{begin, length});
    for (std::size_t j = 0; j + 1 < free.size();) {  // merge neighbours
      if (free[j].begin + free[j].length == free[j + 1].begin) {
        free[j].length += free[j + 1].length;
        free.erase(free.begin() + std::ptrdiff_t(j) + 1);
      } else {
        ++j;
      }
    }
  };
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    plan.naive += sizes[i];
    if (sizes[i] != 0) {
      std::size_t k = 0;
      while (k < free.size() && free[k].length < sizes[i]) ++k;
      if (k < free.size()) {
        plan.offset[i] = free[k].begin;
        free[k].begin += sizes[i];
        free[k].length -= sizes[i];
        if (free[k].length == 0) free.erase(free.begin() + std::ptrdiff_t(k));
      } else if (!free.empty() && free.back().begin + free.back().length == plan.size) {
        plan.offset[i] = free.back().begin;  // grow the last gap
        plan.size = free.back().begin + sizes[i];
        free.pop_back();
      } else {
        plan.offset[i] = plan.size;
        plan.size += sizes[i];
      }
    }
    for (std::size_t j = 0; j < i; ++j)
      if (last_use[j] == i && sizes[j] != 0) release(plan.offset[j], sizes[j]);
  }
  return plan;
}

inline std::string upper_case(std::string_view s) {
  std::string u;
  for (char c : s) u += (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
  return u;
}


// A float32 value as a C literal that reads back to the same float.
inline std::string float_literal(double value, std::string_view what) {
  const float f = static_cast<float>(value);
  if (!std::isfinite(f))
    throw std::invalid_argument("emit_c: " + std::string(what) + " is " + std::to_string(value) +
                                ", which has no finite float32 value");
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(f));
  if (std::strtof(buffer, nullptr) != f)
    throw std::logic_error("emit_c: " + std::string(what) + ": " + buffer + " does not read back to its float");
  std::string s = buffer;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s + "f";
}

template <class Tensor>
std::string float_array(const Tensor& t, std::string_view what) {
  std::string out;
  for (std::size_t i = 0; i < Tensor::size; ++i) {
    if (i % 8 == 0) out += "\n  ";
    out += float_literal(static_cast<double>(t[i]), std::string(what) + "[" + std::to_string(i) + "]");
    out += i + 1 < Tensor::size ? ", " : "";
  }
  return out;
}

// One node of a model, as the C header's assembly needs it. Collected by a
// small loop over the node list; the assembly itself (liveness, kernels,
// the header's text) is then one plain function, compiled once per
// program rather than once per node.
struct c_node {
  enum class role { input, weights, constant, computed } kind = role::computed;
  std::size_t size = 0;                // elements
  std::vector<std::size_t> children;   // indices into the node list
  std::string terminal, values;        // weights: the name, and the floats as C text
  std::string shape, op_name;          // "[4,2]"; a computed node's op
  std::string (*notation)(const std::string*) = nullptr;
  void (*kernel)(cpp_code&, const std::string&, const std::string*) = nullptr;
};

// The header's text for the nodes of a model, the last of them its output.
inline std::string assemble_c(const std::vector<c_node>& nodes, const std::string& fn, const std::string& model_text) {
  const std::size_t count = nodes.size(), root = count - 1;
  const std::size_t in_size = [&] {
    for (const auto& n : nodes)
      if (n.kind == c_node::role::input) return n.size;
    return std::size_t{0};
  }();
  const std::string in_shape = [&] {
    for (const auto& n : nodes)
      if (n.kind == c_node::role::input) return n.shape;
    return std::string();
  }();
  const std::size_t out_size = nodes[root].size;

  // Liveness: the last node that reads each node; the root is written
  // straight into `output`, so it takes no scratch.
  std::vector<std::size_t> sizes(count, 0), last_use(count, count);
  for (std::size_t i = 0; i < count; ++i) {
    if (nodes[i].kind != c_node::role::computed) continue;
    if (i != root) sizes[i] = nodes[i].size;
    for (std::size_t c : nodes[i].children) last_use[c] = i;
  }
  const scratch_plan plan = plan_scratch(sizes, last_use);

  std::string weights, constants, steps;
  std::size_t weight_count = 0, computed = 0;
  std::vector<std::string> var(count);
  cpp_code body;
  body.lang = dialect::c_float;
  // Each distinct kernel is a function of its own whose pointers are
  // restrict-qualified: the compiler knows they do not alias (the scratch
  // plan never lets an output overlap an input) and vectorises the loops
  // whether or not it inlines them, wherever the model is called from.
  std::vector<std::pair<std::string, std::string>> kernels;  // (text, function name)
  for (std::size_t i = 0; i < count; ++i) {
    const c_node& n = nodes[i];
    if (n.kind == c_node::role::input) {
      var[i] = "input";
    } else if (n.kind == c_node::role::weights) {
      var[i] = fn + "_" + n.terminal;
      weight_count += n.size;
      weights += "/* " + n.terminal + " " + n.shape + " */\n";
      weights += "static const float " + var[i] + "[" + num(n.size) + "] = {" + n.values + "};\n";
    } else if (n.kind == c_node::role::constant) {
      var[i] = join("k", std::to_string(i), "_");
      constants += "  const float " + var[i] + "[1] = {" + n.values + "};\n";
    } else {
      var[i] = i == root ? std::string("output") : join("t", std::to_string(++computed), "_");
      if (i != root) body.line("float* const " + var[i] + " = scratch + " + num(plan.offset[i]) + ";");
      std::vector<std::string> operands;
      for (std::size_t c : n.children) operands.push_back(var[c]);
      body.line("// " + var[i] + " = " + n.notation(operands.data()) + "  " + n.shape);
      // One parameter per distinct operand (hadamard(h, h) reads h once).
      std::vector<std::string> local(n.children.size());
      std::string params_text, args;
      for (std::size_t j = 0, distinct = 0; j < n.children.size(); ++j) {
        std::size_t first = j;
        for (std::size_t k = 0; k < j; ++k)
          if (n.children[k] == n.children[j]) first = std::min(first, k);
        if (first != j) {
          local[j] = local[first];
          continue;
        }
        local[j] = "in" + std::to_string(distinct++) + "_";  // trailing _: no clash with kernels' locals
        params_text += "const float* restrict " + local[j] + ", ";
        args += var[n.children[j]] + ", ";
      }
      cpp_code kernel;
      kernel.lang = dialect::c_float;
      n.kernel(kernel, "out_", local.data());
      params_text += "float* restrict out_";
      const std::string key = params_text + "\n" + kernel.text;
      std::string function;
      for (const auto& [text, named] : kernels)
        if (text == key) function = named;
      if (function.empty()) {
        function = fn + "_step" + std::to_string(kernels.size() + 1);
        kernels.emplace_back(key, function);
        steps += "/* " + n.op_name + " " + n.shape + " */\n";
        steps += "static void " + function + "(" + params_text + ") {\n" + kernel.text + "}\n";
      }
      body.line(function + "(" + args + var[i] + ");");
    }
  }
  if (nodes[root].kind != c_node::role::computed)
    body.line("for (int i = 0; i < " + num(out_size) + "; ++i) output[i] = " + var[root] + "[i];");

  const std::string upper = upper_case(fn);
  const std::size_t scratch = plan.size == 0 ? 1 : plan.size;
  std::string out;
  out += "/* Generated by typegrad::emit_c. Standalone C99: it needs only <math.h> (link with -lm).\n";
  out += " * " + fn + "(input, output) computes " + model_text + " for one example:\n";
  out += " *   input:  " + num(in_size) + " floats, " + in_shape + " row-major\n";
  out += " *   output: " + num(out_size) + " floats, " + nodes[root].shape + " row-major\n";
  out += " * Scratch: " + num(plan.size) + " floats (" + num(plan.size * 4) +
         " bytes), known at compile time: a local array of " + fn + ", or the caller's\n";
  out += " *   buffer with " + fn + "_with_scratch. Planned by liveness; " + num(plan.naive) + " floats without reuse.\n";
  out += " * Weights: " + num(weight_count) + " floats (" + num(weight_count * 4) + " bytes) of static const data, float32.\n";
  out += " * No heap, no mutable global state. */\n";
  out += "#ifndef " + upper + "_H\n#define " + upper + "_H\n\n#include <math.h>\n\n";
  out += "#define " + upper + "_INPUT_SIZE " + num(in_size) + "\n";
  out += "#define " + upper + "_OUTPUT_SIZE " + num(out_size) + "\n";
  out += "#define " + upper + "_SCRATCH_SIZE " + num(scratch) + "\n\n";
  out += weights + "\n";
  out += steps + "\n";
  out += "static inline void " + fn + "_with_scratch(const float input[" + num(in_size) + "], float output[" +
         num(out_size) + "], float scratch[" + num(scratch) + "]) {\n";
  if (plan.size == 0) out += "  (void)scratch;\n";
  out += constants + body.text + "}\n\n";
  out += "static inline void " + fn + "(const float input[" + num(in_size) + "], float output[" + num(out_size) + "]) {\n";
  out += "  float scratch[" + num(scratch) + "];\n";
  out += "  " + fn + "_with_scratch(input, output, scratch);\n}\n\n";
  out += "/* count examples, one after another: inputs holds count * " + num(in_size) + " floats, outputs count * " +
         num(out_size) + ". */\n";
  out += "static inline void " + fn + "_batch(const float* inputs, float* outputs, int count) {\n";
  out += "  for (int e = 0; e < count; ++e) " + fn + "(inputs + e * " + num(in_size) + ", outputs + e * " + num(out_size) +
         ");\n}\n\n";
  out += "#endif\n";
  return out;
}

template <class Leaf>
struct is_input_leaf : std::false_type {};
template <fixed_string N, class S>
struct is_input_leaf<input_leaf<N, S>> : std::true_type {};

template <class... Nodes>
constexpr std::size_t input_terminal_count(type_list<Nodes...>) {
  return (std::size_t{0} + ... + [] {
    if constexpr (leaf_expression<Nodes>)
      return std::size_t(is_input_leaf<leaf_of_t<Nodes>>::value);
    else
      return std::size_t{0};
  }());
}

// The input terminal of a model of one example.
template <class Nodes>
struct the_input;
template <class... Nodes>
struct the_input<type_list<Nodes...>> {
  template <class N>
  static constexpr bool is_input() {
    if constexpr (leaf_expression<N>)
      return is_input_leaf<leaf_of_t<N>>::value;
    else
      return false;
  }
  static constexpr std::size_t index = [] {
    constexpr bool hits[] = {is_input<Nodes>()..., true};
    std::size_t i = 0;
    while (!hits[i]) ++i;
    return i;
  }();
  using type = typename at<index < sizeof...(Nodes) ? index : 0, type_list<Nodes...>>::type;
};

}  // namespace inspect

// The input terminal of a model (an expression with exactly one input).
template <class Model>
using model_input_t = typename inspect::the_input<node_list_t<canonical_t<Model>>>::type;

// The C99 header text. `name` must be a C identifier; it prefixes every name
// the header defines. Throws std::invalid_argument for a bad name or a
// parameter with no finite float32 value.
// (auto: instantiated at the call, so a misuse shows the caller's line.)
template <expression Model, environment_type Params>
auto emit_c(const Model& model, const Params& params, std::string_view name) {
  const auto form = canonicalize(model);
  using root = typename std::remove_cvref_t<decltype(form)>::expression_type;
  using nodes = node_list_t<root>;
  constexpr std::size_t inputs = inspect::input_terminal_count(nodes{});
  static_assert(diagnostics::deployed_model_has_one_input<inputs>::value,
                "typegrad: emit_c needs a model with exactly one input terminal (the example it is called on)");
  if (!diagnostics::is_c_identifier(name))
    throw std::invalid_argument("emit_c: the name '" + std::string(name) + "' is not a C identifier");
  std::vector<inspect::c_node> records(nodes::size);
  [&]<class... N>(type_list<N...>) {
    std::size_t i = 0;
    (([&] {
       inspect::c_node& r = records[i++];
       r.size = shape_of_t<N>::size;
       r.shape = shape_text<shape_of_t<N>>::value;
       if constexpr (leaf_expression<N>) {
         using leaf = leaf_of_t<N>;
         if constexpr (inspect::is_input_leaf<leaf>::value) {
           r.kind = inspect::c_node::role::input;
         } else if constexpr (is_variable_leaf_v<leaf>) {
           static_assert(diagnostics::name_is_c_identifier<leaf::name>::value,
                         "typegrad: emit_c needs terminal names that are C identifiers");
           r.kind = inspect::c_node::role::weights;
           r.terminal = leaf::name.view();
           r.values = inspect::float_array(params.template lookup<leaf>(), r.terminal);
         } else {
           r.kind = inspect::c_node::role::constant;
           r.values = inspect::float_literal(inspect::leaf_numeric_value<leaf>(form.numbers.data()), "a constant");
         }
       } else {
         r.op_name = op_of_t<N>::name;
         r.notation = &inspect::node_notation<N>;
         r.kernel = &inspect::node_kernel<N>;
         [&]<class... C>(type_list<C...>) { r.children = {index_in<C, nodes>::value...}; }(children_t<N>{});
       }
     }()),
     ...);
  }(nodes{});
  return inspect::assemble_c(records, std::string(name), to_string(model));
}

// Test vectors for an emitted model: NAME_VECTOR_COUNT (upper case) examples, their inputs
// and typegrad's outputs for them (computed in the parameters' scalar type,
// written as float32), as C99 arrays NAME_vector_inputs and
// NAME_vector_outputs.
template <expression Model, environment_type Params, class Inputs>
std::string emit_c_test_vectors(const Model& model, const Params& params, std::string_view name, const Inputs& inputs) {
  using input = model_input_t<Model>;
  const std::string fn(name);
  std::string in_text, out_text;
  for (const auto& x : inputs) {
    const auto y = eval(model, params, bind(input{} = x));
    in_text += "  {" + inspect::float_array(x, "an input") + "},\n";
    if constexpr (std::remove_cvref_t<decltype(y)>::rank == 0) {
      out_text += "  {" + inspect::float_literal(static_cast<double>(y), "an output") + "},\n";
    } else {
      out_text += "  {" + inspect::float_array(y, "an output") + "},\n";
    }
  }
  const std::size_t count = std::size(inputs);
  std::string out = "/* Generated by typegrad::emit_c_test_vectors: inputs and typegrad's outputs for " + fn + ". */\n";
  out += "#define " + inspect::upper_case(fn) + "_VECTOR_COUNT " + inspect::num(count) + "\n";
  out += "static const float " + fn + "_vector_inputs[" + inspect::num(count) + "][" +
         inspect::num(shape_of_t<input>::size) + "] = {\n" + in_text + "};\n";
  out += "static const float " + fn + "_vector_outputs[" + inspect::num(count) + "][" +
         inspect::num(shape_of_t<canonical_t<Model>>::size) + "] = {\n" + out_text + "};\n";
  return out;
}

}  // namespace typegrad

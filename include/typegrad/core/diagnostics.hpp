#pragma once
// Every compile-time check of typegrad is named here. Each trait carries the
// shapes (or names) it judges in its type, so that the compiler prints them
// with the failing static_assert: GCC in the note after the error, Clang in
// the error line itself. The messages stand beside the static_asserts, in the
// op that owns the rule.
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <typegrad/core/fixed_string.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/core/shape.hpp>

namespace typegrad::diagnostics {

// A terminal's name as a pack of characters, so that both compilers print it
// legibly in a diagnostic (Clang prints a string argument as its bytes).
template <char... C>
struct name {};
template <fixed_string Name, class Seq = std::make_index_sequence<Name.size()>>
struct spelled;
template <fixed_string Name, std::size_t... I>
struct spelled<Name, std::index_sequence<I...>> {
  using type = name<Name.chars[I]...>;
};
template <fixed_string Name>
using spelled_t = typename spelled<Name>::type;

// matrix product: cols(lhs) == rows(rhs)
template <class Lhs, class Rhs>
struct matmul_inner_dims_agree {
  static constexpr bool value =
      Lhs::rank >= 1 && Rhs::rank >= 1 && Lhs::dims[Lhs::rank - 1] == Rhs::dims[0];
};
// matrix product: rank 2 times rank 2, or rank 2 times rank 1
template <class Lhs, class Rhs>
struct matmul_ranks_supported {
  static constexpr bool value = Lhs::rank == 2 && (Rhs::rank == 1 || Rhs::rank == 2);
};
// outer product: two vectors
template <class Lhs, class Rhs>
struct outer_operands_are_vectors {
  static constexpr bool value = Lhs::rank == 1 && Rhs::rank == 1;
};
// elementwise binary ops: shapes that broadcast (shape.hpp, broadcasts_into)
template <class Lhs, class Rhs>
struct elementwise_shapes_broadcast {
  static constexpr bool value = broadcastable<Lhs, Rhs>();
};
// conv2d: input [B,H,W,Cin], kernel [KH,KW,Cin,Cout], and a window that fits
// the padded image (Fits, worked out by the op from its options)
template <class Input, class Kernel, bool Fits>
struct conv2d_operands_agree {
  static constexpr bool value = Fits;
};
// depthwise_conv2d: input [B,H,W,C], kernel [KH,KW,C,M], a window that fits
template <class Input, class Kernel, bool Fits>
struct depthwise_conv2d_operands_agree {
  static constexpr bool value = Fits;
};
// conv1d: input [B,T,Cin], kernel [K,Cin/groups,Cout], a window that fits
template <class Input, class Kernel, bool Fits>
struct conv1d_operands_agree {
  static constexpr bool value = Fits;
};
// max_pool2d: input [B,H,W,C] and windows that fit it (Fits, from the options)
template <class Input, bool Fits>
struct pool2d_window_fits {
  static constexpr bool value = Fits;
};
// sum/mean/max over axes: the axis list A fits the operand's shape
template <class Shape, class A>
struct reduction_axes_exist {
  static constexpr bool value = A::template fit<Shape>;
};
// slice: an axis of the operand, and Begin < End <= its extent (Fits)
template <class Shape, std::size_t Axis, std::size_t Begin, std::size_t End, bool Fits>
struct slice_within_axis {
  static constexpr bool value = Fits;
};
// concat: operands of one rank that agree on every axis but Axis (Fits)
template <class A, class B, std::size_t Axis, bool Fits>
struct concat_operands_agree {
  static constexpr bool value = Fits;
};
// reshape keeps the number of elements
template <class From, class To>
struct reshape_keeps_size {
  static constexpr bool value = From::size == To::size;
};
// flatten takes [B, ...] of rank 2 or more (or a scalar, which passes through)
template <class S>
struct flatten_operand_has_a_batch_axis {
  static constexpr bool value = S::rank >= 2 || S::rank == 0;
};
// cross-entropy: probabilities and targets of one shape, rank 1 or 2
template <class Probabilities, class Targets>
struct cross_entropy_shapes_agree {
  static constexpr bool value = same_type<Probabilities, Targets> && Probabilities::rank >= 1;
};
// mse and bce_with_logits: predictions and targets of one shape
template <class Predictions, class Targets>
struct loss_operands_share_shape {
  static constexpr bool value = same_type<Predictions, Targets>;
};
// row-wise ops (softmax, log_softmax) take rank 1 or 2
template <class S>
struct rowwise_operand_has_rank_1_or_2 {
  static constexpr bool value = S::rank == 1 || S::rank == 2;
};
// transpose takes rank 2
template <class S>
struct transpose_operand_has_rank_2 {
  static constexpr bool value = S::rank == 2;
};
// broadcast<To>(x) needs x to broadcast to To
template <class From, class To>
struct broadcasts_to {
  static constexpr bool value = broadcasts_into<From, To>();
};
// grad needs a scalar loss
template <class LossShape>
struct loss_is_scalar {
  static constexpr bool value = LossShape::rank == 0;
};
// grad differentiates with respect to terminals (params and inputs); Wrt is
// what it was given
template <class Wrt, bool IsTerminal>
struct grad_target_is_terminal {
  static constexpr bool value = IsTerminal;
};
// jvp and hvp move at least one terminal; Count is how many were listed
template <std::size_t Count>
struct derivative_lists_terminals {
  static constexpr bool value = Count > 0;
};
// an expression made by derivative or tangent_of holds no runtime numbers
// (they live in a program, not in the type); Operation names the call
template <class Operation, class ExpressionShape, std::size_t RuntimeNumbers>
struct derived_expression_has_exact_numbers {
  static constexpr bool value = RuntimeNumbers == 0;
};
// only params and inputs are bound to values (not constants)
template <class Name, class Terminal, bool IsVariable>
struct bound_terminal_is_variable {
  static constexpr bool value = IsVariable;
};
// repeat_cols takes a scalar or a vector
template <class S>
struct repeat_cols_operand_has_rank_0_or_1 {
  static constexpr bool value = S::rank <= 1;
};
// correct_predictions: scores and targets of one [rows, classes] shape
template <class ScoresShape, class TargetsShape>
struct scores_and_targets_share_a_matrix_shape {
  static constexpr bool value = same_type<ScoresShape, TargetsShape> && ScoresShape::rank == 2;
};
// tensors, parameter sets and programs hold float or double
template <class T>
struct scalar_is_float_or_double {
  static constexpr bool value = std::is_floating_point_v<T>;
};
// tensors have rank 0 to 4
template <class S>
struct tensor_rank_supported {
  static constexpr bool value = S::rank <= 4;
};
// a tensor's brace lists: Count values (rank 1) or Count rows of Columns
// values each (rank 2), for a tensor of shape S
template <class S, std::size_t Count, std::size_t... Columns>
struct initializer_matches_shape {
  static constexpr bool value =
      S::rank == 1 ? Count == S::size : (Count == S::dims[0] && ((Columns == S::dims[S::rank - 1]) && ...));
};
// a binding's tensor has the shape of its terminal
template <class Name, class TerminalShape, class TensorShape>
struct bound_shape_matches_terminal {
  static constexpr bool value = same_type<TerminalShape, TensorShape>;
};
// every terminal that an expression needs is bound
template <class Name, class Shape, bool Found>
struct bindings_provide_terminal {
  static constexpr bool value = Found;
};
// one name, one terminal
template <class Name, class TerminalA, class TerminalB>
struct one_name_one_terminal {
  static constexpr bool value = same_type<TerminalA, TerminalB>;
};
// environments passed together (parameters and data) are all float or all
// double; void stands for an empty environment, which agrees with any
template <class... Scalars>
struct environments_share_one_scalar_type {
  static constexpr bool value = true;
};
template <class... Rest>
struct environments_share_one_scalar_type<void, Rest...> : environments_share_one_scalar_type<Rest...> {};
template <class First, class... Rest>
struct environments_share_one_scalar_type<First, Rest...> {
  static constexpr bool value = ((std::is_void_v<Rest> || same_type<First, Rest>) && ...);
};
// bind: every tensor of one scalar type; names the first two that differ
template <class FirstName, class FirstScalar, class OtherName, class OtherScalar>
struct bound_scalar_types_agree {
  static constexpr bool value = same_type<FirstScalar, OtherScalar>;
};
// g[t]: t is one of the terminals grad was asked about (Listed)
template <class Name, class... Listed>
struct gradient_lists_terminal {
  static constexpr bool value = (same_type<Name, Listed> || ...);
};
// an optimiser updates every parameter of its set, so the gradients list each
template <class Name, class... Listed>
struct gradients_list_parameter {
  static constexpr bool value = (same_type<Name, Listed> || ...);
};
// an optimiser steps the parameter set it was made for. Each set is spelled
// as parameter_set<scalar, terminal<name, shape>...>, so both are printed
template <class Name, class Shape>
struct terminal {};
template <class Scalar, class... Terminals>
struct parameter_set {};
template <class MadeFor, class Given, bool Same>
struct optimiser_steps_its_parameter_set {
  static constexpr bool value = Same;
};
// a view that keeps a reference (minibatches, join) is made from a named
// object, not a temporary that dies at the end of the declaration
template <class View, class Source, bool Named>
struct view_source_is_named {
  static constexpr bool value = Named;
};
// each name is bound once
template <class Name, std::size_t Count>
struct bound_once {
  static constexpr bool value = Count <= 1;
};
// a run without a workspace keeps its intermediates on the stack: at most
// Limit bytes (TYPEGRAD_STACK_WORKSPACE_LIMIT)
template <std::size_t NeededBytes, std::size_t LimitBytes>
struct workspace_fits_on_the_stack {
  static constexpr bool value = NeededBytes <= LimitBytes;
};
// emit_c deploys a model of one example: exactly one input terminal
template <std::size_t InputTerminals>
struct deployed_model_has_one_input {
  static constexpr bool value = InputTerminals == 1;
};
// quantize_int8 lowers only ops with an int8 form; Op is the first that has
// none, Shape its output
template <class Op, class Shape>
struct op_has_int8_form {
  static constexpr bool value = false;
};
// quantize_int8 reads whole examples of Features values from each
// calibration tensor
template <class Shape, std::size_t Features>
struct calibration_holds_whole_examples {
  static constexpr bool value = Shape::size != 0 && Shape::size % Features == 0;
};
// an int8 model runs on one example of its input size at a time
template <class ExampleShape, std::size_t InputSize>
struct example_matches_int8_input {
  static constexpr bool value = ExampleShape::size == InputSize;
};
// emitted code needs terminal names that are C identifiers
constexpr bool is_c_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}
template <fixed_string Name, class Spelled = spelled_t<Name>>
struct name_is_c_identifier {
  static constexpr bool value = is_c_identifier(Name.view());
};
// emit_cpp writes each terminal as a field of NAME_in and NAME_out: a C++
// identifier, not a keyword, and not "value" (NAME_out's loss field)
constexpr bool is_cpp_keyword(std::string_view s) {
  constexpr std::string_view keywords[] = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
      "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq"};
  for (std::string_view k : keywords)
    if (k == s) return true;
  return false;
}
template <fixed_string Name, class Spelled = spelled_t<Name>>
struct name_is_emittable_field {
  static constexpr bool value =
      is_c_identifier(Name.view()) && !is_cpp_keyword(Name.view()) && Name.view() != std::string_view("value");
};

}  // namespace typegrad::diagnostics

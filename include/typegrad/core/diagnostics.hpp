#pragma once
// Every compile-time check of typegrad is named here. Each trait carries the
// shapes (or names) it judges in its type, so that the compiler prints them
// with the failing static_assert: GCC in the note after the error, Clang in
// the error line itself. The messages stand beside the static_asserts, in the
// op that owns the rule.
#include <cstddef>
#include <type_traits>
#include <utility>

#include <typegrad/core/fixed_string.hpp>
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
// elementwise binary ops: equal shapes, a scalar, or [n] over the rows of [m, n]
template <class Lhs, class Rhs>
struct elementwise_shapes_broadcast {
  static constexpr bool value = broadcastable<Lhs, Rhs>();
};
// cross-entropy: probabilities and targets of one shape, rank 1 or 2
template <class Probabilities, class Targets>
struct cross_entropy_shapes_agree {
  static constexpr bool value = std::is_same_v<Probabilities, Targets> && Probabilities::rank >= 1;
};
// mse and bce_with_logits: predictions and targets of one shape
template <class Predictions, class Targets>
struct loss_operands_share_shape {
  static constexpr bool value = std::is_same_v<Predictions, Targets>;
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
  static constexpr bool value =
      std::is_same_v<From, To> || From::rank == 0 || (From::rank == 1 && To::rank == 2 && From::dims[0] == To::dims[1]);
};
// grad needs a scalar loss
template <class LossShape>
struct loss_is_scalar {
  static constexpr bool value = LossShape::rank == 0;
};
// grad differentiates with respect to params and inputs
template <class Terminal>
struct is_differentiable_terminal {
  static constexpr bool value = false;
};
// a binding's tensor has the shape of its terminal
template <class Name, class TerminalShape, class TensorShape>
struct bound_shape_matches_terminal {
  static constexpr bool value = std::is_same_v<TerminalShape, TensorShape>;
};
// every terminal that an expression needs is bound
template <class Name, class Shape, bool Found>
struct bindings_provide_terminal {
  static constexpr bool value = Found;
};
// one name, one terminal
template <class Name, class TerminalA, class TerminalB>
struct one_name_one_terminal {
  static constexpr bool value = std::is_same_v<TerminalA, TerminalB>;
};
// bindings are all float or all double
template <class First = double, class... Rest>
struct bindings_share_one_scalar_type {
  static constexpr bool value = (std::is_same_v<First, Rest> && ...);
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
  static constexpr bool value = ((std::is_void_v<Rest> || std::is_same_v<First, Rest>) && ...);
};
// each name is bound once
template <class Name, std::size_t Count>
struct bound_once {
  static constexpr bool value = Count <= 1;
};
// emit_c deploys a model of one example: exactly one input terminal
template <std::size_t InputTerminals>
struct deployed_model_has_one_input {
  static constexpr bool value = InputTerminals == 1;
};
// emitted C++ needs terminal names that are C identifiers
template <fixed_string Name, class Spelled = spelled_t<Name>>
struct name_is_c_identifier {
  static constexpr bool value = [] {
    auto s = Name.view();
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      bool digit = c >= '0' && c <= '9';
      if (!(alpha || (i > 0 && digit))) return false;
    }
    return true;
  }();
};

}  // namespace typegrad::diagnostics

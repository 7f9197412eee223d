#pragma once
// Evaluation: the canonical graph is computed in topological order, one slot
// per distinct node, each node once. Slots live on the stack; nothing touches
// the heap. Terminals are read in place from the bindings.
#include <array>
#include <cstddef>
#include <tuple>
#include <string_view>
#include <type_traits>
#include <utility>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/detail/kernels.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/graph/topo.hpp>

namespace typegrad {

namespace detail {

struct no_slot {};

// The storage of one computed node: like a tensor, but left uninitialised,
// since every kernel writes all of its output before anything reads it.
template <class T, class S>
struct slot_storage {
  using value_type = T;
  using shape_type = S;
  static constexpr std::size_t rank = S::rank;
  static constexpr std::size_t size = S::size;
  T elements[size == 0 ? 1 : size];

  constexpr T& operator[](std::size_t i) { return elements[i]; }
  constexpr const T& operator[](std::size_t i) const { return elements[i]; }
  constexpr T* data() { return elements; }
  constexpr const T* data() const { return elements; }
};

template <class T, class N>
struct slot {
  using type = no_slot;
};
template <class T, class N>
  requires(!is_leaf_expr_v<N>)
struct slot<T, N> {
  using type = slot_storage<T, shape_of_t<N>>;
};

// All slots of a run, default-initialised (std::tuple would zero them).
template <std::size_t I, class S>
struct indexed_slot {
  S value;
};
template <class Seq, class... S>
struct slot_pack;
template <std::size_t... I, class... S>
struct slot_pack<std::index_sequence<I...>, S...> : indexed_slot<I, S>... {};
template <std::size_t I, class S>
constexpr S& slot_at(indexed_slot<I, S>& s) {
  return s.value;
}
template <std::size_t I, class S>
constexpr const S& slot_at(const indexed_slot<I, S>& s) {
  return s.value;
}

// One run over a node list, in order.
template <class T, class Env, std::size_t NumberCount, class Nodes>
struct evaluation;
template <class T, class Env, std::size_t NumberCount, class... Nodes>
struct evaluation<T, Env, NumberCount, type_list<Nodes...>> {
  using nodes = type_list<Nodes...>;

  const Env& env;
  const std::array<double, NumberCount>& numbers;
  slot_pack<std::index_sequence_for<Nodes...>, typename slot<T, Nodes>::type...> slots;

  constexpr evaluation(const Env& bound, const std::array<double, NumberCount>& values) : env(bound), numbers(values) {}

  TYPEGRAD_ALWAYS_INLINE constexpr void run() { (compute<Nodes>(), ...); }

  // The value of node N: a reference to its slot or to its binding, or a
  // scalar for a constant.
  template <class N>
  TYPEGRAD_ALWAYS_INLINE constexpr decltype(auto) value() const {
    if constexpr (is_leaf_expr_v<N>) {
      using leaf = leaf_of_t<N>;
      if constexpr (is_variable_leaf_v<leaf>)
        return env.template lookup<leaf>();
      else if constexpr (is_literal_v<N>)
        return tensor<T>(leaf::template value<T>);
      else
        return tensor<T>(static_cast<T>(numbers[leaf::index]));
    } else {
      return (slot_at<index_in_v<N, nodes>>(slots));
    }
  }

 private:
  template <class N>
  TYPEGRAD_ALWAYS_INLINE constexpr void compute() {
    if constexpr (!is_leaf_expr_v<N>) forward<op_of_t<N>>(slot_at<index_in_v<N, nodes>>(slots), children_t<N>{});
  }
  template <class Op, class Out, class... C>
  TYPEGRAD_ALWAYS_INLINE constexpr void forward(Out& out, type_list<C...>) {
    Op::forward(out, value<C>()...);
  }
};

template <class N>
constexpr std::string_view terminal_name() {
  if constexpr (is_leaf_expr_v<N>) {
    if constexpr (is_variable_leaf_v<leaf_of_t<N>>)
      return leaf_of_t<N>::name.view();
    else
      return std::string_view{};
  } else {
    return std::string_view{};
  }
}

// Two terminals of one name must be one terminal. Returns whether they are.
template <class... Nodes>
constexpr bool check_terminal_names(type_list<Nodes...>) {
  constexpr std::size_t n = sizeof...(Nodes);
  constexpr auto clash = [] {
    constexpr std::size_t n = sizeof...(Nodes);
    constexpr std::string_view names[] = {terminal_name<Nodes>()..., {}};
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j)
        if (!names[i].empty() && names[i] == names[j]) return std::pair{i, j};
    return std::pair{n, n};
  }();
  if constexpr (clash.first != n) {
    using nodes = type_list<Nodes...>;
    using first = leaf_of_t<typename at<clash.first, nodes>::type>;
    using second = leaf_of_t<typename at<clash.second, nodes>::type>;
    static_assert(diagnostics::one_name_one_terminal<diagnostics::spelled_t<first::name>, first, second>::value,
                  "typegrad: two terminals share one name but differ in shape or kind");
  }
  return clash.first == n;
}

template <class Env, class N>
constexpr binding_problem problem_of() {
  if constexpr (is_leaf_expr_v<N>) {
    if constexpr (is_variable_leaf_v<leaf_of_t<N>>) return Env::template problem<leaf_of_t<N>>();
  }
  return binding_problem::none;
}
// The position of the first terminal among Nodes that Env cannot provide
// (sizeof...(Nodes) when it provides them all).
template <class Env, class... Nodes>
constexpr std::size_t first_binding_problem(type_list<Nodes...>) {
  constexpr bool bad[] = {(problem_of<Env, Nodes>() != binding_problem::none)..., true};
  std::size_t i = 0;
  while (!bad[i]) ++i;
  return i;
}

// One static_assert for what is wrong with reading Leaf from Env. A function,
// not a class: Clang treats a failed static_assert in a class instantiated
// inside an `if constexpr` condition as a non-constant condition, and then
// goes on into both branches.
template <class Env, class Leaf>
constexpr bool report_binding() {
  constexpr binding_problem problem = Env::template problem<Leaf>();
  if constexpr (problem == binding_problem::missing) {
    static_assert(diagnostics::bindings_provide_terminal<diagnostics::spelled_t<Leaf::name>, typename Leaf::shape_type, false>::value,
                  "typegrad: the expression needs a terminal that the bindings lack");
  } else if constexpr (problem == binding_problem::repeated) {
    // tg::bind reports a name bound twice in one environment itself.
    static_assert(!is_joined_environment<Env>::value ||
                      diagnostics::bound_once<diagnostics::spelled_t<Leaf::name>, 2>::value,
                  "typegrad: a terminal is bound in more than one of the environments passed together");
  } else if constexpr (problem == binding_problem::other_terminal) {
    static_assert(diagnostics::one_name_one_terminal<diagnostics::spelled_t<Leaf::name>, Leaf,
                                                     typename Env::template bound_leaf_t<Leaf>>::value,
                  "typegrad: a terminal is bound under its name, but with another shape or kind");
  }
  return true;
}

// Everything an evaluation or a program call checks before it runs: the
// terminals' names, the bindings, their scalar types. It is instantiated in
// the function the user called, so the one error it reports shows the
// user's line (code reached only through a function returning void, such as
// run(), is instantiated at the end of the file, where g++ no longer knows
// which line asked for it). False when something was reported; the caller
// then runs nothing, so nothing cascades.
template <class Env, class Nodes>
constexpr bool ready_to_run() {
  if constexpr (!check_terminal_names(Nodes{})) {
    return false;
  } else {
    constexpr std::size_t bad = first_binding_problem<Env>(Nodes{});
    if constexpr (bad != Nodes::size) {
      return !report_binding<Env, leaf_of_t<typename at<bad, Nodes>::type>>();
    } else {
      return Env::one_scalar_type;  // a mix is reported by bind or by the join
    }
  }
}

}  // namespace detail

// Evaluates an expression with the given bindings; the result is a tensor of
// the expression's static shape (a rank-0 tensor converts to its scalar).
template <expression E, binding_source Env>
TYPEGRAD_FLATTEN constexpr auto eval(const E& e, const Env& env) {
  using T = typename Env::scalar_type;
  const auto form = canonicalize(e);
  using root = typename decltype(form)::expression_type;
  using nodes = node_list_t<root>;
  using result = tensor_for_t<T, shape_of_t<root>>;
  if constexpr (!detail::ready_to_run<Env, nodes>()) {
    return result{};  // reported; nothing more to say
  } else {
    detail::evaluation<T, Env, std::remove_cvref_t<decltype(form)>::number_count, nodes> run{env, form.numbers};
    run.run();
    result out;
    detail::copy_into(out, run.template value<root>());
    return out;
  }
}

// Parameters and data (or any environments) passed apart, read in place:
// eval(logits, params, data).
template <expression E, environment_type... Envs>
  requires(sizeof...(Envs) >= 2)
constexpr auto eval(const E& e, const Envs&... envs) {
  return eval(e, detail::join_environments(envs...));
}

// An expression with no terminals needs no bindings.
template <expression E>
constexpr auto eval(const E& e) {
  return eval(e, bind());
}

}  // namespace typegrad

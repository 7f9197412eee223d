#pragma once
// Evaluation: the canonical graph is computed in topological order, one slot
// per distinct node, each node once. Slots live on the stack; nothing touches
// the heap. Terminals are read in place from the bindings.
#include <array>
#include <cstddef>
#include <new>
#include <cstddef>
#include <tuple>
#include <string_view>
#include <type_traits>
#include <utility>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/graph/topo.hpp>
#include <typegrad/kernels/loops.hpp>

namespace typegrad {

namespace detail {

// A computed node's storage: a view of its elements in the run's arena,
// with the node's static shape. Every kernel writes all of its output
// before anything reads it, so the arena is never initialised.
template <class T, class S>
struct slot_view {
  using value_type = T;
  using shape_type = S;
  static constexpr std::size_t rank = S::rank;
  static constexpr std::size_t size = S::size;
  T* elements;

  constexpr T& operator[](std::size_t i) const { return elements[i]; }
  constexpr T* data() const { return elements; }
};

// The memory plan of a run: where in one arena each computed node lives.
// Storage is reused by liveness: a node's elements are freed once its last
// reader has run, and only after that reader's own output has been placed,
// so no output overlaps its inputs (the kernels rely on that). First fit
// over the freed gaps, coalesced. Sizes are rounded up to 16 elements, so
// every offset is 64-byte aligned for float and double alike.
template <class Nodes, class Roots>
struct memory_plan;
template <class... Nodes, class... Roots>
struct memory_plan<type_list<Nodes...>, type_list<Roots...>> {
  static constexpr std::size_t count = sizeof...(Nodes);
  static constexpr std::size_t granule = 16;
  using nodes = type_list<Nodes...>;

  template <class N>
  static constexpr std::size_t elements() {
    if constexpr (leaf_expression<N>)
      return 0;
    else
      return (shape_of_t<N>::size + granule - 1) / granule * granule;
  }
  template <class N>
  static constexpr void mark_readers(std::array<std::size_t, count + 1>& last, std::size_t reader) {
    if constexpr (!leaf_expression<N>)
      [&]<class... C>(type_list<C...>) { ((last[index_in<C, nodes>::value] = reader), ...); }(children_t<N>{});
  }

  struct layout {
    std::array<std::size_t, count + 1> offset{};
    std::size_t size = 0;   // elements of the arena
    std::size_t naive = 0;  // the sum of every computed node's elements, unrounded
  };

  static constexpr layout make() {
    constexpr std::size_t sizes[] = {elements<Nodes>()..., 0};
    constexpr std::size_t exact[] = {(leaf_expression<Nodes> ? 0 : shape_of_t<Nodes>::size)..., 0};
    std::array<std::size_t, count + 1> last{};
    for (std::size_t i = 0; i < count; ++i) last[i] = i;  // unread: freed at once
    std::size_t reader = 0;
    ((mark_readers<Nodes>(last, reader++)), ...);
    ((last[index_in<Roots, nodes>::value] = count), ...);  // results live to the end

    layout out;
    std::size_t gap_begin[count + 1]{}, gap_length[count + 1]{};
    std::size_t gaps = 0;
    auto release = [&](std::size_t begin, std::size_t length) {
      std::size_t k = 0;
      while (k < gaps && gap_begin[k] < begin) ++k;
      for (std::size_t j = gaps; j > k; --j) {
        gap_begin[j] = gap_begin[j - 1];
        gap_length[j] = gap_length[j - 1];
      }
      gap_begin[k] = begin;
      gap_length[k] = length;
      ++gaps;
      for (std::size_t j = 0; j + 1 < gaps;) {  // merge neighbours
        if (gap_begin[j] + gap_length[j] == gap_begin[j + 1]) {
          gap_length[j] += gap_length[j + 1];
          for (std::size_t m = j + 1; m + 1 < gaps; ++m) {
            gap_begin[m] = gap_begin[m + 1];
            gap_length[m] = gap_length[m + 1];
          }
          --gaps;
        } else {
          ++j;
        }
      }
    };
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t need = sizes[i];
      out.naive += exact[i];
      if (need != 0) {
        std::size_t k = 0;
        while (k < gaps && gap_length[k] < need) ++k;
        if (k < gaps) {
          out.offset[i] = gap_begin[k];
          gap_begin[k] += need;
          gap_length[k] -= need;
          if (gap_length[k] == 0) {
            for (std::size_t m = k; m + 1 < gaps; ++m) {
              gap_begin[m] = gap_begin[m + 1];
              gap_length[m] = gap_length[m + 1];
            }
            --gaps;
          }
        } else if (gaps > 0 && gap_begin[gaps - 1] + gap_length[gaps - 1] == out.size) {
          out.offset[i] = gap_begin[gaps - 1];  // grow the last gap
          out.size = gap_begin[gaps - 1] + need;
          --gaps;
        } else {
          out.offset[i] = out.size;
          out.size += need;
        }
      }
      for (std::size_t j = 0; j < i; ++j)
        if (last[j] == i && sizes[j] != 0) release(out.offset[j], sizes[j]);
    }
    return out;
  }
  static constexpr layout plan = make();
  static constexpr std::size_t arena_elements = plan.size == 0 ? 1 : plan.size;
};

// Storage for a run that the caller owns (on the heap, for a large model):
// the result, then the arena, 64-byte aligned. Sized for double; a float run
// uses part of it.
template <std::size_t ResultBytes, std::size_t ArenaElements>
struct workspace {
  static constexpr std::size_t arena_offset = (ResultBytes + 63) / 64 * 64;
  static constexpr std::size_t arena_elements = ArenaElements;
  alignas(64) std::byte bytes[arena_offset + ArenaElements * sizeof(double)];

  template <class T>
  T* arena() {
    return reinterpret_cast<T*>(bytes + arena_offset);
  }
  // The result, made anew in place for each run.
  template <class R>
  R& make_result() {
    static_assert(sizeof(R) <= ResultBytes && alignof(R) <= 64, "typegrad: internal: a workspace's result does not fit");
    return *::new (static_cast<void*>(bytes)) R{};
  }
};

// The stack a run needs when it has no workspace: its arena and its result.
template <class T, class Plan, class Result>
inline constexpr std::size_t stack_bytes = Plan::arena_elements * sizeof(T) + sizeof(Result);

// Where a value is read from, named without the graph: a computed node's
// slot (its shape and offset in the arena), or a terminal's leaf. The
// compiler mangles the name of every function it instantiates, and a node's
// type names its whole subgraph, so functions instantiated once per node are
// named by these refs, never by node types (named by node types, each of n
// functions had a name of O(n) parts and compile time grew as n cubed).
template <class S, std::size_t Offset>
struct slot_ref {};

template <class N, class Nodes, class Plan, bool = leaf_expression<N>>
struct ref_of {
  using type = leaf_of_t<N>;
};
template <class N, class Nodes, class Plan>
struct ref_of<N, Nodes, Plan, false> {
  using type = slot_ref<shape_of_t<N>, Plan::plan.offset[index_in<N, Nodes>::value]>;
};

// What one run reads: the bindings, the numbers and the arena.
template <class T, class Env, std::size_t NumberCount>
struct run_context {
  const Env& env;
  const std::array<double, NumberCount>& numbers;
  T* arena;

  // The value at Ref: a view of its slot, a reference to its binding, or a
  // scalar for a constant.
  template <class Ref>
  TYPEGRAD_ALWAYS_INLINE constexpr decltype(auto) read() const {
    if constexpr (is_slot_ref<Ref>::value)
      return slot_view<T, typename is_slot_ref<Ref>::shape>{arena + is_slot_ref<Ref>::offset};
    else if constexpr (is_variable_leaf_v<Ref>)
      return env.template lookup<Ref>();
    else if constexpr (literal_expression<leaf_expr<Ref>>)
      return tensor<T>(Ref::template value<T>);
    else
      return tensor<T>(static_cast<T>(numbers[Ref::index]));
  }

 private:
  template <class Ref>
  struct is_slot_ref : std::false_type {};
  template <class S, std::size_t Offset>
  struct is_slot_ref<slot_ref<S, Offset>> : std::true_type {
    using shape = S;
    static constexpr std::size_t offset = Offset;
  };
};

// One node's kernel: Op's forward from the In refs into the Out slot.
template <class Op, class Out, class... In>
struct node_step {
  template <class Context>
  TYPEGRAD_ALWAYS_INLINE static constexpr void run(const Context& context) {
    auto out = context.template read<Out>();
    Op::forward(out, context.template read<In>()...);
  }
};
struct no_step {
  template <class Context>
  TYPEGRAD_ALWAYS_INLINE static constexpr void run(const Context&) {}
};
template <class N, class Nodes, class Plan, bool = leaf_expression<N>>
struct step_of {
  using type = no_step;  // terminals are read in place
};
template <class N, class Nodes, class Plan>
struct step_of<N, Nodes, Plan, false> {
  template <class... C>
  using with_operands = node_step<op_of_t<N>, typename ref_of<N, Nodes, Plan>::type, typename ref_of<C, Nodes, Plan>::type...>;
  using type = typename traits<N>::template apply_children<with_operands>;
};

// One run over a node list, in order, in an arena laid out by Plan.
template <class T, class Env, std::size_t NumberCount, class Nodes, class Plan>
struct evaluation;
template <class T, class Env, std::size_t NumberCount, class... Nodes, class Plan>
struct evaluation<T, Env, NumberCount, type_list<Nodes...>, Plan> {
  using nodes = type_list<Nodes...>;

  run_context<T, Env, NumberCount> context;

  constexpr evaluation(const Env& bound, const std::array<double, NumberCount>& values, T* storage)
      : context{bound, values, storage} {}

  TYPEGRAD_ALWAYS_INLINE constexpr void run() { (step_of<Nodes, nodes, Plan>::type::run(context), ...); }

  // The value of node N: a view of its slot, a reference to its binding, or
  // a scalar for a constant.
  template <class N>
  TYPEGRAD_ALWAYS_INLINE constexpr decltype(auto) value() const {
    return context.template read<typename ref_of<N, nodes, Plan>::type>();
  }
};

template <class N>
constexpr std::string_view terminal_name() {
  if constexpr (leaf_expression<N>) {
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
    constexpr std::string_view names[] = {detail::terminal_name<Nodes>()..., {}};
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
  if constexpr (leaf_expression<N>) {
    if constexpr (is_variable_leaf_v<leaf_of_t<N>>) return Env::template problem<leaf_of_t<N>>();
  }
  return binding_problem::none;
}
// The position of the first terminal among Nodes that Env cannot provide
// (sizeof...(Nodes) when it provides them all).
template <class Env, class... Nodes>
constexpr std::size_t first_binding_problem(type_list<Nodes...>) {
  constexpr bool bad[] = {(detail::problem_of<Env, Nodes>() != binding_problem::none)..., true};
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
  if constexpr (!detail::check_terminal_names(Nodes{})) {
    return false;
  } else {
    constexpr std::size_t bad = detail::first_binding_problem<Env>(Nodes{});
    if constexpr (bad != Nodes::size) {
      return !report_binding<Env, leaf_of_t<typename at<bad, Nodes>::type>>();
    } else {
      return Env::one_scalar_type;  // a mix is reported by bind or by the join
    }
  }
}

}  // namespace detail

namespace detail {
template <class E>
struct eval_layout {
  using root = canonical_t<E>;
  using nodes = node_list_t<root>;
  using plan = memory_plan<nodes, type_list<root>>;
  template <class T>
  using result = tensor_for_t<T, shape_of_t<root>>;
  using workspace_type = workspace<sizeof(result<double>), plan::arena_elements>;
};
}  // namespace detail

// The caller-owned storage of eval(e, env, ws) for an expression type E:
// auto ws = std::make_unique<tg::eval_workspace_t<decltype(e)>>();
template <class E>
using eval_workspace_t = typename detail::eval_layout<std::remove_cvref_t<E>>::workspace_type;

// Evaluates an expression with the given bindings; the result is a tensor of
// the expression's static shape (a rank-0 tensor converts to its scalar).
// Every intermediate lives in one arena on the stack, planned by liveness; a
// run that would need more than TYPEGRAD_STACK_WORKSPACE_LIMIT bytes of
// stack is a compile error: pass a workspace instead.
template <expression E, binding_source Env>
TYPEGRAD_FLATTEN constexpr auto eval(const E& e, const Env& env) {
  using T = typename Env::scalar_type;
  const auto form = canonicalize(e);
  using layout = detail::eval_layout<std::remove_cvref_t<E>>;
  using result = typename layout::template result<T>;
  if constexpr (!detail::ready_to_run<Env, typename layout::nodes>()) {
    return result{};  // reported; nothing more to say
  } else {
    constexpr std::size_t needed = detail::stack_bytes<T, typename layout::plan, result>;
    static_assert(diagnostics::workspace_fits_on_the_stack<needed, TYPEGRAD_STACK_WORKSPACE_LIMIT>::value,
                  "typegrad: this evaluation needs more stack than TYPEGRAD_STACK_WORKSPACE_LIMIT; pass a workspace: "
                  "auto ws = std::make_unique<tg::eval_workspace_t<decltype(expr)>>(); tg::eval(expr, env, *ws)");
    alignas(64) T arena[layout::plan::arena_elements];
    detail::evaluation<T, Env, std::remove_cvref_t<decltype(form)>::number_count, typename layout::nodes,
                       typename layout::plan>
        run{env, form.numbers, arena};
    run.run();
    result out;
    kernels::copy_into(out, run.template value<typename layout::root>());
    return out;
  }
}

// The same in a workspace the caller owns: no stack beyond the kernels' own,
// and the result stays in the workspace (a reference, valid until its next use).
template <expression E, binding_source Env>
TYPEGRAD_FLATTEN auto eval(const E& e, const Env& env, eval_workspace_t<E>& ws)
    -> const typename detail::eval_layout<std::remove_cvref_t<E>>::template result<typename Env::scalar_type>& {
  using T = typename Env::scalar_type;
  const auto form = canonicalize(e);
  using layout = detail::eval_layout<std::remove_cvref_t<E>>;
  using result = typename layout::template result<T>;
  result& out = ws.template make_result<result>();
  if constexpr (detail::ready_to_run<Env, typename layout::nodes>()) {
    detail::evaluation<T, Env, std::remove_cvref_t<decltype(form)>::number_count, typename layout::nodes,
                       typename layout::plan>
        run{env, form.numbers, ws.template arena<T>()};
    run.run();
    kernels::copy_into(out, run.template value<typename layout::root>());
  }
  return out;
}

// Parameters and data (or any environments) read as one, by reference, for
// the calls that also take a workspace: program(tg::join(params, data), ws).
// The parts must outlive the join, so a temporary part is a compile error.
template <environment_type... Envs>
constexpr auto join(Envs&&... envs) {
  static_assert(diagnostics::view_source_is_named<joined_environment<std::remove_cvref_t<Envs>...>,
                                                  type_list<Envs&&...>, (std::is_lvalue_reference_v<Envs> && ...)>::value,
                "typegrad: join reads its environments in place; pass named ones, not temporaries");
  return detail::join_environments(envs...);
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

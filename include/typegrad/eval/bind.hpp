#pragma once
// Bindings: data enters only at evaluation time, by name.
//   auto env = tg::bind(W = tensor, X = tensor, ...);
#include <cstddef>
#include <memory>
#include <tuple>
#include <utility>
#include <type_traits>

#include <boost/hana/count_if.hpp>
#include <boost/hana/index_if.hpp>
#include <boost/hana/optional.hpp>
#include <boost/hana/type.hpp>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/core/tensor.hpp>
#include <typegrad/detail/config.hpp>

namespace typegrad {

// One terminal bound to one value; made by `terminal = tensor`.
template <class Leaf, class Tensor>
struct binding {
  using leaf = Leaf;
  using tensor_type = Tensor;
  Tensor value;
};

template <class... Bindings>
struct environment;

// Why a terminal cannot be read from an environment.
enum class binding_problem { none, missing, repeated, other_terminal };

namespace detail {
// Whether a binding type is for the terminal called Name.
template <fixed_string Name>
constexpr auto named = [](auto binding_type) {
  return hana::bool_c<decltype(binding_type)::type::leaf::name == Name>;
};
// The position of the binding named Name, or sizeof...(B) when there is none.
template <fixed_string Name, class... B>
constexpr std::size_t binding_index() {
  constexpr auto found = hana::index_if(hana::tuple_t<B...>, named<Name>);
  if constexpr (found == hana::nothing)
    return sizeof...(B);
  else
    return std::remove_cvref_t<decltype(*found)>::value;
}
template <fixed_string Name, class... B>
constexpr std::size_t binding_count() {
  return decltype(hana::count_if(hana::tuple_t<B...>, named<Name>))::value;
}
// Zeros of a shape, returned after a failed lookup so that the failure's
// static_assert is the only error.
template <class T, class S>
inline constexpr tensor_for_t<T, S> zeros_of{};

// Where an environment keeps its bindings: in itself, or, when they take more
// than TYPEGRAD_STACK_WORKSPACE_LIMIT bytes, in one heap allocation made at
// construction. A large parameter set, or an optimiser's moments (the same
// type), declared as a local variable then does not overflow the stack;
// small ones stay heap-free and usable in constant expressions.
template <class Tuple, bool OnHeap = (sizeof(Tuple) > TYPEGRAD_STACK_WORKSPACE_LIMIT)>
struct binding_storage {
  static constexpr bool on_heap = false;
  Tuple values{};
  constexpr binding_storage() = default;
  template <class... B>
  constexpr explicit binding_storage(const B&... b) : values(b...) {}
  constexpr Tuple& get() { return values; }
  constexpr const Tuple& get() const { return values; }
};
template <class Tuple>
struct binding_storage<Tuple, true> {
  static constexpr bool on_heap = true;
  std::unique_ptr<Tuple> values;
  binding_storage() : values(std::make_unique<Tuple>()) {}  // zero-filled
  template <class... B>
  explicit binding_storage(const B&... b) : values(std::make_unique<Tuple>(b...)) {}
  // Copies copy the values. A move copies too, so that a moved-from set still
  // holds storage and reading it cannot crash.
  binding_storage(const binding_storage& other) : values(std::make_unique<Tuple>(*other.values)) {}
  binding_storage& operator=(const binding_storage& other) {
    *values = *other.values;
    return *this;
  }
  ~binding_storage() = default;
  Tuple& get() { return *values; }
  const Tuple& get() const { return *values; }
};
}  // namespace detail

template <class... Bindings>
struct environment {
  // The scalar type of every bound tensor (double when nothing is bound).
  using scalar_type = typename std::tuple_element_t<0, std::tuple<typename Bindings::tensor_type..., tensor<double>>>::value_type;
  // The bound terminals, in binding order.
  using leaves = type_list<typename Bindings::leaf...>;

  // Zero-filled.
  constexpr environment() = default;
  constexpr explicit environment(const Bindings&... b)
    requires(sizeof...(Bindings) > 0)
      : storage(b...) {}

  // Whether the bindings live on the heap (past TYPEGRAD_STACK_WORKSPACE_LIMIT).
  static constexpr bool on_heap = detail::binding_storage<std::tuple<Bindings...>>::on_heap;

  // How many bindings carry the name Name (0 or 1 in an environment from bind).
  template <fixed_string Name>
  static constexpr std::size_t count() {
    return detail::binding_count<Name, Bindings...>();
  }
  // What is wrong with reading Leaf from here, if anything.
  template <class Leaf>
  static constexpr binding_problem problem() {
    constexpr std::size_t n = count<Leaf::name>();
    if constexpr (n == 0)
      return binding_problem::missing;
    else if constexpr (n > 1)
      return binding_problem::repeated;
    else if constexpr (!same_type<typename std::tuple_element_t<detail::binding_index<Leaf::name, Bindings...>(),
                                                                     std::tuple<Bindings...>>::leaf,
                                       Leaf>)
      return binding_problem::other_terminal;
    else
      return binding_problem::none;
  }
  // The leaf bound under Leaf's name (when problem<Leaf>() is not missing).
  template <class Leaf>
  using bound_leaf_t =
      typename std::tuple_element_t<detail::binding_index<Leaf::name, Bindings...>(), std::tuple<Bindings...>>::leaf;
  // Whether every bound tensor has one scalar type (bind reports it if not).
  static constexpr bool one_scalar_type =
      (same_type<typename Bindings::tensor_type::value_type, scalar_type> && ...);

  // f(terminal, tensor) for every binding, in order; the terminal is the
  // bound leaf as an expression, so that g[terminal] works inside f.
  template <class F>
  constexpr void for_each(F&& f) {
    std::apply([&](auto&... b) { (f(leaf_expr<typename std::remove_cvref_t<decltype(b)>::leaf>{}, b.value), ...); },
               storage.get());
  }
  template <class F>
  constexpr void for_each(F&& f) const {
    std::apply([&](const auto&... b) { (f(leaf_expr<typename std::remove_cvref_t<decltype(b)>::leaf>{}, b.value), ...); },
               storage.get());
  }

  // The value bound to Leaf's name.
  template <class Leaf>
  constexpr const auto& lookup() const {
    constexpr std::size_t i = detail::binding_index<Leaf::name, Bindings...>();
    if constexpr (i == sizeof...(Bindings)) {
      static_assert(diagnostics::bindings_provide_terminal<diagnostics::spelled_t<Leaf::name>, typename Leaf::shape_type, false>::value,
                    "typegrad: the expression needs a terminal that the bindings lack");
      return detail::zeros_of<scalar_type, typename Leaf::shape_type>;
    } else {
      using bound = std::tuple_element_t<i, std::tuple<Bindings...>>;
      static_assert(diagnostics::one_name_one_terminal<diagnostics::spelled_t<Leaf::name>, Leaf, typename bound::leaf>::value,
                    "typegrad: a terminal is bound under its name, but with another shape or kind");
      return std::get<i>(storage.get()).value;
    }
  }
  // env[W]: the value bound to a terminal, to read or to update in place.
  template <expression E>
  constexpr const auto& operator[](const E&) const {
    return lookup<leaf_of_t<E>>();
  }
  template <expression E>
  constexpr auto& operator[](const E&) {
    return lookup_mutable<leaf_of_t<E>>();
  }

  template <class Leaf>
  constexpr auto& lookup_mutable() {
    return const_cast<std::remove_cvref_t<decltype(lookup<Leaf>())>&>(std::as_const(*this).template lookup<Leaf>());
  }

 private:
  detail::binding_storage<std::tuple<Bindings...>> storage;
};

template <class E>
struct is_environment : std::false_type {};
template <class... B>
struct is_environment<environment<B...>> : std::true_type {};

namespace detail {
// The scalar type of an environment that binds anything; void for an empty
// one, which holds no data to disagree with.
template <class Env>
using bound_scalar_t = std::conditional_t<Env::leaves::size != 0, typename Env::scalar_type, void>;
// The first non-empty environment's scalar type (double when all are empty).
template <class... Envs>
struct first_bound_scalar {
  using scalar_type = double;
};
template <class Env, class... Rest>
struct first_bound_scalar<Env, Rest...> {
  using scalar_type = typename std::conditional_t<Env::leaves::size != 0, Env, first_bound_scalar<Rest...>>::scalar_type;
};
// The position of the first environment that binds Name (sizeof...(Envs) if none).
template <fixed_string Name, class... Envs>
constexpr std::size_t binding_part() {
  constexpr std::size_t counts[] = {Envs::template count<Name>()..., 1};
  std::size_t i = 0;
  while (counts[i] == 0) ++i;
  return i;
}
}  // namespace detail

// Several environments read as one, by reference: eval(e, params, data) and
// program(params, data) look every terminal up in whichever part binds it,
// so one parameter set serves data of any batch size without a copy.
template <class... Envs>
struct joined_environment {
  using scalar_type = typename detail::first_bound_scalar<Envs...>::scalar_type;
  std::tuple<const Envs&...> parts;

  template <class Leaf>
  static constexpr binding_problem problem() {
    constexpr std::size_t total = (std::size_t{0} + ... + Envs::template count<Leaf::name>());
    constexpr std::size_t part = detail::binding_part<Leaf::name, Envs...>();
    if constexpr (total == 0)
      return binding_problem::missing;
    else if constexpr (total > 1)
      return binding_problem::repeated;
    else
      return std::tuple_element_t<part, std::tuple<Envs...>>::template problem<Leaf>();
  }
  template <class Leaf>
  using bound_leaf_t = typename std::tuple_element_t<detail::binding_part<Leaf::name, Envs...>(),
                                                     std::tuple<Envs...>>::template bound_leaf_t<Leaf>;
  static constexpr bool one_scalar_type =
      (Envs::one_scalar_type && ...) &&
      diagnostics::environments_share_one_scalar_type<detail::bound_scalar_t<Envs>...>::value;

  template <class Leaf>
  constexpr const auto& lookup() const {
    constexpr std::size_t part = detail::binding_part<Leaf::name, Envs...>();
    constexpr std::size_t total = (std::size_t{0} + ... + Envs::template count<Leaf::name>());
    if constexpr (total > 1) {
      static_assert(diagnostics::bound_once<diagnostics::spelled_t<Leaf::name>, total>::value,
                    "typegrad: a terminal is bound in more than one of the environments passed together");
      return detail::zeros_of<scalar_type, typename Leaf::shape_type>;
    } else if constexpr (part == sizeof...(Envs)) {
      static_assert(diagnostics::bindings_provide_terminal<diagnostics::spelled_t<Leaf::name>, typename Leaf::shape_type, false>::value,
                    "typegrad: the expression needs a terminal that the bindings lack");
      return detail::zeros_of<scalar_type, typename Leaf::shape_type>;
    } else {
      return std::get<part>(parts).template lookup<Leaf>();
    }
  }
};

template <class E>
struct is_joined_environment : std::false_type {};
template <class... Envs>
struct is_joined_environment<joined_environment<Envs...>> : std::true_type {};

// What evaluation reads terminals from: one environment, or several joined.
template <class E>
concept binding_source = is_environment<std::remove_cvref_t<E>>::value || is_joined_environment<std::remove_cvref_t<E>>::value;
template <class E>
concept environment_type = is_environment<std::remove_cvref_t<E>>::value;

namespace detail {
// One environment as it is; several joined, after checking that they share
// one scalar type.
template <class... Envs>
constexpr auto join_environments(const Envs&... envs) {
  static_assert(diagnostics::environments_share_one_scalar_type<detail::bound_scalar_t<Envs>...>::value,
                "typegrad: the environments passed together mix float and double; use one scalar type");
  return joined_environment<Envs...>{{envs...}};
}
}  // namespace detail

namespace detail {
// The check that bind's tensors share one scalar type, as the trait
// bound_scalar_types_agree<name of the first, its type, name of the first
// that differs, its type>, which the compiler prints with the failure (all
// void when they agree).
template <class... Bindings>
struct scalar_agreement {
  using type = diagnostics::bound_scalar_types_agree<void, void, void, void>;
};
template <class First, class... Rest>
struct scalar_agreement<First, Rest...> {
  using T = typename First::tensor_type::value_type;
  static constexpr std::size_t at = [] {
    constexpr bool differs[] = {!same_type<typename Rest::tensor_type::value_type, T>..., true};
    std::size_t i = 0;
    while (!differs[i]) ++i;
    return i;
  }();
  template <std::size_t I, bool = (I < sizeof...(Rest))>
  struct pick {
    using type = diagnostics::bound_scalar_types_agree<void, void, void, void>;
  };
  template <std::size_t I>
  struct pick<I, true> {
    using other = std::tuple_element_t<I, std::tuple<Rest...>>;
    using type = diagnostics::bound_scalar_types_agree<diagnostics::spelled_t<First::leaf::name>, T,
                                                       diagnostics::spelled_t<other::leaf::name>,
                                                       typename other::tensor_type::value_type>;
  };
  using type = typename pick<at>::type;
};
}  // namespace detail

template <class... Bindings>
constexpr environment<Bindings...> bind(const Bindings&... bindings) {
  static_assert(detail::scalar_agreement<Bindings...>::type::value,
                "typegrad: bind mixes float and double tensors; bind all of one scalar type");
  static_assert((diagnostics::bound_once<diagnostics::spelled_t<Bindings::leaf::name>, detail::binding_count<Bindings::leaf::name, Bindings...>()>::value && ...),
                "typegrad: bind names one terminal twice");
  return environment<Bindings...>(bindings...);
}

}  // namespace typegrad

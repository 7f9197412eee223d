#pragma once
#include <typegrad/core/meta.hpp>
// Static shapes. shape<> is a scalar, shape<n> a vector, shape<m, n> a matrix.
#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace typegrad {

template <std::size_t... D>
struct shape {
  static constexpr std::size_t rank = sizeof...(D);
  static constexpr std::size_t size = (std::size_t{1} * ... * D);
  static constexpr std::array<std::size_t, rank> dims{D...};

  template <std::size_t... E>
  constexpr bool operator==(shape<E...>) const {
    return same_type<shape, shape<E...>>;
  }
};

// The length of the last axis (1 for a scalar).
template <class S>
inline constexpr std::size_t last_extent_v = S::rank == 0 ? 1 : S::dims[S::rank - 1];

// The shape with the last axis removed: [m, n] -> [m], [n] -> [].
template <class S>
struct drop_last;
template <>
struct drop_last<shape<>> {
  using type = shape<>;
};
template <std::size_t N>
struct drop_last<shape<N>> {
  using type = shape<>;
};
template <std::size_t M, std::size_t N>
struct drop_last<shape<M, N>> {
  using type = shape<M>;
};
template <class S>
using drop_last_t = typename drop_last<S>::type;

// The shape with an axis of C appended: [m] -> [m, C], [] -> [C].
template <class S, std::size_t C>
struct append_axis;
template <std::size_t C>
struct append_axis<shape<>, C> {
  using type = shape<C>;
};
template <std::size_t M, std::size_t C>
struct append_axis<shape<M>, C> {
  using type = shape<M, C>;
};
template <class S, std::size_t C>
using append_axis_t = typename append_axis<S, C>::type;

// Shapes of up to rank 2 broadcast when they are equal, when either is a
// scalar, or when a vector [n] meets a matrix [m, n] (it repeats over rows).
template <class A, class B>
constexpr bool broadcastable() {
  if constexpr (same_type<A, B> || A::rank == 0 || B::rank == 0) {
    return true;
  } else if constexpr (A::rank == 1 && B::rank == 2) {
    return A::dims[0] == B::dims[1];
  } else if constexpr (A::rank == 2 && B::rank == 1) {
    return A::dims[1] == B::dims[0];
  } else {
    return false;
  }
}

// The broadcast result: the larger of two broadcastable shapes.
template <class A, class B>
using broadcast_shape_t = std::conditional_t<(A::rank >= B::rank), A, B>;

// The shape spelled as in messages and printouts: [4,2], [] for a scalar.
template <class S>
struct shape_text;
template <std::size_t... D>
struct shape_text<shape<D...>> {
  static constexpr auto make() {
    std::array<char, 2 + sizeof...(D) * 21> out{};
    std::size_t n = 0;
    out[n++] = '[';
    bool first = true;
    const std::size_t dims[] = {std::size_t(D)..., 0};
    for (std::size_t axis = 0; axis < sizeof...(D); ++axis) {
      std::size_t d = dims[axis];
      if (!first) out[n++] = ',';
      first = false;
      char digits[21]{};
      std::size_t k = 0;
      do {
        digits[k++] = char('0' + d % 10);
        d /= 10;
      } while (d != 0);
      while (k > 0) out[n++] = digits[--k];
    }
    out[n++] = ']';
    return std::pair{out, n};
  }
  static constexpr auto storage = make();
  static constexpr std::string_view value{storage.first.data(), storage.second};
};

}  // namespace typegrad

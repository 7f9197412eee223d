#pragma once
#include <typegrad/core/meta.hpp>
// Static shapes, rank 0 to 4. shape<> is a scalar, shape<n> a vector, shape<m, n>
// a matrix; images are NHWC, batch first: shape<B, H, W, C>.
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

// numpy's broadcasting: From broadcasts into To when To has at least its
// rank and, aligned at the last axis, each of From's axes is 1 or To's
// ([C] or [B, 1, 1, C] into [B, H, W, C], [m, 1] into [m, n], a scalar into
// anything).
template <class From, class To>
constexpr bool broadcasts_into() {
  if constexpr (From::rank > To::rank) {
    return false;
  } else {
    for (std::size_t k = 0; k < From::rank; ++k)
      if (From::dims[k] != 1 && From::dims[k] != To::dims[To::rank - From::rank + k]) return false;
    return true;
  }
}
// The common case, where From stays contiguous: leading axes of extent 1
// aside, its axes are To's last axes, and element i of the result reads
// element i % size of From.
template <class From, class To>
constexpr bool broadcasts_contiguously() {
  if constexpr (From::rank > To::rank) {
    return false;
  } else {
    std::size_t lead = 0;
    while (lead < From::rank && From::dims[lead] == 1) ++lead;
    for (std::size_t k = lead; k < From::rank; ++k)
      if (From::dims[k] != To::dims[To::rank - From::rank + k]) return false;
    return true;
  }
}
// Otherwise the index into From of element i of To: i's digits along To's
// axes, those along From's axes of extent 1 dropped.
template <class To, class From>
constexpr std::size_t broadcast_index(std::size_t i) {
  std::size_t at = 0, stride = 1;
  for (std::size_t k = From::rank; k-- > 0;) {
    const std::size_t extent = To::dims[To::rank - From::rank + k];
    if (From::dims[k] != 1) at += i % extent * stride;
    i /= extent;
    stride *= From::dims[k];
  }
  return at;
}
// The axes of To along which From repeats (a bit per axis): the leading
// axes From lacks and those where it has extent 1.
template <class From, class To>
constexpr unsigned broadcast_axes() {
  unsigned mask = 0;
  for (std::size_t t = 0; t < To::rank; ++t)
    if (t < To::rank - From::rank || From::dims[t - (To::rank - From::rank)] == 1) mask |= 1u << t;
  return mask;
}

// Two shapes broadcast when either broadcasts into the other.
template <class A, class B>
constexpr bool broadcastable() {
  return broadcasts_into<A, B>() || broadcasts_into<B, A>();
}

// The broadcast result: the shape the other broadcasts into.
template <class A, class B>
using broadcast_shape_t = std::conditional_t<broadcasts_into<B, A>(), A, B>;

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

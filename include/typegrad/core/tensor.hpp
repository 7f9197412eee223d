#pragma once
// tensor<T, D...>: a value with a static shape, contiguous row-major storage,
// no heap, usable in constant expressions.
#include <cstddef>
#include <type_traits>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/core/shape.hpp>

namespace typegrad {

template <class T, std::size_t... D>
struct tensor {
  static_assert(diagnostics::scalar_is_float_or_double<T>::value, "typegrad: tensor elements must be float or double");
  static_assert(diagnostics::tensor_rank_supported<shape<D...>>::value, "typegrad: tensors have rank 0 to 4");

  using value_type = T;
  using shape_type = shape<D...>;
  static constexpr std::size_t rank = sizeof...(D);
  static constexpr std::size_t size = shape_type::size;

  T elements[size == 0 ? 1 : size]{};

  // Zero-filled.
  constexpr tensor() = default;

  // Rank 0: from a number, and back to one.
  constexpr tensor(T v) requires(rank == 0) : elements{v} {}
  constexpr operator T() const requires(rank == 0) { return elements[0]; }

  // Rank 1: tensor<double, 3>{1, 2, 3}.
  template <class... A>
    requires(rank == 1 && sizeof...(A) >= 2 && (std::is_arithmetic_v<A> && ...))
  constexpr tensor(A... values) : elements{static_cast<T>(values)...} {
    static_assert(diagnostics::initializer_matches_shape<shape_type, sizeof...(A)>::value,
                  "typegrad: a rank-1 tensor needs exactly one value per element");
  }
  constexpr explicit tensor(T v) requires(rank == 1 && size == 1) : elements{v} {}

  // Rank 2, one brace list per row: tensor<double, 2, 2>{{1, 0}, {0, 1}}.
  template <std::size_t... N>
    requires(rank == 2 && sizeof...(N) >= 1)
  constexpr tensor(const T (&... rows)[N]) {
    static_assert(diagnostics::initializer_matches_shape<shape_type, sizeof...(N), N...>::value,
                  "typegrad: a rank-2 tensor needs one brace list per row, each with one value per column");
    std::size_t offset = 0;
    (copy_row(rows, offset), ...);
  }

  constexpr T& operator[](std::size_t i) { return elements[i]; }
  constexpr const T& operator[](std::size_t i) const { return elements[i]; }

  constexpr T& operator()(std::size_t i) requires(rank == 1) { return elements[i]; }
  constexpr const T& operator()(std::size_t i) const requires(rank == 1) { return elements[i]; }
  constexpr T& operator()(std::size_t i, std::size_t j) requires(rank == 2) {
    return elements[i * shape_type::dims[1] + j];
  }
  constexpr const T& operator()(std::size_t i, std::size_t j) const requires(rank == 2) {
    return elements[i * shape_type::dims[1] + j];
  }

  // Rank 3 and 4, row-major: x(b, h, w, c) for NHWC.
  template <class... I>
    requires(rank >= 3 && sizeof...(I) == rank && (std::is_integral_v<I> && ...))
  constexpr T& operator()(I... i) {
    return elements[offset(i...)];
  }
  template <class... I>
    requires(rank >= 3 && sizeof...(I) == rank && (std::is_integral_v<I> && ...))
  constexpr const T& operator()(I... i) const {
    return elements[offset(i...)];
  }

  constexpr T* data() { return elements; }
  constexpr const T* data() const { return elements; }
  constexpr T* begin() { return elements; }
  constexpr T* end() { return elements + size; }
  constexpr const T* begin() const { return elements; }
  constexpr const T* end() const { return elements + size; }

  // A template, so that comparing a rank-0 tensor with a number converts the
  // tensor (to T) rather than the number (to a tensor).
  template <class A, class B>
    requires(same_type<A, tensor> && same_type<B, tensor>)
  friend constexpr bool operator==(const A& a, const B& b) {
    for (std::size_t i = 0; i < size; ++i)
      if (!(a.elements[i] == b.elements[i])) return false;
    return true;
  }

 private:
  template <class... I>
  static constexpr std::size_t offset(I... i) {
    const std::size_t index[] = {std::size_t(i)...};
    std::size_t at = 0;
    for (std::size_t axis = 0; axis < rank; ++axis) at = at * shape_type::dims[axis] + index[axis];
    return at;
  }
  template <std::size_t N>
  constexpr void copy_row(const T (&row)[N], std::size_t& offset) {
    for (std::size_t j = 0; j < N && offset < size; ++j) elements[offset++] = row[j];
  }
};

// The tensor type that holds a value of shape S.
template <class T, class S>
struct tensor_for;
template <class T, std::size_t... D>
struct tensor_for<T, shape<D...>> {
  using type = tensor<T, D...>;
};
template <class T, class S>
using tensor_for_t = typename tensor_for<T, S>::type;

}  // namespace typegrad

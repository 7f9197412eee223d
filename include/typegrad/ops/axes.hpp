#pragma once
// Ops along static axes (axis 0 is the batch in [B, ...]):
//   sum<A...>(x), mean<A...>(x)  the listed axes summed (averaged) away, as
//                                numpy's x.sum(axis=(A...)); adjoint: expand_axes
//   max<A...>(x)                 the largest element over the listed axes, the
//                                first in row-major order on ties
//   expand_axes<A, To>(u)        u repeated along the axes A of To
//   slice<Axis, Begin, End>(x)   indices [Begin, End) of one axis
//   slice_transpose<Axis, Begin, To>(u)  u placed at Begin of that axis in
//                                zeros of shape To (the adjoint of slice)
//   concat<Axis>(a, b, ...)      operands joined along one axis
// All but max are linear; max's derivatives are its choice ops
// (ops/choice.hpp), max_scatter and max_gather.
#include <array>
#include <bit>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <typegrad/core/code.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/shape.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/reduce.hpp>
#include <typegrad/ops/choice.hpp>
#include <typegrad/ops/fwd.hpp>
#include <typegrad/ops/reduce.hpp>

namespace typegrad {

// ---- a static axis list ------------------------------------------------------------
template <std::size_t... Axes>
struct axes {
  static constexpr unsigned mask = ((Axes < 4 ? 1u << Axes : 0u) | ... | 0u);
  // Distinct axes of S, at least one.
  template <class S>
  static constexpr bool fit = sizeof...(Axes) > 0 && ((Axes < S::rank) && ...) && std::popcount(mask) == sizeof...(Axes);
  template <class S>
  static constexpr kernels::axis_split split = kernels::split_axes(S::dims, mask);
  static std::string text() {
    std::string t = "<";
    ((t += inspect::num(Axes), t += ','), ...);
    t.back() = '>';
    return t;
  }
};

namespace detail {
// S without the axes in Mask.
template <class S, unsigned Mask>
struct kept_axes {
  static constexpr auto kept = [] {
    std::pair<std::array<std::size_t, 4>, std::size_t> k{};
    for (std::size_t a = 0; a < S::rank; ++a)
      if (!((Mask >> a) & 1u)) k.first[k.second++] = S::dims[a];
    return k;
  }();
  template <std::size_t... I>
  static shape<kept.first[I]...> make(std::index_sequence<I...>);
  using type = decltype(make(std::make_index_sequence<kept.second>{}));
};
// The shape a reduction over A leaves of S (a scalar when A does not fit S,
// after the one error).
template <class A, class S>
constexpr auto reduced_shape() {
  static_assert(diagnostics::reduction_axes_exist<S, A>::value,
                "typegrad: sum<Axes...>(x), mean<Axes...>(x) and max<Axes...>(x) need one or more distinct axes of x, each below its rank");
  if constexpr (!A::template fit<S>)
    return shape<>{};
  else
    return typename kept_axes<S, A::mask>::type{};
}

}  // namespace detail

// ---- sum and mean over axes ---------------------------------------------------------
template <class A, class To>
struct expand_axes_op;
template <class A, class To, expression U>
constexpr auto expand_axes(const U& u) {
  return typegrad::make_node<expand_axes_op<A, To>>(u);
}

template <class A, bool Mean>
struct axes_sum_op {
  static constexpr std::string_view name = Mean ? "mean" : "sum";
  template <class S>
  static constexpr auto shape(S) {
    return detail::reduced_shape<A, S>();
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    using T = typename Out::value_type;
    constexpr kernels::axis_split split = A::template split<typename X::shape_type>;
    kernels::for_each_fiber<split>([&](std::size_t o, auto fiber) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      T acc{};
      fiber([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { acc += x[i]; });
      out[o] = Mean ? acc / T(split.fiber) : acc;
    });
  }
  static std::string notation(const inspect::names<1>& in) { return std::string(name) + A::text() + "(" + in[0] + ")"; }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    constexpr kernels::axis_split split = A::template split<X>;
    detail::emit_fibers(
        c, split, [&] { c.line("double acc = 0.0;"); }, [&] { c.line("acc += " + in[0] + "[i];"); },
        [&] { c.line(out + "[o] = acc" + (Mean ? " / " + inspect::number_text(double(split.fiber)) : "") + ";"); });
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    using S = shape_of_t<child_t<0, Y>>;
    if constexpr (Mean)
      return typegrad::expand_axes<A, S>(typegrad::hadamard(u, literal<1, static_cast<long long>(A::template split<S>.fiber)>));
    else
      return typegrad::expand_axes<A, S>(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::make_node<axes_sum_op>(t);
  }
};

template <class A, class To>
struct expand_axes_op {
  static constexpr std::string_view name = "expand_axes";
  template <class U>
  static constexpr auto shape(U) {
    return To{};
  }
  template <class Out, class U>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const U& u) {
    kernels::for_each_fiber<A::template split<To>>([&](std::size_t o, auto fiber) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      fiber([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[i] = u[o]; });
    });
  }
  static std::string notation(const inspect::names<1>& in) {
    return "expand_axes" + A::text() + "(" + in[0] + ", " + std::string(shape_text<To>::value) + ")";
  }
  template <class Out, class U>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    detail::emit_fibers(c, A::template split<To>, [] {}, [&] { c.line(out + "[i] = " + in[0] + "[o];"); }, [] {});
  }
  template <std::size_t, class Y, class V>
  static constexpr auto vjp(const Y&, const V& v) {
    return typegrad::make_node<axes_sum_op<A, false>>(v);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::expand_axes<A, To>(t);
  }
};

template <std::size_t A0, std::size_t... As, expression X>
constexpr auto sum(const X& x) {
  return typegrad::make_node<axes_sum_op<axes<A0, As...>, false>>(x);
}
template <std::size_t A0, std::size_t... As, expression X>
constexpr auto mean(const X& x) {
  return typegrad::make_node<axes_sum_op<axes<A0, As...>, true>>(x);
}

// ---- max over axes ----------------------------------------------------------------
namespace detail {
// The choice of max<A...>: each output takes its fiber's largest element,
// the first in row-major order on ties (a strict >), as numpy's argmax.
template <class A>
struct axes_max {
  static constexpr std::string_view scatter_name = "max_scatter", gather_name = "max_gather";
  template <class XS>
  using output = decltype(reduced_shape<A, XS>());
  template <class X, class F>
  TYPEGRAD_ALWAYS_INLINE static constexpr void for_each_choice(const X& x, F f) {
    kernels::for_each_fiber<A::template split<typename X::shape_type>>([&](std::size_t o, auto fiber) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      std::size_t best = X::size;
      fiber([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
        if (best == X::size || x[i] > x[best]) best = i;
      });
      f(o, best);
    });
  }
  static std::string notation(std::string_view name, const inspect::names<2>& in) {
    return std::string(name) + A::text() + "(" + in[0] + ", " + in[1] + ")";
  }
  template <class XS>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in, chosen_use use,
                   std::size_t size) {
    if (use == chosen_use::scatter) c.loop("j", size, [&] { c.line(out + "[j] = 0.0;"); });
    emit_fibers(
        c, A::template split<XS>, [&] { c.line("int best = -1;"); },
        [&] { c.line("if (best < 0 || " + in[0] + "[i] > " + in[0] + "[best]) best = i;"); },
        [&] {
          if (use == chosen_use::scatter)
            c.line(out + "[best] += " + in[1] + "[o];");
          else
            c.line(out + "[o] = " + in[1] + "[best];");
        });
  }
};
}  // namespace detail

template <class A>
struct axes_max_op {
  static constexpr std::string_view name = "max";
  template <class S>
  static constexpr auto shape(S) {
    return detail::reduced_shape<A, S>();
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    detail::axes_max<A>::for_each_choice(x, [&](std::size_t o, std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[o] = x[i]; });
  }
  static std::string notation(const inspect::names<1>& in) { return "max" + A::text() + "(" + in[0] + ")"; }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    detail::axes_max<A>::template emit<X>(c, out, {in[0], in[0]}, detail::chosen_use::value, Out::size);
  }
  // Piecewise linear: the derivative goes to each output's chosen element.
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    return typegrad::choice_scatter<detail::axes_max<A>>(typegrad::child<0>(y), u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    return typegrad::choice_gather<detail::axes_max<A>>(typegrad::child<0>(y), t);
  }
};

template <std::size_t A0, std::size_t... As, expression X>
constexpr auto max(const X& x) {
  return typegrad::make_node<axes_max_op<axes<A0, As...>>>(x);
}

// ---- slice, its transpose, and concat ---------------------------------------------------
namespace detail {
// S seen as [outer, extent, inner] around one axis.
template <class S, std::size_t Axis>
struct around_axis {
  static constexpr std::size_t outer = [] {
    std::size_t n = 1;
    for (std::size_t a = 0; a < Axis; ++a) n *= S::dims[a];
    return n;
  }();
  static constexpr std::size_t extent = S::dims[Axis], inner = S::size / outer / extent;
};
// S with axis Axis of extent N.
template <class S, std::size_t Axis, std::size_t N>
struct with_extent {
  template <std::size_t... I>
  static shape<(I == Axis ? N : S::dims[I])...> make(std::index_sequence<I...>);
  using type = decltype(make(std::make_index_sequence<S::rank>{}));
};
template <class S, std::size_t Axis, std::size_t N>
using with_extent_t = typename with_extent<S, Axis, N>::type;

// `rows` runs of `length` elements: to[o·to_row + to_at + j] =
// from[o·from_row + from_at + j]. A slice, its transpose and each operand of
// a concat are one such copy.
struct row_copy {
  std::size_t rows, length, to_row, to_at, from_row, from_at;
};
template <row_copy R, class To, class From>
TYPEGRAD_ALWAYS_INLINE constexpr void copy_rows(To& to, const From& from) {
  for (std::size_t o = 0; o < R.rows; ++o)
    for (std::size_t j = 0; j < R.length; ++j) to[o * R.to_row + R.to_at + j] = from[o * R.from_row + R.from_at + j];
}
inline void emit_copy_rows(inspect::cpp_code& c, const row_copy& r, const std::string& to, const std::string& from) {
  using inspect::num;
  c.loop("o", r.rows, [&] {
    c.loop("j", r.length, [&] {
      c.line(to + "[o * " + num(r.to_row) + " + " + num(r.to_at) + " + j] = " + from + "[o * " + num(r.from_row) + " + " +
             num(r.from_at) + " + j];");
    });
  });
}
// Indices [at, at + n) of axis Axis of S, as rows of the whole and of the part.
template <class S, std::size_t Axis, std::size_t At, std::size_t N>
struct axis_part {
  using a = around_axis<S, Axis>;
  static constexpr row_copy out_of{a::outer, N * a::inner, N * a::inner, 0, a::extent * a::inner, At * a::inner};
  static constexpr row_copy into{a::outer, N * a::inner, a::extent * a::inner, At * a::inner, N * a::inner, 0};
};
template <class S, std::size_t Axis, std::size_t Begin, std::size_t End>
constexpr bool slice_fits() {
  if constexpr (Axis >= S::rank)
    return false;
  else
    return Begin < End && End <= S::dims[Axis];
}
template <class A, class B, std::size_t Axis>
constexpr bool concat_fits() {
  if constexpr (A::rank != B::rank || Axis >= A::rank) {
    return false;
  } else {
    for (std::size_t a = 0; a < A::rank; ++a)
      if (a != Axis && A::dims[a] != B::dims[a]) return false;
    return true;
  }
}
}  // namespace detail

template <std::size_t Axis, std::size_t Begin, std::size_t End>
struct slice_op;
template <std::size_t Axis, std::size_t Begin, class To>
struct slice_transpose_op;
template <std::size_t Axis, std::size_t Begin, std::size_t End, expression X>
constexpr auto slice(const X& x) {
  return typegrad::make_node<slice_op<Axis, Begin, End>>(x);
}
template <std::size_t Axis, std::size_t Begin, class To, expression U>
constexpr auto slice_transpose(const U& u) {
  return typegrad::make_node<slice_transpose_op<Axis, Begin, To>>(u);
}

template <std::size_t Axis, std::size_t Begin, std::size_t End>
struct slice_op {
  static constexpr std::string_view name = "slice";
  template <class S>
  static constexpr auto shape(S) {
    static_assert(diagnostics::slice_within_axis<S, Axis, Begin, End, detail::slice_fits<S, Axis, Begin, End>()>::value,
                  "typegrad: slice<Axis, Begin, End>(x) needs an axis of x and Begin < End <= its extent");
    if constexpr (!detail::slice_fits<S, Axis, Begin, End>())
      return typegrad::shape<>{};
    else
      return detail::with_extent_t<S, Axis, End - Begin>{};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    detail::copy_rows<detail::axis_part<typename X::shape_type, Axis, Begin, End - Begin>::out_of>(out, x);
  }
  static std::string notation(const inspect::names<1>& in) {
    using inspect::num;
    return "slice<" + num(Axis) + ", " + num(Begin) + ", " + num(End) + ">(" + in[0] + ")";
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    detail::emit_copy_rows(c, detail::axis_part<X, Axis, Begin, End - Begin>::out_of, out, in[0]);
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::slice_transpose<Axis, Begin, shape_of_t<child_t<0, Y>>>(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::slice<Axis, Begin, End>(t);
  }
};

// u placed at indices [Begin, Begin + u's extent) of axis Axis, zeros elsewhere.
template <std::size_t Axis, std::size_t Begin, class To>
struct slice_transpose_op {
  static constexpr std::string_view name = "slice_transpose";
  template <class U>
  static constexpr auto shape(U) {
    return To{};
  }
  template <class U>
  static constexpr std::size_t part = U::dims[Axis];
  template <class Out, class U>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const U& u) {
    for (std::size_t i = 0; i < Out::size; ++i) out[i] = 0;
    detail::copy_rows<detail::axis_part<To, Axis, Begin, part<typename U::shape_type>>::into>(out, u);
  }
  static std::string notation(const inspect::names<1>& in) {
    using inspect::num;
    return "slice_transpose<" + num(Axis) + ", " + num(Begin) + ">(" + in[0] + ", " + std::string(shape_text<To>::value) + ")";
  }
  template <class Out, class U>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    c.loop("i", Out::size, [&] { c.line(out + "[i] = 0.0;"); });
    detail::emit_copy_rows(c, detail::axis_part<To, Axis, Begin, part<U>>::into, out, in[0]);
  }
  template <std::size_t, class Y, class V>
  static constexpr auto vjp(const Y&, const V& v) {
    return typegrad::slice<Axis, Begin, Begin + part<shape_of_t<child_t<0, Y>>>>(v);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::slice_transpose<Axis, Begin, To>(t);
  }
};

// concat<Axis>(a, b): a's indices of the axis, then b's; every other axis agrees.
template <std::size_t Axis>
struct concat_op {
  static constexpr std::string_view name = "concat";
  template <class A, class B>
  static constexpr auto shape(A, B) {
    static_assert(diagnostics::concat_operands_agree<A, B, Axis, detail::concat_fits<A, B, Axis>()>::value,
                  "typegrad: concat<Axis>(a, b) needs operands of one rank that agree on every axis but Axis");
    if constexpr (!detail::concat_fits<A, B, Axis>())
      return typegrad::shape<>{};
    else
      return detail::with_extent_t<A, Axis, A::dims[Axis] + B::dims[Axis]>{};
  }
  // Where b starts along the axis.
  template <class A>
  static constexpr std::size_t split = A::dims[Axis];
  template <class Out, class A, class B>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const A& a, const B& b) {
    using S = typename Out::shape_type;
    constexpr std::size_t at = split<typename A::shape_type>;
    detail::copy_rows<detail::axis_part<S, Axis, 0, at>::into>(out, a);
    detail::copy_rows<detail::axis_part<S, Axis, at, S::dims[Axis] - at>::into>(out, b);
  }
  static std::string notation(const inspect::names<2>& in) {
    return "concat<" + inspect::num(Axis) + ">(" + in[0] + ", " + in[1] + ")";
  }
  template <class Out, class A, class B>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    detail::emit_copy_rows(c, detail::axis_part<Out, Axis, 0, split<A>>::into, out, in[0]);
    detail::emit_copy_rows(c, detail::axis_part<Out, Axis, split<A>, Out::dims[Axis] - split<A>>::into, out, in[1]);
  }
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    constexpr std::size_t at = split<shape_of_t<child_t<0, Y>>>;
    if constexpr (I == 0)
      return typegrad::slice<Axis, 0, at>(u);
    else
      return typegrad::slice<Axis, at, shape_of_t<Y>::dims[Axis]>(u);
  }
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::slice_transpose<Axis, I == 0 ? 0 : split<shape_of_t<child_t<0, Y>>>, shape_of_t<Y>>(t);
  }
};

// concat<Axis>(a, b, c, ...) joins left to right: concat(concat(a, b), c).
template <std::size_t Axis, expression A, expression B, expression... Rest>
constexpr auto concat(const A& a, const B& b, const Rest&... rest) {
  const auto joined = typegrad::make_node<concat_op<Axis>>(a, b);
  if constexpr (sizeof...(Rest) == 0)
    return joined;
  else
    return typegrad::concat<Axis>(joined, rest...);
}

// A slice of a whole axis is its operand.
template <std::size_t Axis, std::size_t End, class X>
  requires(Axis < shape_of_t<X>::rank && shape_of_t<X>::dims[Axis] == End)
struct rewrite<node<slice_op<Axis, 0, End>, X>> {
  using type = X;
};

}  // namespace typegrad

#pragma once
// Reductions and the broadcasts that are their adjoints (each is linear, so
// its tangent is the op applied to the operand's tangent):
//   sum(x), mean(x)          all elements -> scalar;   adjoint: broadcast
//   row_sums(x)              [m,n] -> [m], [n] -> [];   adjoint: repeat_cols
//   repeat_cols<C>(x)        [m] -> [m,C], [] -> [C];   adjoint: row_sums
//   broadcast<To>(x)         x repeated to shape To;    adjoint: unbroadcast
//   unbroadcast<To>(x)       x summed down to shape To; adjoint: broadcast
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include <typegrad/core/code.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/meta.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/loops.hpp>
#include <typegrad/kernels/reduce.hpp>
#include <typegrad/ops/fwd.hpp>

namespace typegrad {

namespace detail {
// The emitted form of kernels::total (sum and mean share both).
inline void emit_total(inspect::cpp_code& c, const std::string& out, const std::string& in, std::size_t size,
                       std::size_t divisor) {
  c.line("{");
  c.line("  double acc = 0.0;");
  c.line("  for (int i = 0; i < " + inspect::num(size) + "; ++i) acc += " + in + "[i];");
  c.line(inspect::join("  ", out, "[0] = acc", divisor == 1 ? std::string() : inspect::join(" / ", inspect::number_text(double(divisor))), ";"));
  c.line("}");
}
// The C++ expression of an index laid out by loops of these extents and
// strides, from the flat counter `var` (unit axes left out).
inline std::string strided_index(const std::string& var, const std::array<std::size_t, 4>& extent,
                                 const std::array<std::size_t, 4>& stride) {
  std::size_t total = 1;
  for (std::size_t e : extent) total *= e;
  std::string text;
  std::size_t below = 1;
  for (std::size_t j = 4; j-- > 0;) {
    if (extent[j] == 1) continue;
    std::string digit = below == 1 ? var : var + " / " + inspect::num(below);
    below *= extent[j];
    if (below < total) digit = "(" + digit + " % " + inspect::num(extent[j]) + ")";  // the outermost needs no %
    text += (text.empty() ? "" : " + ") + (stride[j] == 1 ? digit : digit + " * " + inspect::num(stride[j]));
  }
  return text.empty() ? "0" : text;
}
// The emitted form of kernels::for_each_fiber: `body` runs with o (the output)
// and i (an element of its fiber) in scope, `before` and `after` once per output.
template <class Before, class Body, class After>
void emit_fibers(inspect::cpp_code& c, const kernels::axis_split& a, Before before, Body body, After after) {
  c.loop("o", a.outputs, [&] {
    c.line("const int base = " + strided_index("o", a.kept_extent, a.kept_stride) + ";");
    before();
    c.loop("r", a.fiber, [&] {
      c.line("const int i = base + " + strided_index("r", a.cut_extent, a.cut_stride) + ";");
      body();
    });
    after();
  });
}
}  // namespace detail

struct sum_op {
  static constexpr std::string_view name = "sum";
  template <class S>
  static constexpr shape<> shape(S) {
    return {};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    kernels::total(out, x, 1);
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    detail::emit_total(c, out, in[0], X::size, 1);
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::broadcast<shape_of_t<child_t<0, Y>>>(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::sum(t);
  }
};

struct mean_op {
  static constexpr std::string_view name = "mean";
  template <class S>
  static constexpr shape<> shape(S) {
    return {};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    kernels::total(out, x, X::size);
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    detail::emit_total(c, out, in[0], X::size, X::size);
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    using S = shape_of_t<child_t<0, Y>>;
    return typegrad::broadcast<S>(typegrad::hadamard(u, literal<1, static_cast<long long>(S::size)>));
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::mean(t);
  }
};

struct row_sums_op {
  static constexpr std::string_view name = "row_sums";
  template <class S>
  static constexpr auto shape(S) {
    static_assert(diagnostics::rowwise_operand_has_rank_1_or_2<S>::value, "typegrad: row_sums needs a rank-1 or rank-2 operand");
    if constexpr (S::rank == 1 || S::rank == 2)
      return drop_last_t<S>{};
    else
      return typegrad::shape<>{};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    constexpr std::size_t cols = last_extent_v<typename X::shape_type>;
    kernels::for_each_index<Out::size, X::size>([&](std::size_t r) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      typename Out::value_type acc{};
      kernels::for_each_index<cols, X::size>([&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA { acc += x[r * cols + c]; });
      out[r] = acc;
    });
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    const std::size_t cols = last_extent_v<X>;
    c.loop("r", Out::size, [&] {
      c.line("double acc = 0.0;");
      c.loop("j", cols, [&] { c.line("acc += " + in[0] + "[r * " + inspect::num(cols) + " + j];"); });
      c.line(out + "[r] = acc;");
    });
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::repeat_cols<last_extent_v<shape_of_t<child_t<0, Y>>>>(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::row_sums(t);
  }
};

template <std::size_t Cols>
struct repeat_cols_op {
  static constexpr std::string_view name = "repeat_cols";
  template <class S>
  static constexpr auto shape(S) {
    static_assert(diagnostics::repeat_cols_operand_has_rank_0_or_1<S>::value, "typegrad: repeat_cols needs a scalar or a vector");
    if constexpr (S::rank <= 1)
      return append_axis_t<S, Cols>{};
    else
      return S{};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    kernels::for_each_index<X::size, Out::size>([&](std::size_t r) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      kernels::for_each_index<Cols, Out::size>([&](std::size_t c) TYPEGRAD_ALWAYS_INLINE_LAMBDA { out[r * Cols + c] = x[r]; });
    });
  }
  static std::string notation(const inspect::names<1>& in) {
    return "repeat_cols<" + inspect::num(Cols) + ">(" + in[0] + ")";
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    c.loop("r", X::size, [&] {
      c.loop("j", Cols, [&] { c.line(out + "[r * " + inspect::num(Cols) + " + j] = " + in[0] + "[r];"); });
    });
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::row_sums(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::repeat_cols<Cols>(t);
  }
};

template <class To>
struct broadcast_op {
  static constexpr std::string_view name = "broadcast";
  using target_shape = To;
  template <class S>
  static constexpr auto shape(S) {
    static_assert(diagnostics::broadcasts_to<S, To>::value, "typegrad: broadcast<To>(x) needs x to broadcast to To");
    return To{};
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    kernels::for_each_index<Out::size>([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      out[i] = kernels::broadcast_read<typename Out::shape_type, typename X::shape_type>(x.data(), i);
    });
  }
  static std::string notation(const inspect::names<1>& in) {
    return "broadcast<" + std::string(shape_text<To>::value) + ">(" + in[0] + ")";
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    c.loop("i", Out::size, [&] { c.line(out + "[i] = " + inspect::broadcast_element<X, Out>(in[0], "i") + ";"); });
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::unbroadcast<shape_of_t<child_t<0, Y>>>(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::broadcast<To>(t);
  }
};

template <class To>
struct unbroadcast_op {
  static constexpr std::string_view name = "unbroadcast";
  using target_shape = To;
  template <class S>
  static constexpr auto shape(S) {
    static_assert(diagnostics::broadcasts_to<To, S>::value, "typegrad: unbroadcast<To>(x) needs To to broadcast to x's shape");
    return To{};
  }
  // The axes of x that To repeats along, where To does not stay contiguous.
  template <class S>
  static constexpr kernels::axis_split repeats = kernels::split_axes(S::dims, broadcast_axes<To, S>());
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    if constexpr (!broadcasts_contiguously<To, typename X::shape_type>()) {
      kernels::for_each_fiber<repeats<typename X::shape_type>>([&](std::size_t o, auto fiber) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
        typename Out::value_type acc{};
        fiber([&](std::size_t i) TYPEGRAD_ALWAYS_INLINE_LAMBDA { acc += x[i]; });
        out[o] = acc;
      });
      return;
    }
    // x repeats Out over its rows (or is summed whole); add the repeats row by
    // row, so that the inner loop runs over contiguous columns.
    constexpr std::size_t n = Out::size, repeats = X::size / Out::size;
    auto* __restrict o = out.data();
    const auto* __restrict in = x.data();
    kernels::for_each_index<n, X::size>([&](std::size_t j) TYPEGRAD_ALWAYS_INLINE_LAMBDA { o[j] = in[j]; });
    for (std::size_t r = 1; r < repeats; ++r)
      kernels::for_each_index<n, X::size>([&](std::size_t j) TYPEGRAD_ALWAYS_INLINE_LAMBDA { o[j] += in[r * n + j]; });
  }
  static std::string notation(const inspect::names<1>& in) {
    return "unbroadcast<" + std::string(shape_text<To>::value) + ">(" + in[0] + ")";
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    if constexpr (!broadcasts_contiguously<To, X>()) {
      detail::emit_fibers(
          c, repeats<X>, [&] { c.line("double acc = 0.0;"); }, [&] { c.line("acc += " + in[0] + "[i];"); },
          [&] { c.line(out + "[o] = acc;"); });
      return;
    }
    c.loop("i", Out::size, [&] { c.line(out + "[i] = " + in[0] + "[i];"); });
    c.line("for (int i = " + inspect::num(Out::size) + "; i < " + inspect::num(X::size) + "; ++i) " + out + "[i % " +
           inspect::num(Out::size) + "] += " + in[0] + "[i];");
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::broadcast<shape_of_t<child_t<0, Y>>>(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::unbroadcast<To>(t);
  }
};

template <expression X>
constexpr auto sum(const X& x) {
  return typegrad::make_node<sum_op>(x);
}
template <expression X>
constexpr auto mean(const X& x) {
  return typegrad::make_node<mean_op>(x);
}
template <expression X>
constexpr auto row_sums(const X& x) {
  return typegrad::make_node<row_sums_op>(x);
}
template <std::size_t Cols, expression X>
constexpr auto repeat_cols(const X& x) {
  return typegrad::make_node<repeat_cols_op<Cols>>(x);
}
template <class To, expression X>
constexpr auto broadcast(const X& x) {
  return typegrad::make_node<broadcast_op<To>>(x);
}
template <class To, expression X>
constexpr auto unbroadcast(const X& x) {
  return typegrad::make_node<unbroadcast_op<To>>(x);
}

// A broadcast or unbroadcast to the shape the operand already has is nothing.
template <class S, class X>
  requires same_type<S, shape_of_t<X>>
struct rewrite<node<broadcast_op<S>, X>> {
  using type = X;
};
template <class S, class X>
  requires same_type<S, shape_of_t<X>>
struct rewrite<node<unbroadcast_op<S>, X>> {
  using type = X;
};

}  // namespace typegrad

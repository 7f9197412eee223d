#pragma once
// Elementwise nonlinearities h = phi(x). The Jacobian is diag(phi'(x)), so
// every VJP is u ⊙ phi'(x), written with the output y where that is cheaper
// (exp, sigmoid, tanh, sqrt). Each function is one policy: its name, its
// scalar map, and its VJP.
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <typegrad/core/code.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/detail/math.hpp>
#include <typegrad/kernels/loops.hpp>
#include <typegrad/kernels/simd.hpp>
#include <typegrad/ops/fwd.hpp>

namespace typegrad {

// The op of one scalar function F, applied to every element.
template <class F>
struct map_op {
  static constexpr std::string_view name = F::name;
  template <class S>
  static constexpr S shape(S) {
    return {};
  }
  // A function with a vector form (F::lanes) runs a vector at a time.
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    if constexpr (requires { F::template lanes<double, 1>(0.0); })
      kernels::map_lanes(out, x, [](auto v) { return F::apply(v); },
                         []<class T, std::size_t W>(kernels::simd::vec<T, W> v) { return F::template lanes<T, W>(v); });
    else
      kernels::map(out, x, [](auto v) { return F::apply(v); });
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    return F::vjp(typegrad::child<0>(y), y, u);
  }
  // The Jacobian is diagonal, so the tangent takes the same product: t ⊙ phi'(x).
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    return F::vjp(typegrad::child<0>(y), y, t);
  }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    c.loop("i", Out::size, [&] { c.line(out + "[i] = " + F::cpp(in[0] + "[i]") + ";"); });
  }
};

// relu'(0) = 0, as in PyTorch and JAX. NaN passes through (x > 0 is false
// for NaN, so `x > 0 ? x : 0` would turn it into 0 and hide it).
struct relu_fn {
  static constexpr std::string_view name = "relu";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    return x < T(0) ? T(0) : x;
  }
  static std::string cpp(const std::string& x) { return "(" + x + " < 0.0 ? 0.0 : " + x + ")"; }
  static constexpr auto vjp(const auto& x, const auto&, const auto& u) { return typegrad::hadamard(u, typegrad::step(x)); }
};
// relu6(x) = min(max(x, 0), 6), the activation of mobile networks: its
// bounded range quantises well, and int8 models fuse it as a clamp. The
// derivative is 1 strictly between 0 and 6 and 0 elsewhere, at both kinks
// included (as PyTorch's hardtanh); NaN passes through, as in relu.
struct relu6_fn {
  static constexpr std::string_view name = "relu6";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    return x < T(0) ? T(0) : (x > T(6) ? T(6) : x);
  }
  static std::string cpp(const std::string& x) {
    return "(" + x + " < 0.0 ? 0.0 : (" + x + " > 6.0 ? 6.0 : " + x + "))";
  }
  static constexpr auto vjp(const auto& x, const auto&, const auto& u) {
    return typegrad::hadamard(u, typegrad::hadamard(typegrad::step(x), typegrad::step(typegrad::subtract(literal<6>, x))));
  }
};
// The derivative of relu: 1 where x > 0, 0 where x <= 0, NaN where x is NaN
// (so a NaN input is not hidden in the gradient either). Its own derivative
// is zero almost everywhere.
struct step_fn {
  static constexpr std::string_view name = "step";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    return x > T(0) ? T(1) : (x <= T(0) ? T(0) : x);
  }
  static std::string cpp(const std::string& x) { return "(" + x + " > 0.0 ? 1.0 : (" + x + " <= 0.0 ? 0.0 : " + x + "))"; }
  static constexpr auto vjp(const auto&, const auto&, const auto&) { return no_grad{}; }
};
// Stable on both tails: exp is only taken of a non-positive number.
struct sigmoid_fn {
  static constexpr std::string_view name = "sigmoid";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    if (x >= T(0)) return T(1) / (T(1) + detail::math::exp(-x));
    const T e = detail::math::exp(x);
    return e / (T(1) + e);
  }
  static std::string cpp(const std::string& x) { return "(" + x + " >= 0.0 ? 1.0 / (1.0 + std::exp(-" + x + ")) : std::exp(" + x + ") / (1.0 + std::exp(" + x + ")))"; }
  static constexpr auto vjp(const auto&, const auto& y, const auto& u) {
    return typegrad::hadamard(u, typegrad::hadamard(y, typegrad::subtract(literal<1>, y)));
  }
};
// At run time a vector at a time (kernels::simd::tanh, within 3 ulp of
// std::tanh); the scalar form takes the same operations.
struct tanh_fn {
  static constexpr std::string_view name = "tanh";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    if (std::is_constant_evaluated()) return detail::math::tanh(x);
    return kernels::simd::tanh<T, 1>(x);
  }
  template <class T, std::size_t W>
  TYPEGRAD_ALWAYS_INLINE static kernels::simd::vec<T, W> lanes(kernels::simd::vec<T, W> x) {
    return kernels::simd::tanh<T, W>(x);
  }
  static std::string cpp(const std::string& x) { return "std::tanh(" + x + ")"; }
  static constexpr auto vjp(const auto&, const auto& y, const auto& u) {
    return typegrad::hadamard(u, typegrad::subtract(literal<1>, typegrad::square(y)));
  }
};
struct exp_fn {
  static constexpr std::string_view name = "exp";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    return detail::math::exp(x);
  }
  static std::string cpp(const std::string& x) { return "std::exp(" + x + ")"; }
  static constexpr auto vjp(const auto&, const auto& y, const auto& u) { return typegrad::hadamard(u, y); }
};
struct log_fn {
  static constexpr std::string_view name = "log";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    return detail::math::log(x);
  }
  static std::string cpp(const std::string& x) { return "std::log(" + x + ")"; }
  static constexpr auto vjp(const auto& x, const auto&, const auto& u) { return typegrad::divide(u, x); }
};
struct square_fn {
  static constexpr std::string_view name = "square";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    return x * x;
  }
  static std::string cpp(const std::string& x) { return "(" + x + " * " + x + ")"; }
  static constexpr auto vjp(const auto& x, const auto&, const auto& u) {
    return typegrad::hadamard(literal<2>, typegrad::hadamard(u, x));
  }
};
struct sqrt_fn {
  static constexpr std::string_view name = "sqrt";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    return detail::math::sqrt(x);
  }
  static std::string cpp(const std::string& x) { return "std::sqrt(" + x + ")"; }
  static constexpr auto vjp(const auto&, const auto& y, const auto& u) {
    return typegrad::divide(typegrad::hadamard(literal<1, 2>, u), y);
  }
};

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exp only of a non-positive
// number, so it is finite for every finite x and exact at both tails.
struct softplus_fn {
  static constexpr std::string_view name = "softplus";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    const T magnitude = x < T(0) ? -x : x;
    return (x > T(0) ? x : T(0)) + detail::math::log1p(detail::math::exp(-magnitude));
  }
  static std::string cpp(const std::string& x) {
    return "((" + x + " > 0.0 ? " + x + " : 0.0) + std::log1p(std::exp(-std::fabs(" + x + "))))";
  }
  static constexpr auto vjp(const auto& x, const auto&, const auto& u) { return typegrad::hadamard(u, typegrad::sigmoid(x)); }
};
// log(sigmoid(x)) = min(x, 0) - log1p(e^-|x|), stable as softplus is.
struct log_sigmoid_fn {
  static constexpr std::string_view name = "log_sigmoid";
  template <class T>
  TYPEGRAD_ALWAYS_INLINE static constexpr T apply(T x) {
    const T magnitude = x < T(0) ? -x : x;
    return (x < T(0) ? x : T(0)) - detail::math::log1p(detail::math::exp(-magnitude));
  }
  static std::string cpp(const std::string& x) {
    return "((" + x + " < 0.0 ? " + x + " : 0.0) - std::log1p(std::exp(-std::fabs(" + x + "))))";
  }
  static constexpr auto vjp(const auto& x, const auto&, const auto& u) { return typegrad::hadamard(u, typegrad::sigmoid(typegrad::negate(x))); }
};

template <expression X>
constexpr auto relu(const X& x) {
  return typegrad::make_node<map_op<relu_fn>>(x);
}
template <expression X>
constexpr auto relu6(const X& x) {
  return typegrad::make_node<map_op<relu6_fn>>(x);
}
template <expression X>
constexpr auto step(const X& x) {
  return typegrad::make_node<map_op<step_fn>>(x);
}
template <expression X>
constexpr auto sigmoid(const X& x) {
  return typegrad::make_node<map_op<sigmoid_fn>>(x);
}
template <expression X>
constexpr auto tanh(const X& x) {
  return typegrad::make_node<map_op<tanh_fn>>(x);
}
template <expression X>
constexpr auto exp(const X& x) {
  return typegrad::make_node<map_op<exp_fn>>(x);
}
template <expression X>
constexpr auto log(const X& x) {
  return typegrad::make_node<map_op<log_fn>>(x);
}
template <expression X>
constexpr auto square(const X& x) {
  return typegrad::make_node<map_op<square_fn>>(x);
}
template <expression X>
constexpr auto sqrt(const X& x) {
  return typegrad::make_node<map_op<sqrt_fn>>(x);
}

template <expression X>
constexpr auto softplus(const X& x) {
  return typegrad::make_node<map_op<softplus_fn>>(x);
}
template <expression X>
constexpr auto log_sigmoid(const X& x) {
  return typegrad::make_node<map_op<log_sigmoid_fn>>(x);
}

}  // namespace typegrad

#pragma once
// Sliding windows over NHWC images ([B, H, W, C], batch first):
//   conv2d<O>(x, w)        x [B,H,W,Cin], kernel w [KH,KW,Cin,Cout] -> [B,OH,OW,Cout]
//   depthwise_conv2d<O>(x, w)  w [KH,KW,C,M]: conv2d with a group per channel
//   conv1d<O>(x, w)        x [B,T,Cin], w [K,Cin,Cout]: conv2d one pixel high
//   max_pool2d<P>(x)       the largest element of each window, per channel
//   avg_pool2d<P>(x)       the mean of each window's pixels inside the image
//   global_avg_pool(x)     [B,H,W,C] -> [B,C], the mean over each image
// with the ops their derivatives are made of, each a real op with its own
// VJP and JVP rules, so that derivatives of derivatives need no special case:
//   conv2d_transpose       the input's gradient (a transposed convolution)
//   conv2d_kernel_gradient the kernel's gradient (patches against the cotangent)
//   max_pool2d_scatter     the cotangent routed to each window's chosen element
//   max_pool2d_gather      the chosen elements of a tangent
//   avg_pool2d_transpose   the cotangent spread evenly over each window
// Conv is bilinear in (x, w): these three ops are the three ways of pairing
// two of x, w and the output, and each one's derivatives are the other two.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <typegrad/core/code.hpp>
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/shape.hpp>
#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/conv.hpp>
#include <typegrad/ops/choice.hpp>
#include <typegrad/ops/fwd.hpp>
#include <typegrad/ops/reshape.hpp>

namespace typegrad {

// ---- options ---------------------------------------------------------------------
// Padding, as TensorFlow and Keras spell it: `valid` (none), `same` (the
// output has ceil(in / stride) pixels; an odd excess goes after, at the bottom
// and right), or explicit sides, pad(top, bottom, left, right) or pad(all).
struct padding {
  enum class rule { valid, same, sides };
  rule kind = rule::valid;
  std::size_t top = 0, bottom = 0, left = 0, right = 0;
};
inline constexpr padding valid{};
inline constexpr padding same{padding::rule::same};
constexpr padding pad(std::size_t top, std::size_t bottom, std::size_t left, std::size_t right) {
  return {padding::rule::sides, top, bottom, left, right};
}
constexpr padding pad(std::size_t all) { return pad(all, all, all, all); }

// tg::conv2d<tg::conv_options{.stride = {2, 2}, .pad = tg::same}>(x, w).
// Strides and dilations are {height, width}. With `groups` = G the input and
// output channels split into G groups in order, each output channel seeing
// only its group's Cin / G input channels (PyTorch's and Keras's groups).
struct conv_options {
  std::array<std::size_t, 2> stride{1, 1};
  padding pad = valid;
  std::array<std::size_t, 2> dilation{1, 1};
  std::size_t groups = 1;
};
// The options of conv1d over [B, T, C]: explicit padding reads pad's left
// and right (pad(n) pads n at both ends; pad(0, 0, before, after) otherwise).
struct conv1d_options {
  std::size_t stride = 1;
  padding pad = valid;
  std::size_t dilation = 1;
  std::size_t groups = 1;
};
// tg::max_pool2d<tg::pool_options{.window = {3, 3}, .stride = {2, 2}}>(x).
// A stride of {0, 0} (the default) is the window: windows that tile.
struct pool_options {
  std::array<std::size_t, 2> window{2, 2};
  std::array<std::size_t, 2> stride{0, 0};
  padding pad = valid;
};

// ---- builders ------------------------------------------------------------------------
// Before the ops, whose VJP rules call them.
template <conv_options O>
struct conv2d_op;
template <conv_options O, class XShape>
struct conv2d_transpose_op;
template <conv_options O, class WShape>
struct conv2d_kernel_gradient_op;
template <pool_options P>
struct max_pool2d_op;
template <pool_options P>
struct avg_pool2d_op;
template <pool_options P, class XShape>
struct avg_pool2d_transpose_op;
template <conv_options O = conv_options{}, expression X, expression W>
constexpr auto conv2d(const X& x, const W& w) {
  return typegrad::make_node<conv2d_op<O>>(x, w);
}
template <conv_options O, class XShape, expression U, expression W>
constexpr auto conv2d_transpose(const U& u, const W& w) {
  return typegrad::make_node<conv2d_transpose_op<O, XShape>>(u, w);
}
template <conv_options O, class WShape, expression X, expression U>
constexpr auto conv2d_kernel_gradient(const X& x, const U& u) {
  return typegrad::make_node<conv2d_kernel_gradient_op<O, WShape>>(x, u);
}
template <pool_options P = pool_options{}, expression X>
constexpr auto max_pool2d(const X& x) {
  return typegrad::make_node<max_pool2d_op<P>>(x);
}
template <pool_options P = pool_options{}, expression X>
constexpr auto avg_pool2d(const X& x) {
  return typegrad::make_node<avg_pool2d_op<P>>(x);
}
template <pool_options P, class XShape, expression U>
constexpr auto avg_pool2d_transpose(const U& u) {
  return typegrad::make_node<avg_pool2d_transpose_op<P, XShape>>(u);
}


namespace detail {
// One axis placed: the padding resolved and the output's extent (0 when the
// window does not fit). `pad_after` is kept to check pooling windows.
struct placed_axis {
  kernels::window_axis axis;
  std::size_t pad_after = 0;
};
constexpr placed_axis place_axis(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t dilation,
                                 const padding& p, bool height) {
  const std::size_t span = (kernel - 1) * dilation + 1;
  std::size_t before = 0, after = 0;
  if (p.kind == padding::rule::same) {
    const std::size_t out = stride == 0 ? 0 : (in + stride - 1) / stride;
    const std::size_t need = out == 0 ? 0 : (out - 1) * stride + span;
    const std::size_t total = need > in ? need - in : 0;
    before = total / 2;
    after = total - before;
  } else if (p.kind == padding::rule::sides) {
    before = height ? p.top : p.left;
    after = height ? p.bottom : p.right;
  }
  const std::size_t padded = in + before + after;
  const std::size_t out = stride == 0 || dilation == 0 || kernel == 0 || padded < span ? 0 : (padded - span) / stride + 1;
  return {{in, kernel, stride, dilation, before, out}, after};
}

// x [B,H,W,Cin] under a window of KH x KW taps.
template <class X, std::size_t KH, std::size_t KW, std::size_t Cout>
constexpr kernels::window2d place_window(std::array<std::size_t, 2> stride, std::array<std::size_t, 2> dilation,
                                         const padding& p, std::size_t groups = 1) {
  return {place_axis(X::dims[1], KH, stride[0], dilation[0], p, true).axis,
          place_axis(X::dims[2], KW, stride[1], dilation[1], p, false).axis, X::dims[0], X::dims[3], Cout, groups};
}
template <conv_options O, class X, class W>
inline constexpr kernels::window2d conv_window =
    place_window<X, W::dims[0], W::dims[1], W::dims[3]>(O.stride, O.dilation, O.pad, O.groups);

template <pool_options P>
inline constexpr std::array<std::size_t, 2> pool_stride{P.stride[0] == 0 ? P.window[0] : P.stride[0],
                                                        P.stride[1] == 0 ? P.window[1] : P.stride[1]};
template <pool_options P, class X>
inline constexpr kernels::window2d pool_window =
    place_window<X, P.window[0], P.window[1], X::dims[3]>(pool_stride<P>, {1, 1}, P.pad);

template <class X, class W, conv_options O>
constexpr bool conv_fits() {
  if constexpr (X::rank != 4 || W::rank != 4) {
    return false;
  } else {
    constexpr auto g = conv_window<O, X, W>;
    return O.groups > 0 && X::dims[3] == W::dims[2] * O.groups && W::dims[3] % O.groups == 0 && g.h.out > 0 &&
           g.w.out > 0;
  }
}
// Every window of a pooling holds at least one pixel of the image.
template <class X, pool_options P>
constexpr bool pool_fits() {
  if constexpr (X::rank != 4) {
    return false;
  } else {
    const auto h = place_axis(X::dims[1], P.window[0], pool_stride<P>[0], 1, P.pad, true);
    const auto w = place_axis(X::dims[2], P.window[1], pool_stride<P>[1], 1, P.pad, false);
    return h.axis.out > 0 && w.axis.out > 0 && h.axis.pad_before < P.window[0] && h.pad_after < P.window[0] &&
           w.axis.pad_before < P.window[1] && w.pad_after < P.window[1];
  }
}
// [B, OH, OW, Cout] of a placed window.
template <class Window>
constexpr auto window_output(Window) {
  constexpr kernels::window2d g = Window::value;
  return shape<g.batch, g.h.out, g.w.out, g.channels_out>{};
}

// How the options read in printouts: "stride 2x2, same", nothing for the defaults.
inline std::string pair_text(const std::array<std::size_t, 2>& a) { return inspect::num(a[0]) + "x" + inspect::num(a[1]); }
inline std::string padding_text(const padding& p) {
  if (p.kind == padding::rule::same) return "same";
  if (p.kind == padding::rule::valid) return "";
  return "pad " + inspect::num(p.top) + "," + inspect::num(p.bottom) + "," + inspect::num(p.left) + "," +
         inspect::num(p.right);
}
template <std::size_t N>
std::string options_text(const std::array<std::pair<std::string, bool>, N>& parts) {
  std::string out;
  for (const auto& [text, shown] : parts)
    if (shown && !text.empty()) out += (out.empty() ? "" : ", ") + text;
  return out.empty() ? out : "; " + out;
}
inline std::string conv_text(const conv_options& o) {
  return options_text<4>({{{"stride " + pair_text(o.stride), o.stride != std::array<std::size_t, 2>{1, 1}},
                        {padding_text(o.pad), true},
                        {"dilation " + pair_text(o.dilation), o.dilation != std::array<std::size_t, 2>{1, 1}},
                        {"groups " + inspect::num(o.groups), o.groups != 1}}});
}
inline std::string pool_text(const pool_options& p) {
  return options_text<3>({{{"window " + pair_text(p.window), true},
                        {"stride " + pair_text(p.stride), p.stride != std::array<std::size_t, 2>{0, 0}},
                        {padding_text(p.pad), true}}});
}

// The emitted form of kernels::for_each_tap: `body` runs with p (the output
// pixel), q (the input pixel) and tap in scope. `per_pixel` runs once per
// output pixel before its taps (and `after` once after them).
template <class Before, class Body, class After>
void emit_windows(inspect::cpp_code& c, const kernels::window2d& g, Before per_pixel, Body body, After after) {
  using inspect::num;
  c.loop("b", g.batch, [&] {
    c.loop("oh", g.h.out, [&] {
      c.loop("ow", g.w.out, [&] {
        c.line("const int p = (b * " + num(g.h.out) + " + oh) * " + num(g.w.out) + " + ow;");
        per_pixel();
        c.loop("kh", g.h.kernel, [&] {
          c.line("const int ih = oh * " + num(g.h.stride) + " + kh * " + num(g.h.dilation) + " - " + num(g.h.pad_before) + ";");
          c.line("if (ih < 0 || ih >= " + num(g.h.in) + ") continue;");
          c.loop("kw", g.w.kernel, [&] {
            c.line("const int iw = ow * " + num(g.w.stride) + " + kw * " + num(g.w.dilation) + " - " + num(g.w.pad_before) + ";");
            c.line("if (iw < 0 || iw >= " + num(g.w.in) + ") continue;");
            c.line("const int q = (b * " + num(g.h.in) + " + ih) * " + num(g.w.in) + " + iw;");
            c.line("const int tap = kh * " + num(g.w.kernel) + " + kw;");
            c.line("(void)tap;");
            body();
          });
        });
        after();
      });
    });
  });
}
inline void emit_zero(inspect::cpp_code& c, const std::string& out, std::size_t size) {
  c.loop("i", size, [&] { c.line(out + "[i] = 0.0;"); });
}
// The channel pairs of one tap, as kernels::for_each_conv_term walks them:
// ci and co index the image's and the output's channels, and k the tap's
// kernel element; `inner` runs per pair, inside `per_input` (which runs once
// per input channel, as the transpose accumulates).
template <class PerInput, class Inner>
void emit_channel_pairs(inspect::cpp_code& c, const kernels::window2d& g, PerInput per_input, Inner inner) {
  using inspect::num;
  const std::size_t group_in = g.channels_in / g.groups, group_out = g.channels_out / g.groups;
  c.loop("ci", g.channels_in, [&] {
    c.line("const int group = ci / " + num(group_in) + ";");
    per_input([&] {
      c.loop("go", group_out, [&] {
        c.line("const int co = group * " + num(group_out) + " + go;");
        c.line("const int k = (tap * " + num(group_in) + " + ci % " + num(group_in) + ") * " + num(g.channels_out) + " + co;");
        inner();
      });
    });
  });
}
// out[a] += x[b] * y[c] over the channel pairs of one tap.
inline void emit_channel_products(inspect::cpp_code& c, const kernels::window2d& g, const std::string& target,
                                  const std::string& left, const std::string& right) {
  emit_channel_pairs(c, g, [](auto pairs) { pairs(); }, [&] { c.line(target + " += " + left + " * " + right + ";"); });
}
// For output pixel p and channel ch: `best`, the index into x of the window's
// largest element, the first on ties (kernels::for_each_window_max).
template <class Use>
void emit_window_max(inspect::cpp_code& c, const kernels::window2d& g, const std::string& x, Use use) {
  using inspect::num;
  emit_windows(
      c, g,
      [&] { c.line("int best[" + num(g.channels_in) + "];"); c.loop("ch", g.channels_in, [&] { c.line("best[ch] = -1;"); }); },
      [&] {
        c.loop("ch", g.channels_in, [&] {
          c.line("const int at = q * " + num(g.channels_in) + " + ch;");
          c.line("if (best[ch] < 0 || " + x + "[at] > " + x + "[best[ch]]) best[ch] = at;");
        });
      },
      [&] { c.loop("ch", g.channels_in, [&] { use(); }); });
}
// The emitters of the six ops, plain functions of the placed window: one
// copy of the string-building code per program, whatever the shapes.
inline void emit_conv2d(inspect::cpp_code& c, const kernels::window2d& g, const std::string& out,
                        const inspect::names<2>& in, std::size_t size) {
  const std::string ci = inspect::num(g.channels_in), co = inspect::num(g.channels_out);
  emit_zero(c, out, size);
  emit_windows(c, g, [] {}, [&] {
    emit_channel_products(c, g, out + "[p * " + co + " + co]", in[0] + "[q * " + ci + " + ci]", in[1] + "[k]");
  }, [] {});
}
inline void emit_conv2d_transpose(inspect::cpp_code& c, const kernels::window2d& g, const std::string& out,
                                  const inspect::names<2>& in, std::size_t size) {
  const std::string ci = inspect::num(g.channels_in), co = inspect::num(g.channels_out);
  emit_zero(c, out, size);
  emit_windows(c, g, [] {}, [&] {
    emit_channel_pairs(
        c, g,
        [&](auto pairs) {
          c.line("double acc = 0.0;");
          pairs();
          c.line(out + "[q * " + ci + " + ci] += acc;");
        },
        [&] { c.line("acc += " + in[0] + "[p * " + co + " + co] * " + in[1] + "[k];"); });
  }, [] {});
}
inline void emit_conv2d_kernel_gradient(inspect::cpp_code& c, const kernels::window2d& g, const std::string& out,
                                        const inspect::names<2>& in, std::size_t size) {
  const std::string ci = inspect::num(g.channels_in), co = inspect::num(g.channels_out);
  emit_zero(c, out, size);
  emit_windows(c, g, [] {}, [&] {
    emit_channel_products(c, g, out + "[k]", in[0] + "[q * " + ci + " + ci]", in[1] + "[p * " + co + " + co]");
  }, [] {});
}
// Average pooling and its transpose: each output pixel's share of its
// window's pixels inside the image.
inline void emit_avg_pool(inspect::cpp_code& c, const kernels::window2d& g, const std::string& out, const std::string& in,
                          bool transpose, std::size_t size) {
  const std::string ch = inspect::num(g.channels_in);
  emit_zero(c, out, size);
  emit_windows(
      c, g,
      [&] {
        c.line("int inside = 0;");
        c.loop("kh", g.h.kernel, [&] {
          c.loop("kw", g.w.kernel, [&] {
            c.line("const int ih = oh * " + inspect::num(g.h.stride) + " + kh - " + inspect::num(g.h.pad_before) +
                   ", iw = ow * " + inspect::num(g.w.stride) + " + kw - " + inspect::num(g.w.pad_before) + ";");
            c.line("inside += ih >= 0 && ih < " + inspect::num(g.h.in) + " && iw >= 0 && iw < " + inspect::num(g.w.in) + ";");
          });
        });
        c.line("const double share = 1.0 / inside;");
      },
      [&] {
        c.loop("ch", g.channels_in, [&] {
          if (transpose)
            c.line(out + "[q * " + ch + " + ch] += share * " + in + "[p * " + ch + " + ch];");
          else
            c.line(out + "[p * " + ch + " + ch] += share * " + in + "[q * " + ch + " + ch];");
        });
      },
      [] {});
}
// Max pooling's ops on each window's chosen element.
inline void emit_max_pool(inspect::cpp_code& c, const kernels::window2d& g, const std::string& out,
                          const inspect::names<2>& in, chosen_use use, std::size_t size) {
  const std::string at = "[p * " + inspect::num(g.channels_in) + " + ch]";
  if (use == chosen_use::scatter) emit_zero(c, out, size);
  emit_window_max(c, g, in[0], [&] {
    if (use == chosen_use::scatter)
      c.line(out + "[best[ch]] += " + in[1] + at + ";");
    else
      c.line(out + at + " = " + in[1] + "[best[ch]];");
  });
}
}  // namespace detail

// ---- conv2d ------------------------------------------------------------------------
template <conv_options O>
struct conv2d_op {
  static constexpr std::string_view name = "conv2d";
  template <class X, class W>
  static constexpr auto shape(X, W) {
    static_assert(diagnostics::conv2d_operands_agree<X, W, detail::conv_fits<X, W, O>()>::value,
                  "typegrad: conv2d(x, w) needs x [B,H,W,Cin] and a kernel w [KH,KW,Cin/groups,Cout], Cout a multiple of groups, whose window fits the padded image");
    if constexpr (!detail::conv_fits<X, W, O>())
      return typegrad::shape<>{};
    else
      return detail::window_output(std::integral_constant<kernels::window2d, detail::conv_window<O, X, W>>{});
  }
  template <class Out, class X, class W>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x, const W& w) {
    kernels::conv2d<detail::conv_window<O, typename X::shape_type, typename W::shape_type>>(out, x, w);
  }
  static std::string notation(const inspect::names<2>& in) {
    return "conv2d(" + in[0] + ", " + in[1] + detail::conv_text(O) + ")";
  }
  template <class Out, class X, class W>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    detail::emit_conv2d(c, detail::conv_window<O, X, W>, out, in, Out::size);
  }
  // Bilinear: dx = conv2d_transpose(u, w), dw = conv2d_kernel_gradient(x, u);
  // the tangent of one operand convolved with the other.
  template <std::size_t I, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    using x_shape = shape_of_t<child_t<0, Y>>;
    using w_shape = shape_of_t<child_t<1, Y>>;
    if constexpr (I == 0)
      return typegrad::conv2d_transpose<O, x_shape>(u, typegrad::child<1>(y));
    else
      return typegrad::conv2d_kernel_gradient<O, w_shape>(typegrad::child<0>(y), u);
  }
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return typegrad::make_node<conv2d_op>(t, typegrad::child<1>(y));
    else
      return typegrad::make_node<conv2d_op>(typegrad::child<0>(y), t);
  }
};

// ---- conv2d_transpose: the adjoint of x -> conv2d(x, w) ------------------------------
// u [B,OH,OW,Cout], w [KH,KW,Cin,Cout] -> [B,H,W,Cin], with XShape = [B,H,W,Cin]
// the shape of the convolution's input (which the output alone does not fix).
template <conv_options O, class XShape>
struct conv2d_transpose_op {
  static constexpr std::string_view name = "conv2d_transpose";
  template <class U, class W>
  static constexpr auto shape(U, W) {
    return XShape{};
  }
  template <class Out, class U, class W>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const U& u, const W& w) {
    kernels::conv2d_transpose<detail::conv_window<O, XShape, typename W::shape_type>>(out, u, w);
  }
  static std::string notation(const inspect::names<2>& in) {
    return "conv2d_transpose(" + in[0] + ", " + in[1] + detail::conv_text(O) + ")";
  }
  template <class Out, class U, class W>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    detail::emit_conv2d_transpose(c, detail::conv_window<O, XShape, W>, out, in, Out::size);
  }
  // <v, T(u, w)> = <conv2d(v, w), u> = <kernel_gradient(v, u), w>.
  template <std::size_t I, class Y, class V>
  static constexpr auto vjp(const Y& y, const V& v) {
    if constexpr (I == 0)
      return typegrad::make_node<conv2d_op<O>>(v, typegrad::child<1>(y));
    else
      return typegrad::conv2d_kernel_gradient<O, shape_of_t<child_t<1, Y>>>(v, typegrad::child<0>(y));
  }
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return typegrad::make_node<conv2d_transpose_op>(t, typegrad::child<1>(y));
    else
      return typegrad::make_node<conv2d_transpose_op>(typegrad::child<0>(y), t);
  }
};

// ---- conv2d_kernel_gradient: the adjoint of w -> conv2d(x, w) -------------------------
// x [B,H,W,Cin], u [B,OH,OW,Cout] -> WShape = [KH,KW,Cin,Cout].
template <conv_options O, class WShape>
struct conv2d_kernel_gradient_op {
  static constexpr std::string_view name = "conv2d_kernel_gradient";
  template <class X, class U>
  static constexpr auto shape(X, U) {
    return WShape{};
  }
  template <class Out, class X, class U>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x, const U& u) {
    kernels::conv2d_kernel_gradient<detail::conv_window<O, typename X::shape_type, WShape>>(out, x, u);
  }
  static std::string notation(const inspect::names<2>& in) {
    return "conv2d_kernel_gradient(" + in[0] + ", " + in[1] + detail::conv_text(O) + ")";
  }
  template <class Out, class X, class U>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in) {
    detail::emit_conv2d_kernel_gradient(c, detail::conv_window<O, X, WShape>, out, in, Out::size);
  }
  // <v, K(x, u)> = <T(u, v), x> = <conv2d(x, v), u>.
  template <std::size_t I, class Y, class V>
  static constexpr auto vjp(const Y& y, const V& v) {
    if constexpr (I == 0)
      return typegrad::conv2d_transpose<O, shape_of_t<child_t<0, Y>>>(typegrad::child<1>(y), v);
    else
      return typegrad::make_node<conv2d_op<O>>(typegrad::child<0>(y), v);
  }
  template <std::size_t I, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    if constexpr (I == 0)
      return typegrad::make_node<conv2d_kernel_gradient_op>(t, typegrad::child<1>(y));
    else
      return typegrad::make_node<conv2d_kernel_gradient_op>(typegrad::child<0>(y), t);
  }
};

// ---- depthwise_conv2d and conv1d: grouped conv2d under other names ---------------------
namespace detail {
template <conv_options O, std::size_t Groups>
inline constexpr conv_options grouped{O.stride, O.pad, O.dilation, Groups};

// A depthwise kernel [KH,KW,C,M] is, element for element, the grouped
// kernel [KH,KW,1,C·M]: output channel c·M + m sees input channel c alone.
template <class W>
using depthwise_kernel = shape<W::dims[0], W::dims[1], 1, W::dims[2] * W::dims[3]>;
template <class X, class W, conv_options O>
constexpr bool depthwise_fits() {
  if constexpr (X::rank != 4 || W::rank != 4)
    return false;
  else
    return O.groups == 1 && X::dims[3] == W::dims[2] && conv_fits<X, depthwise_kernel<W>, grouped<O, X::dims[3]>>();
}

// conv1d runs as conv2d over images one pixel high: [B,T,C] is [B,1,T,C].
constexpr padding along_width(const padding& p) {
  return p.kind == padding::rule::sides ? pad(0, 0, p.left, p.right) : p;
}
template <conv1d_options O>
inline constexpr conv_options as_conv2d{{1, O.stride}, along_width(O.pad), {1, O.dilation}, O.groups};
template <class X>
using as_image = shape<X::dims[0], 1, X::dims[1], X::dims[2]>;
template <class W>
using as_kernel = shape<1, W::dims[0], W::dims[1], W::dims[2]>;
template <class X, class W, conv1d_options O>
constexpr bool conv1d_fits() {
  if constexpr (X::rank != 3 || W::rank != 3)
    return false;
  else
    return conv_fits<as_image<X>, as_kernel<W>, as_conv2d<O>>();
}
}  // namespace detail

// depthwise_conv2d<O>(x, w): x [B,H,W,C], w [KH,KW,C,M] -> [B,OH,OW,C·M],
// channel c·M + m being channel c convolved with w[:,:,c,m] (TensorFlow's
// depthwise layout, PyTorch's groups = C). It is conv2d with groups = C over
// the kernel reshaped to [KH,KW,1,C·M], and prints as such.
template <conv_options O = conv_options{}, expression X, expression W>
constexpr auto depthwise_conv2d(const X& x, const W& w) {
  using XS = shape_of_t<X>;
  using WS = shape_of_t<W>;
  constexpr bool fits = detail::depthwise_fits<XS, WS, O>();
  static_assert(diagnostics::depthwise_conv2d_operands_agree<XS, WS, fits>::value,
                "typegrad: depthwise_conv2d(x, w) needs x [B,H,W,C] and a kernel w [KH,KW,C,M] whose window fits the padded image, groups left at 1");
  if constexpr (!fits)
    return typegrad::sum(x);  // a scalar: the one error above is enough
  else
    return typegrad::conv2d<detail::grouped<O, XS::dims[3]>>(x, typegrad::reshape_to<detail::depthwise_kernel<WS>>(w));
}

// conv1d<O>(x, w): x [B,T,Cin], w [K,Cin/groups,Cout] -> [B,OT,Cout], over
// the time axis (audio frames, sensor windows). It is conv2d over [B,1,T,Cin]
// between reshapes, and prints as such.
template <conv1d_options O = conv1d_options{}, expression X, expression W>
constexpr auto conv1d(const X& x, const W& w) {
  using XS = shape_of_t<X>;
  using WS = shape_of_t<W>;
  constexpr bool fits = detail::conv1d_fits<XS, WS, O>();
  static_assert(diagnostics::conv1d_operands_agree<XS, WS, fits>::value,
                "typegrad: conv1d(x, w) needs x [B,T,Cin] and a kernel w [K,Cin/groups,Cout], Cout a multiple of groups, whose window fits the padded sequence");
  if constexpr (!fits) {
    return typegrad::sum(x);
  } else {
    const auto y = typegrad::conv2d<detail::as_conv2d<O>>(typegrad::reshape_to<detail::as_image<XS>>(x),
                                                          typegrad::reshape_to<detail::as_kernel<WS>>(w));
    using YS = shape_of_t<decltype(y)>;
    return typegrad::reshape<YS::dims[0], YS::dims[2], YS::dims[3]>(y);
  }
}

// ---- max_pool2d_scatter and max_pool2d_gather: the choice ops (ops/choice.hpp)
// of max pooling. scatter(x, u) adds u [B,OH,OW,C] at the elements of x
// [B,H,W,C] that max_pool2d(x) chose; gather(x, t) reads t [B,H,W,C] there.
namespace detail {
template <pool_options P>
struct pool_max {
  static constexpr std::string_view scatter_name = "max_pool2d_scatter", gather_name = "max_pool2d_gather";
  template <class XS>
  using output = decltype(window_output(std::integral_constant<kernels::window2d, pool_window<P, XS>>{}));
  template <class X, class F>
  TYPEGRAD_ALWAYS_INLINE static constexpr void for_each_choice(const X& x, F f) {
    constexpr std::size_t channels = X::shape_type::dims[3];
    kernels::for_each_window_max<pool_window<P, typename X::shape_type>>(
        x, [&](std::size_t p, const auto&, const auto& chosen) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
          for (std::size_t c = 0; c < channels; ++c) f(p * channels + c, std::size_t(chosen[c]));
        });
  }
  static std::string notation(std::string_view name, const inspect::names<2>& in) {
    return std::string(name) + "(" + in[0] + ", " + in[1] + pool_text(P) + ")";
  }
  template <class XS>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<2>& in, chosen_use use,
                   std::size_t size) {
    emit_max_pool(c, pool_window<P, XS>, out, in, use, size);
  }
};
}  // namespace detail
template <pool_options P, expression X, expression U>
constexpr auto max_pool2d_scatter(const X& x, const U& u) {
  return typegrad::choice_scatter<detail::pool_max<P>>(x, u);
}
template <pool_options P, expression X, expression T>
constexpr auto max_pool2d_gather(const X& x, const T& t) {
  return typegrad::choice_gather<detail::pool_max<P>>(x, t);
}

// ---- max_pool2d --------------------------------------------------------------------
// Each window's largest element, per channel; padding is never chosen. The
// derivative goes to the chosen element alone, and on ties to the first in
// the window's row-major (kh, kw) order, as PyTorch's CPU kernel does. Its
// second derivative is zero almost everywhere (x -> max_pool2d(x) is
// piecewise linear).
template <pool_options P>
struct max_pool2d_op {
  static constexpr std::string_view name = "max_pool2d";
  template <class X>
  static constexpr auto shape(X) {
    static_assert(diagnostics::pool2d_window_fits<X, detail::pool_fits<X, P>()>::value,
                  "typegrad: max_pool2d(x) needs x [B,H,W,C] and windows that fit it, each padded by less than its size");
    if constexpr (!detail::pool_fits<X, P>())
      return typegrad::shape<>{};
    else
      return detail::window_output(std::integral_constant<kernels::window2d, detail::pool_window<P, X>>{});
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    constexpr std::size_t channels = X::shape_type::dims[3];
    kernels::for_each_window_max<detail::pool_window<P, typename X::shape_type>>(
        x, [&](std::size_t p, const auto& best, const auto&) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
          for (std::size_t c = 0; c < channels; ++c) out[p * channels + c] = best[c];
        });
  }
  static std::string notation(const inspect::names<1>& in) { return "max_pool2d(" + in[0] + detail::pool_text(P) + ")"; }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    detail::emit_max_pool(c, detail::pool_window<P, X>, out, {in[0], in[0]}, detail::chosen_use::value, Out::size);
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y& y, const U& u) {
    return typegrad::max_pool2d_scatter<P>(typegrad::child<0>(y), u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y& y, const T& t) {
    return typegrad::max_pool2d_gather<P>(typegrad::child<0>(y), t);
  }
};

// ---- avg_pool2d ----------------------------------------------------------------------
// The mean of each window's pixels inside the image, per channel: padding is
// not counted (TensorFlow's rule; PyTorch's count_include_pad=False).
// Linear: the VJP spreads the cotangent evenly back over each window.
template <pool_options P>
struct avg_pool2d_op {
  static constexpr std::string_view name = "avg_pool2d";
  template <class X>
  static constexpr auto shape(X) {
    static_assert(diagnostics::pool2d_window_fits<X, detail::pool_fits<X, P>()>::value,
                  "typegrad: avg_pool2d(x) needs x [B,H,W,C] and windows that fit it, each padded by less than its size");
    if constexpr (!detail::pool_fits<X, P>())
      return typegrad::shape<>{};
    else
      return detail::window_output(std::integral_constant<kernels::window2d, detail::pool_window<P, X>>{});
  }
  template <class Out, class X>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const X& x) {
    using T = typename Out::value_type;
    constexpr std::size_t channels = X::shape_type::dims[3];
    for (std::size_t i = 0; i < Out::size; ++i) out[i] = 0;
    kernels::for_each_window_share<detail::pool_window<P, typename X::shape_type>, T>(
        [&](std::size_t p, std::size_t q, T share) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
          for (std::size_t c = 0; c < channels; ++c) out[p * channels + c] += share * x[q * channels + c];
        });
  }
  static std::string notation(const inspect::names<1>& in) { return "avg_pool2d(" + in[0] + detail::pool_text(P) + ")"; }
  template <class Out, class X>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    detail::emit_avg_pool(c, detail::pool_window<P, X>, out, in[0], false, Out::size);
  }
  template <std::size_t, class Y, class U>
  static constexpr auto vjp(const Y&, const U& u) {
    return typegrad::avg_pool2d_transpose<P, shape_of_t<child_t<0, Y>>>(u);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::avg_pool2d<P>(t);
  }
};

// ---- avg_pool2d_transpose<P, XShape>(u): u [B,OH,OW,C] spread back over the
// windows of an image of shape XShape; the adjoint of avg_pool2d.
template <pool_options P, class XShape>
struct avg_pool2d_transpose_op {
  static constexpr std::string_view name = "avg_pool2d_transpose";
  template <class U>
  static constexpr auto shape(U) {
    return XShape{};
  }
  template <class Out, class U>
  TYPEGRAD_ALWAYS_INLINE static constexpr void forward(Out& out, const U& u) {
    using T = typename Out::value_type;
    constexpr std::size_t channels = XShape::dims[3];
    for (std::size_t i = 0; i < Out::size; ++i) out[i] = 0;
    kernels::for_each_window_share<detail::pool_window<P, XShape>, T>(
        [&](std::size_t p, std::size_t q, T share) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
          for (std::size_t c = 0; c < channels; ++c) out[q * channels + c] += share * u[p * channels + c];
        });
  }
  static std::string notation(const inspect::names<1>& in) {
    return "avg_pool2d_transpose(" + in[0] + detail::pool_text(P) + ")";
  }
  template <class Out, class U>
  static void emit(inspect::cpp_code& c, const std::string& out, const inspect::names<1>& in) {
    detail::emit_avg_pool(c, detail::pool_window<P, XShape>, out, in[0], true, Out::size);
  }
  template <std::size_t, class Y, class V>
  static constexpr auto vjp(const Y&, const V& v) {
    return typegrad::avg_pool2d<P>(v);
  }
  template <std::size_t, class Y, class T>
  static constexpr auto jvp(const Y&, const T& t) {
    return typegrad::avg_pool2d_transpose<P, XShape>(t);
  }
};

// The mean of each image, per channel: [B,H,W,C] -> [B,C] (a classifier's
// head without a dense layer over every pixel).
template <expression X>
constexpr auto global_avg_pool(const X& x) {
  using S = shape_of_t<X>;
  static_assert(diagnostics::pool2d_window_fits<S, S::rank == 4>::value, "typegrad: global_avg_pool(x) needs x [B,H,W,C]");
  if constexpr (S::rank != 4)
    return x;
  else
    return typegrad::reshape<S::dims[0], S::dims[3]>(typegrad::avg_pool2d<pool_options{.window = {S::dims[1], S::dims[2]}}>(x));
}

}  // namespace typegrad

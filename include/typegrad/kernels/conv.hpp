#pragma once
// Sliding-window kernels over NHWC images: the convolution, its two
// transposes (the input's and the kernel's gradients), and max pooling's
// choice of element.
//
// The convolutions run on the tiled matrix product (kernels/matmul.hpp):
// output pixels are taken a block at a time, their patches packed into a
// small buffer as the rows of a [rows, KH·KW·Cin] matrix (zeros in the
// padding), which meets the kernel as a [KH·KW·Cin, Cout] matrix. No full
// im2col matrix is made. Every output element sums its window in one order,
// (kh, kw, ci), whatever the block or the batch, so a batch of 1 and a batch
// of 32 give the same bits. In a constant expression, plain loops over the
// taps do the same sums.
#include <cstddef>
#include <algorithm>
#include <cstdint>

#include <type_traits>

#include <typegrad/detail/config.hpp>
#include <typegrad/kernels/matmul.hpp>

namespace typegrad::kernels {

// One spatial axis of a window: `in` pixels, a kernel of `kernel` taps
// `dilation` apart, moved `stride` at a time, starting `pad_before` pixels
// before the first; `out` positions fit.
struct window_axis {
  std::size_t in = 1, kernel = 1, stride = 1, dilation = 1, pad_before = 0, out = 1;
  // The input pixel under tap k at output position o, or -1 in the padding.
  constexpr std::ptrdiff_t pixel(std::size_t o, std::size_t k) const {
    const std::ptrdiff_t at = std::ptrdiff_t(o * stride + k * dilation) - std::ptrdiff_t(pad_before);
    return at >= 0 && at < std::ptrdiff_t(in) ? at : -1;
  }
};
// Both axes of a 2-D window, with the batch and the channels around them.
// With `groups` > 1 the channels split into that many groups, in order, and
// each output channel sees only its group's input channels (a depthwise conv
// has one group per input channel).
struct window2d {
  window_axis h, w;
  std::size_t batch = 1, channels_in = 1, channels_out = 1, groups = 1;
};

// The one walk over windows: f(p, taps) for every output pixel p (its index
// among B·OH·OW), in order, where taps(g) calls g(q, tap) for each tap of p's
// window inside the image, (kh, kw) row-major: q the input pixel (among
// B·H·W), tap its index among KH·KW.
template <window2d G, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_window(F f) {
  for (std::size_t b = 0; b < G.batch; ++b)
    for (std::size_t oh = 0; oh < G.h.out; ++oh)
      for (std::size_t ow = 0; ow < G.w.out; ++ow) {
        auto taps = [&](auto g) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
          for (std::size_t kh = 0; kh < G.h.kernel; ++kh) {
            const std::ptrdiff_t ih = G.h.pixel(oh, kh);
            if (ih < 0) continue;
            for (std::size_t kw = 0; kw < G.w.kernel; ++kw) {
              const std::ptrdiff_t iw = G.w.pixel(ow, kw);
              if (iw < 0) continue;
              g((b * G.h.in + std::size_t(ih)) * G.w.in + std::size_t(iw), kh * G.w.kernel + kw);
            }
          }
        };
        f((b * G.h.out + oh) * G.w.out + ow, taps);
      }
}

// f(p, q, tap) for every output pixel and every tap of its window inside the image.
template <window2d G, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_tap(F f) {
  for_each_window<G>([&](std::size_t p, auto taps) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    taps([&](std::size_t q, std::size_t tap) TYPEGRAD_ALWAYS_INLINE_LAMBDA { f(p, q, tap); });
  });
}

// ---- the product route -------------------------------------------------------------
// Patch buffers stay within this many bytes (about L1 and L2's share).
inline constexpr std::size_t patch_bytes = 64 * 1024;

template <window2d G, class T>
struct patch_blocks {
  static constexpr std::size_t depth = G.h.kernel * G.w.kernel * G.channels_in;  // a patch's length
  static constexpr std::size_t pixels = G.h.out * G.w.out;  // of one image: blocks stay within an image
  static constexpr std::size_t fit = patch_bytes / (depth * sizeof(T));
  static constexpr std::size_t most = fit < 1 ? 1 : (fit > 64 ? 64 : fit);
  // Blocks of one size, as near as can be: 196 pixels go as 4 x 49, not 3 x 64 and a sliver of 4.
  static constexpr std::size_t blocks = (pixels + most - 1) / most;
  static constexpr std::size_t rows = (pixels + blocks - 1) / blocks;
  static constexpr std::size_t whole = pixels / rows * rows;
  // Fewer output channels than a vector's lanes (a first layer's 6 or 8):
  // the products are laid the other way round, pixels along the vectors,
  // when the transposed kernel gradient fits the same budget.
  static constexpr bool narrow =
      G.channels_out < simd::lanes<T> && (G.channels_out + rows) * depth * sizeof(T) <= patch_bytes;
  // Images of fewer channels than fill 16 bytes keep patches as columns.
  static constexpr bool as_columns = G.channels_in * sizeof(T) < 16;
};

// f.template operator()<Rows>(first) for the blocks of output pixels in order,
// image by image (first counts pixels from the batch's first image). The
// batch is a run-time count: one kernel serves every batch size, which keeps
// a program at batch 32 and an evaluation at batch 1 to one instance.
template <window2d G, class T, class F>
TYPEGRAD_ALWAYS_INLINE inline void for_each_block(std::size_t batch, F f) {
  using plan = patch_blocks<G, T>;
  for (std::size_t b = 0; b < batch; ++b) {
    const std::size_t image = b * plan::pixels;
    for (std::size_t first = 0; first < plan::whole; first += plan::rows) f.template operator()<plan::rows>(image + first);
    if constexpr (plan::pixels > plan::whole) f.template operator()<plan::pixels - plan::whole>(image + plan::whole);
  }
}
// The geometry of one image of G's batch: what the product route is
// instantiated for.
constexpr window2d one_image(window2d g) {
  g.batch = 1;
  return g;
}

// The patches of output pixels [first, first + Rows), walked in runs:
// pixels of one output row are consecutive, so a tap's pixels are read at a
// fixed stride (contiguous at stride 1). For each tap, k0 = (kh·KW + kw)·Cin
// being its first patch element:
//   copy(k0, r, count, from, step): pixels r.. read the image's Cin channels
//     at from, from + step, ...;
//   zero(k0, r, count): pixels r.. lie in the padding there.
template <window2d G, std::size_t Rows, class Copy, class Zero>
TYPEGRAD_ALWAYS_INLINE inline void for_each_patch_run(std::size_t first, Copy copy, Zero zero) {
  constexpr std::size_t per_image = G.h.out * G.w.out, ci = G.channels_in;
  for (std::size_t r = 0; r < Rows;) {
    const std::size_t p = first + r, b = p / per_image, oh = p % per_image / G.w.out, ow0 = p % G.w.out;
    const std::size_t count = G.w.out - ow0 < Rows - r ? G.w.out - ow0 : Rows - r;
    for (std::size_t kh = 0; kh < G.h.kernel; ++kh) {
      const std::ptrdiff_t ih = G.h.pixel(oh, kh);
      for (std::size_t kw = 0; kw < G.w.kernel; ++kw) {
        const std::size_t k0 = (kh * G.w.kernel + kw) * ci;
        // The output columns whose tap kw lands inside the image: [lo, hi).
        const std::size_t shift = kw * G.w.dilation;
        const std::size_t lo_all = shift >= G.w.pad_before ? 0 : (G.w.pad_before - shift + G.w.stride - 1) / G.w.stride;
        const std::size_t hi_all =
            G.w.in + G.w.pad_before <= shift ? 0 : (G.w.in + G.w.pad_before - shift + G.w.stride - 1) / G.w.stride;
        std::size_t lo = lo_all < ow0 ? ow0 : lo_all, hi = hi_all < ow0 + count ? hi_all : ow0 + count;
        if (ih < 0 || lo >= hi) lo = hi = ow0 + count;
        if (lo > ow0) zero(k0, r, lo - ow0);
        if (hi > lo) {
          const std::size_t iw = lo * G.w.stride + shift - G.w.pad_before;
          copy(k0, r + (lo - ow0), hi - lo, ((b * G.h.in + std::size_t(ih)) * G.w.in + iw) * ci, G.w.stride * ci);
        }
        if (ow0 + count > hi) zero(k0, r + (hi - ow0), ow0 + count - hi);
      }
    }
    r += count;
  }
}

// A block's patches are stored as the rows of a [Rows, depth] matrix, or, for
// images of few channels, as its columns ([depth, Rows], patch_blocks::
// as_columns): then a tap's pixels are contiguous in the image and in the
// buffer alike, where rows would copy one or two values per tap.
template <window2d G, std::size_t Rows, class T>
TYPEGRAD_ALWAYS_INLINE inline void pack_patches(T* __restrict patches, const T* __restrict x, std::size_t first) {
  constexpr std::size_t ci = G.channels_in, depth = G.h.kernel * G.w.kernel * ci;
  constexpr bool columns = patch_blocks<G, T>::as_columns;
  for_each_patch_run<G, Rows>(
      first,
      [&](std::size_t k0, std::size_t r, std::size_t count, std::size_t from, std::size_t step) {
        for (std::size_t j = 0; j < count; ++j)
          for (std::size_t c = 0; c < ci; ++c)
            patches[columns ? (k0 + c) * Rows + r + j : (r + j) * depth + k0 + c] = x[from + j * step + c];
      },
      [&](std::size_t k0, std::size_t r, std::size_t count) {
        for (std::size_t j = 0; j < count; ++j)
          for (std::size_t c = 0; c < ci; ++c) patches[columns ? (k0 + c) * Rows + r + j : (r + j) * depth + k0 + c] = T(0);
      });
}
// Patch gradients, laid out as pack_patches lays patches, added back into the
// image's gradient.
template <window2d G, std::size_t Rows, class T>
TYPEGRAD_ALWAYS_INLINE inline void add_patches(T* __restrict dx, const T* __restrict patches, std::size_t first) {
  constexpr std::size_t ci = G.channels_in, depth = G.h.kernel * G.w.kernel * ci;
  constexpr bool columns = patch_blocks<G, T>::as_columns;
  for_each_patch_run<G, Rows>(
      first,
      [&](std::size_t k0, std::size_t r, std::size_t count, std::size_t to, std::size_t step) {
        for (std::size_t j = 0; j < count; ++j)
          for (std::size_t c = 0; c < ci; ++c)
            dx[to + j * step + c] += patches[columns ? (k0 + c) * Rows + r + j : (r + j) * depth + k0 + c];
      },
      [](std::size_t, std::size_t, std::size_t) {});
}

// Out of line, one function per layer shape and scalar: a convolution is
// thousands of multiply-adds, and the program's one body stays small. The
// products name the patches P ([Rows, depth]) with its flag set when they
// are stored as columns.
template <window2d G, class T>
[[gnu::noinline]] void conv2d_by_product(T* __restrict y, const T* __restrict x, const T* __restrict w, std::size_t batch) {
  using plan = patch_blocks<G, T>;
  constexpr std::size_t co = G.channels_out;
  alignas(simd::bytes) T patches[plan::rows * plan::depth];
  for_each_block<G, T>(batch, [&]<std::size_t Rows>(std::size_t first) {
    pack_patches<G, Rows>(patches, x, first);
    if constexpr (plan::narrow) {
      // Fewer output channels than a vector holds: the block's pixels run
      // along the vectors instead, yᵀ = wᵀ Pᵀ, then back into place.
      alignas(simd::bytes) T transposed[co * Rows];
      matmul_simd<true, !plan::as_columns, T, co, Rows, plan::depth>(transposed, w, patches);
      for (std::size_t r = 0; r < Rows; ++r)
        for (std::size_t o = 0; o < co; ++o) y[(first + r) * co + o] = transposed[o * Rows + r];
    } else {
      matmul_simd<plan::as_columns, false, T, Rows, co, plan::depth>(y + first * co, patches, w);
    }
  });
}
template <window2d G, class T>
[[gnu::noinline]] void conv2d_transpose_by_product(T* __restrict dx, const T* __restrict u, const T* __restrict w,
                                                  std::size_t batch) {
  using plan = patch_blocks<G, T>;
  constexpr std::size_t co = G.channels_out;
  alignas(simd::bytes) T patches[plan::rows * plan::depth];
  std::fill_n(dx, batch * G.h.in * G.w.in * G.channels_in, T(0));
  for_each_block<G, T>(batch, [&]<std::size_t Rows>(std::size_t first) {
    // The block's patch gradients: u wᵀ, or as columns w uᵀ.
    if constexpr (plan::as_columns)
      matmul_simd<false, true, T, plan::depth, Rows, co>(patches, w, u + first * co);
    else
      matmul_simd<false, true, T, Rows, plan::depth, co>(patches, u + first * co, w);
    add_patches<G, Rows>(dx, patches, first);
  });
}
template <window2d G, class T>
[[gnu::noinline]] void conv2d_kernel_gradient_by_product(T* __restrict dw, const T* __restrict x, const T* __restrict u,
                                                        std::size_t batch) {
  using plan = patch_blocks<G, T>;
  constexpr std::size_t co = G.channels_out, depth = plan::depth;
  alignas(simd::bytes) T patches[plan::rows * depth];
  if constexpr (plan::narrow) {
    // dwᵀ = uᵀ P, the patches' long rows along the vectors (P as rows).
    alignas(simd::bytes) T as_rows[plan::as_columns ? plan::rows * depth : 1];
    alignas(simd::bytes) T transposed[co * depth];
    auto gradient_at = [u](std::size_t o, std::size_t p) { return u[p * co + o]; };
    for_each_block<G, T>(batch, [&]<std::size_t Rows>(std::size_t first) {
      pack_patches<G, Rows>(patches, x, first);
      const T* rows = patches;
      if constexpr (plan::as_columns) {
        for (std::size_t k = 0; k < depth; ++k)
          for (std::size_t r = 0; r < Rows; ++r) as_rows[r * depth + k] = patches[k * Rows + r];
        rows = as_rows;
      }
      matmul_stretch<T, co, depth>(transposed, gradient_at, rows, first, first + Rows);
    });
    for (std::size_t k = 0; k < depth; ++k)
      for (std::size_t o = 0; o < co; ++o) dw[k * co + o] = transposed[o * depth + k];
  } else {
    for_each_block<G, T>(batch, [&]<std::size_t Rows>(std::size_t first) {
      pack_patches<G, Rows>(patches, x, first);
      const T* block = patches;
      auto patch_at = [block, first](std::size_t k, std::size_t p) {  // depth is a constant
        return plan::as_columns ? block[k * Rows + (p - first)] : block[(p - first) * plan::depth + k];
      };
      matmul_stretch<T, depth, co>(dw, patch_at, u + first * co, first, first + Rows);
    });
  }
}

// Every term of a convolution's sums, in the taps' order: f(y, x, k) with
// the indices of one product, output y[y] pairing image x[x] with kernel
// k[k] (the kernel is [KH, KW, Cin / groups, Cout]). The plain loops that
// constant expressions and grouped convolutions run; the output channels of
// a group are innermost, contiguous in y and k.
template <window2d G, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_conv_term(F f) {
  constexpr std::size_t ci = G.channels_in, co = G.channels_out;
  constexpr std::size_t group_in = ci / G.groups, group_out = co / G.groups;
  for_each_tap<G>([&](std::size_t p, std::size_t q, std::size_t tap) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    for (std::size_t g = 0; g < G.groups; ++g)
      for (std::size_t c = 0; c < group_in; ++c)
        for (std::size_t o = g * group_out; o < (g + 1) * group_out; ++o)
          f(p * co + o, q * ci + g * group_in + c, (tap * group_in + c) * co + o);
  });
}

// The three convolutions by plain loops: y += x·k, x += y·k or k += x·y over
// every term. Out of line at run time, one function per layer shape.
enum class conv_role { forward, transpose, kernel_gradient };
template <window2d G, conv_role Role, class T>
TYPEGRAD_ALWAYS_INLINE constexpr void conv_by_terms(T* out, std::size_t size, const T* a, const T* b) {
  for (std::size_t i = 0; i < size; ++i) out[i] = 0;
  for_each_conv_term<G>([&](std::size_t y, std::size_t i, std::size_t k) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    if constexpr (Role == conv_role::forward)
      out[y] += a[i] * b[k];
    else if constexpr (Role == conv_role::transpose)
      out[i] += a[y] * b[k];
    else
      out[k] += a[i] * b[y];
  });
}
template <window2d G, conv_role Role, class T>
[[gnu::noinline]] void conv_by_terms_out_of_line(T* __restrict out, std::size_t size, const T* __restrict a,
                                                 const T* __restrict b) {
  conv_by_terms<G, Role>(out, size, a, b);
}
// Grouped convolutions run on the terms (a group's product is too small for
// the tiled route), as do constant expressions.
template <window2d G, conv_role Role, class Out, class A, class B>
TYPEGRAD_ALWAYS_INLINE constexpr bool run_by_terms(Out& out, const A& a, const B& b) {
  if (std::is_constant_evaluated())
    conv_by_terms<G, Role>(out.data(), Out::size, a.data(), b.data());
  else if constexpr (G.groups != 1)
    conv_by_terms_out_of_line<G, Role>(out.data(), Out::size, a.data(), b.data());
  else
    return false;
  return true;
}

// y[b,oh,ow,co] = Σ x[b,ih,iw,ci] w[kh,kw,ci,co]: x [B,H,W,Ci], w [KH,KW,Ci,Co].
template <window2d G, class Out, class X, class W>
TYPEGRAD_ALWAYS_INLINE constexpr void conv2d(Out& out, const X& x, const W& w) {
  if (!run_by_terms<G, conv_role::forward>(out, x, w))
    conv2d_by_product<one_image(G)>(out.data(), x.data(), w.data(), G.batch);
}

// The input's gradient, a transposed convolution:
// dx[b,ih,iw,ci] = Σ u[b,oh,ow,co] w[kh,kw,ci,co] over the windows holding it.
template <window2d G, class Out, class U, class W>
TYPEGRAD_ALWAYS_INLINE constexpr void conv2d_transpose(Out& out, const U& u, const W& w) {
  if (!run_by_terms<G, conv_role::transpose>(out, u, w))
    conv2d_transpose_by_product<one_image(G)>(out.data(), u.data(), w.data(), G.batch);
}

// The kernel's gradient, input patches against the output's gradient:
// dw[kh,kw,ci,co] = Σ x[b,ih,iw,ci] u[b,oh,ow,co] over the batch and positions.
template <window2d G, class Out, class X, class U>
TYPEGRAD_ALWAYS_INLINE constexpr void conv2d_kernel_gradient(Out& out, const X& x, const U& u) {
  if (!run_by_terms<G, conv_role::kernel_gradient>(out, x, u))
    conv2d_kernel_gradient_by_product<one_image(G)>(out.data(), x.data(), u.data(), G.batch);
}

// Max pooling's choice, a window at a time: f(p, best, chosen) for every
// output pixel p, with best[c] the largest element of channel c in its window
// and chosen[c] its index into x, the first in (kh, kw) order on ties. The
// channels are compared side by side (branch-free selects, which vectorise).
template <window2d G, class X, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_window_max(const X& x, F f) {
  using T = typename X::value_type;
  using index = std::conditional_t<(X::size <= 0xffffffffu), std::uint32_t, std::size_t>;
  constexpr std::size_t channels = G.channels_in;
  const T* in = x.data();
  for_each_window<G>([&](std::size_t p, auto taps) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    T best[channels]{};
    index chosen[channels]{};
    bool started = false;
    taps([&](std::size_t pixel, std::size_t) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
      const std::size_t q = pixel * channels;
      for (std::size_t c = 0; c < channels; ++c) {
        const T v = in[q + c];
        const bool greater = !started || v > best[c];
        best[c] = greater ? v : best[c];
        chosen[c] = greater ? index(q + c) : chosen[c];
      }
      started = true;
    });
    f(p, best, chosen);
  });
}

// Average pooling over the pixels of each window inside the image (padding
// is not counted, as TensorFlow's and PyTorch's count_include_pad=False):
// f(p, q, weight) for every output pixel p and every image pixel q of its
// window, weight = 1 / the number of those pixels.
template <window2d G, class T, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_window_share(F f) {
  for_each_window<G>([&](std::size_t p, auto taps) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    std::size_t inside = 0;
    taps([&](std::size_t, std::size_t) TYPEGRAD_ALWAYS_INLINE_LAMBDA { ++inside; });
    const T weight = T(1) / T(inside);
    taps([&](std::size_t q, std::size_t) TYPEGRAD_ALWAYS_INLINE_LAMBDA { f(p, q, weight); });
  });
}

}  // namespace typegrad::kernels

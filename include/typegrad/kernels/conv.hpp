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
struct window2d {
  window_axis h, w;
  std::size_t batch = 1, channels_in = 1, channels_out = 1;
};

// f(y, x, k) for every output pixel y (its index among B·OH·OW) and every tap
// of its window inside the image: x the input pixel (among B·H·W) and k the
// tap (among KH·KW).
template <window2d G, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_tap(F f) {
  for (std::size_t b = 0; b < G.batch; ++b)
    for (std::size_t oh = 0; oh < G.h.out; ++oh)
      for (std::size_t ow = 0; ow < G.w.out; ++ow) {
        const std::size_t y = (b * G.h.out + oh) * G.w.out + ow;
        for (std::size_t kh = 0; kh < G.h.kernel; ++kh) {
          const std::ptrdiff_t ih = G.h.pixel(oh, kh);
          if (ih < 0) continue;
          for (std::size_t kw = 0; kw < G.w.kernel; ++kw) {
            const std::ptrdiff_t iw = G.w.pixel(ow, kw);
            if (iw < 0) continue;
            f(y, (b * G.h.in + std::size_t(ih)) * G.w.in + std::size_t(iw), kh * G.w.kernel + kw);
          }
        }
      }
}

// ---- the product route -------------------------------------------------------------
// Patch buffers stay within this many bytes (about L1 and L2's share).
inline constexpr std::size_t patch_bytes = 64 * 1024;

template <window2d G, class T>
struct patch_blocks {
  static constexpr std::size_t depth = G.h.kernel * G.w.kernel * G.channels_in;  // a patch's length
  static constexpr std::size_t pixels = G.batch * G.h.out * G.w.out;
  static constexpr std::size_t fit = patch_bytes / (depth * sizeof(T));
  static constexpr std::size_t most = fit < 1 ? 1 : (fit > 64 ? 64 : fit);
  static constexpr std::size_t rows = most < pixels ? most : pixels;
  static constexpr std::size_t whole = pixels / rows * rows;
};

// f.template operator()<Rows>(first) for the blocks of output pixels in order.
template <window2d G, class T, class F>
TYPEGRAD_ALWAYS_INLINE inline void for_each_block(F f) {
  using plan = patch_blocks<G, T>;
  for (std::size_t first = 0; first < plan::whole; first += plan::rows) f.template operator()<plan::rows>(first);
  if constexpr (plan::pixels > plan::whole) f.template operator()<plan::pixels - plan::whole>(plan::whole);
}

// Each tap of the patches of output pixels [first, first + Rows): f(patch
// element, image element) for the Cin channels of a tap inside the image,
// padding(patch element) for one in the padding.
template <window2d G, std::size_t Rows, class F, class Pad>
TYPEGRAD_ALWAYS_INLINE inline void for_each_patch_tap(std::size_t first, F f, Pad padding) {
  constexpr std::size_t per_image = G.h.out * G.w.out, ci = G.channels_in;
  constexpr std::size_t depth = G.h.kernel * G.w.kernel * ci;
  for (std::size_t r = 0; r < Rows; ++r) {
    const std::size_t p = first + r, b = p / per_image, oh = p % per_image / G.w.out, ow = p % G.w.out;
    for (std::size_t kh = 0; kh < G.h.kernel; ++kh) {
      const std::ptrdiff_t ih = G.h.pixel(oh, kh);
      for (std::size_t kw = 0; kw < G.w.kernel; ++kw) {
        const std::ptrdiff_t iw = G.w.pixel(ow, kw);
        const std::size_t at = r * depth + (kh * G.w.kernel + kw) * ci;
        if (ih < 0 || iw < 0)
          padding(at);
        else
          f(at, ((b * G.h.in + std::size_t(ih)) * G.w.in + std::size_t(iw)) * ci);
      }
    }
  }
}
template <window2d G, std::size_t Rows, class T>
TYPEGRAD_ALWAYS_INLINE inline void pack_patches(T* __restrict patches, const T* __restrict x, std::size_t first) {
  for_each_patch_tap<G, Rows>(
      first, [&](std::size_t at, std::size_t from) { std::copy_n(x + from, G.channels_in, patches + at); },
      [&](std::size_t at) { std::fill_n(patches + at, G.channels_in, T(0)); });
}
template <window2d G, std::size_t Rows, class T>
TYPEGRAD_ALWAYS_INLINE inline void add_patches(T* __restrict dx, const T* __restrict patches, std::size_t first) {
  for_each_patch_tap<G, Rows>(
      first,
      [&](std::size_t at, std::size_t to) {
        for (std::size_t c = 0; c < G.channels_in; ++c) dx[to + c] += patches[at + c];
      },
      [](std::size_t) {});
}

// Out of line, one function per layer shape and scalar: a convolution is
// thousands of multiply-adds, and the program's one body stays small.
template <window2d G, class T>
[[gnu::noinline]] void conv2d_by_product(T* __restrict y, const T* __restrict x, const T* __restrict w) {
  using plan = patch_blocks<G, T>;
  alignas(simd::bytes) T patches[plan::rows * plan::depth];
  for_each_block<G, T>([&]<std::size_t Rows>(std::size_t first) {
    pack_patches<G, Rows>(patches, x, first);
    matmul_simd<false, false, T, Rows, G.channels_out, plan::depth>(y + first * G.channels_out, patches, w);
  });
}
template <window2d G, class T>
[[gnu::noinline]] void conv2d_transpose_by_product(T* __restrict dx, const T* __restrict u, const T* __restrict w) {
  using plan = patch_blocks<G, T>;
  alignas(simd::bytes) T patches[plan::rows * plan::depth];
  std::fill_n(dx, G.batch * G.h.in * G.w.in * G.channels_in, T(0));
  for_each_block<G, T>([&]<std::size_t Rows>(std::size_t first) {
    matmul_simd<false, true, T, Rows, plan::depth, G.channels_out>(patches, u + first * G.channels_out, w);
    add_patches<G, Rows>(dx, patches, first);
  });
}
template <window2d G, class T>
[[gnu::noinline]] void conv2d_kernel_gradient_by_product(T* __restrict dw, const T* __restrict x, const T* __restrict u) {
  using plan = patch_blocks<G, T>;
  alignas(simd::bytes) T patches[plan::rows * plan::depth];
  for_each_block<G, T>([&]<std::size_t Rows>(std::size_t first) {
    pack_patches<G, Rows>(patches, x, first);
    const T* block = patches;
    auto patch_at = [block, first](std::size_t i, std::size_t p) { return block[(p - first) * plan::depth + i]; };
    matmul_stretch<T, plan::depth, G.channels_out>(dw, patch_at, u + first * G.channels_out, first, first + Rows);
  });
}

// y[b,oh,ow,co] = Σ x[b,ih,iw,ci] w[kh,kw,ci,co]: x [B,H,W,Ci], w [KH,KW,Ci,Co].
template <window2d G, class Out, class X, class W>
TYPEGRAD_ALWAYS_INLINE constexpr void conv2d(Out& out, const X& x, const W& w) {
  if (!std::is_constant_evaluated()) return conv2d_by_product<G>(out.data(), x.data(), w.data());
  constexpr std::size_t ci = G.channels_in, co = G.channels_out;
  auto* __restrict y = out.data();
  const auto* __restrict in = x.data();
  const auto* __restrict k = w.data();
  for (std::size_t i = 0; i < Out::size; ++i) y[i] = 0;
  for_each_tap<G>([&](std::size_t p, std::size_t q, std::size_t tap) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    for (std::size_t c = 0; c < ci; ++c) {
      const auto v = in[q * ci + c];
      for (std::size_t o = 0; o < co; ++o) y[p * co + o] += v * k[(tap * ci + c) * co + o];
    }
  });
}

// The input's gradient, a transposed convolution:
// dx[b,ih,iw,ci] = Σ u[b,oh,ow,co] w[kh,kw,ci,co] over the windows holding it.
template <window2d G, class Out, class U, class W>
TYPEGRAD_ALWAYS_INLINE constexpr void conv2d_transpose(Out& out, const U& u, const W& w) {
  if (!std::is_constant_evaluated()) return conv2d_transpose_by_product<G>(out.data(), u.data(), w.data());
  constexpr std::size_t ci = G.channels_in, co = G.channels_out;
  auto* __restrict dx = out.data();
  const auto* __restrict g = u.data();
  const auto* __restrict k = w.data();
  for (std::size_t i = 0; i < Out::size; ++i) dx[i] = 0;
  for_each_tap<G>([&](std::size_t p, std::size_t q, std::size_t tap) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    for (std::size_t c = 0; c < ci; ++c) {
      typename Out::value_type acc{};
      for (std::size_t o = 0; o < co; ++o) acc += g[p * co + o] * k[(tap * ci + c) * co + o];
      dx[q * ci + c] += acc;
    }
  });
}

// The kernel's gradient, input patches against the output's gradient:
// dw[kh,kw,ci,co] = Σ x[b,ih,iw,ci] u[b,oh,ow,co] over the batch and positions.
template <window2d G, class Out, class X, class U>
TYPEGRAD_ALWAYS_INLINE constexpr void conv2d_kernel_gradient(Out& out, const X& x, const U& u) {
  if (!std::is_constant_evaluated()) return conv2d_kernel_gradient_by_product<G>(out.data(), x.data(), u.data());
  constexpr std::size_t ci = G.channels_in, co = G.channels_out;
  auto* __restrict dw = out.data();
  const auto* __restrict in = x.data();
  const auto* __restrict g = u.data();
  for (std::size_t i = 0; i < Out::size; ++i) dw[i] = 0;
  for_each_tap<G>([&](std::size_t p, std::size_t q, std::size_t tap) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    for (std::size_t c = 0; c < ci; ++c) {
      const auto v = in[q * ci + c];
      for (std::size_t o = 0; o < co; ++o) dw[(tap * ci + c) * co + o] += v * g[p * co + o];
    }
  });
}

// Max pooling's choice: for output pixel p and channel c, the index into x of
// the largest element of the window, the first in (kh, kw) order on ties.
// f(output index, chosen x index) for every output element.
template <window2d G, class X, class F>
TYPEGRAD_ALWAYS_INLINE constexpr void for_each_window_max(const X& x, F f) {
  constexpr std::size_t channels = G.channels_in;
  constexpr std::size_t outputs = G.batch * G.h.out * G.w.out;
  std::size_t chosen[channels]{};
  std::size_t current = outputs;  // the output pixel whose window is being scanned
  auto finish = [&] {
    for (std::size_t c = 0; c < channels; ++c) f(current * channels + c, chosen[c]);
  };
  for_each_tap<G>([&](std::size_t p, std::size_t q, std::size_t) TYPEGRAD_ALWAYS_INLINE_LAMBDA {
    if (p != current) {
      if (current != outputs) finish();
      current = p;
      for (std::size_t c = 0; c < channels; ++c) chosen[c] = q * channels + c;
      return;
    }
    for (std::size_t c = 0; c < channels; ++c)
      if (x[q * channels + c] > x[chosen[c]]) chosen[c] = q * channels + c;
  });
  if (current != outputs) finish();
}

}  // namespace typegrad::kernels

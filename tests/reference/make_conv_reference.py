#!/usr/bin/python3
"""Reference values for typegrad's convolutions and pooling, computed in
float64 by a numpy implementation written for the tests, independent of
typegrad's kernels.

How they are made:
- the image is zero-padded with np.pad; conv2d is then a sum over the
  kernel's taps of strided, dilated slices of the padded image, each
  contracted with the tap's [Cin, Cout] matrix by np.einsum;
- for L = sum(conv2d(x, w) * R), dL/dw is the einsum of each tap's slice with
  R, and dL/dx the adjoint: R contracted with each tap's matrix, added back
  into the padded image at the slice's positions, then cropped;
- max pooling takes the largest of each window (padding never chosen) by
  scanning its taps in row-major order with a strict >, so the first of
  equals wins; dL/dx of sum(max_pool2d(x) * R) adds R at each chosen place;
- average pooling divides each window's sum by the number of its pixels
  inside the image (padding not counted), and dL/dx adds R times that share
  to each of them;
- grouped convolution runs each group's channels through the same conv and
  joins the results; depthwise convolution is TensorFlow's rule written out
  (y[..., c*M + m] = sum of x[..., c] w[kh, kw, c, m]); conv1d is its own
  loop over taps of a padded [B, T, C] sequence.
'same' padding is TensorFlow's: ceil(in / stride) outputs, the odd pixel of
padding after. Inputs come from numpy's default_rng with a fixed seed.

Run (Debian's numpy is for /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_conv_reference.py > tests/reference/conv_reference.hpp
"""
import numpy as np

rng = np.random.default_rng(15)


def place(n, k, s, d, pad):
    span = (k - 1) * d + 1
    if pad == "same":
        out = -(-n // s)
        total = max((out - 1) * s + span - n, 0)
        before, after = total // 2, total - total // 2
    elif pad == "valid":
        before = after = 0
    else:
        before, after = pad
    return before, after, (n + before + after - span) // s + 1


def conv(x, w, stride, dilation, pad):
    B, H, W, Ci = x.shape
    KH, KW, _, Co = w.shape
    th, bh, OH = place(H, KH, stride[0], dilation[0], pad if isinstance(pad, str) else pad[:2])
    tw, bw, OW = place(W, KW, stride[1], dilation[1], pad if isinstance(pad, str) else pad[2:])
    xp = np.pad(x, ((0, 0), (th, bh), (tw, bw), (0, 0)))
    taps = []
    for kh in range(KH):
        for kw in range(KW):
            h0, w0 = kh * dilation[0], kw * dilation[1]
            rows = slice(h0, h0 + (OH - 1) * stride[0] + 1, stride[0])
            cols = slice(w0, w0 + (OW - 1) * stride[1] + 1, stride[1])
            taps.append((kh, kw, rows, cols))
    y = np.zeros((B, OH, OW, Co))
    for kh, kw, rows, cols in taps:
        y += np.einsum("bhwc,cd->bhwd", xp[:, rows, cols, :], w[kh, kw])
    return y, xp, taps, (th, tw)


def conv_grads(x, w, R, stride, dilation, pad):
    y, xp, taps, (th, tw) = conv(x, w, stride, dilation, pad)
    dw = np.zeros_like(w)
    dxp = np.zeros_like(xp)
    for kh, kw, rows, cols in taps:
        dw[kh, kw] = np.einsum("bhwc,bhwd->cd", xp[:, rows, cols, :], R)
        dxp[:, rows, cols, :] += np.einsum("bhwd,cd->bhwc", R, w[kh, kw])
    H, W = x.shape[1], x.shape[2]
    return y, dxp[:, th:th + H, tw:tw + W, :], dw


def grouped_conv_grads(x, w, R, stride, dilation, pad, groups):
    """Each group's channels on their own through conv_grads, joined back."""
    gi, go = x.shape[3] // groups, w.shape[3] // groups
    parts = [conv_grads(x[..., g * gi:(g + 1) * gi], w[..., g * go:(g + 1) * go], R[..., g * go:(g + 1) * go],
                        stride, dilation, pad) for g in range(groups)]
    return tuple(np.concatenate([part[i] for part in parts], axis=3) for i in range(3))


def depthwise_grads(x, w, R, pad):
    """TensorFlow's depthwise rule, y[..., c*M + m] = sum x[..., c] w[kh, kw, c, m],
    at stride 1, each tap an einsum of a shifted slice."""
    B, H, W, C = x.shape
    KH, KW, _, M = w.shape
    th, bh, OH = place(H, KH, 1, 1, pad)
    tw, bw, OW = place(W, KW, 1, 1, pad)
    xp = np.pad(x, ((0, 0), (th, bh), (tw, bw), (0, 0)))
    Rm = R.reshape(B, OH, OW, C, M)
    y = np.zeros((B, OH, OW, C, M))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for kh in range(KH):
        for kw in range(KW):
            patch = xp[:, kh:kh + OH, kw:kw + OW, :]
            y += np.einsum("bhwc,cm->bhwcm", patch, w[kh, kw])
            dw[kh, kw] = np.einsum("bhwc,bhwcm->cm", patch, Rm)
            dxp[:, kh:kh + OH, kw:kw + OW, :] += np.einsum("bhwcm,cm->bhwc", Rm, w[kh, kw])
    return y.reshape(B, OH, OW, C * M), dxp[:, th:th + H, tw:tw + W, :], dw


def conv1d_grads(x, w, R, stride, dilation, pad):
    """A 1-D convolution over [B, T, C] by its own loop over taps."""
    B, T, Ci = x.shape
    K, _, Co = w.shape
    before, after, OT = place(T, K, stride, dilation, pad)
    xp = np.pad(x, ((0, 0), (before, after), (0, 0)))
    y, dxp, dw = np.zeros((B, OT, Co)), np.zeros_like(xp), np.zeros_like(w)
    for k in range(K):
        at = slice(k * dilation, k * dilation + (OT - 1) * stride + 1, stride)
        y += xp[:, at, :] @ w[k]
        dw[k] = np.einsum("btc,btd->cd", xp[:, at, :], R)
        dxp[:, at, :] += R @ w[k].T
    return y, dxp[:, before:before + T, :], dw


def max_pool(x, window, stride, pad, R):
    B, H, W, C = x.shape
    th, bh, OH = place(H, window[0], stride[0], 1, pad if isinstance(pad, str) else pad[:2])
    tw, bw, OW = place(W, window[1], stride[1], 1, pad if isinstance(pad, str) else pad[2:])
    y = np.zeros((B, OH, OW, C))
    dx = np.zeros_like(x)
    for b in range(B):
        for oh in range(OH):
            for ow in range(OW):
                for c in range(C):
                    best = None
                    for kh in range(window[0]):
                        for kw in range(window[1]):
                            ih, iw = oh * stride[0] + kh - th, ow * stride[1] + kw - tw
                            if 0 <= ih < H and 0 <= iw < W and (best is None or x[b, ih, iw, c] > x[best]):
                                best = (b, ih, iw, c)
                    y[b, oh, ow, c] = x[best]
                    dx[best] += R[b, oh, ow, c]
    return y, dx


def avg_pool(x, window, stride, pad, R):
    B, H, W, C = x.shape
    th, bh, OH = place(H, window[0], stride[0], 1, pad if isinstance(pad, str) else pad[:2])
    tw, bw, OW = place(W, window[1], stride[1], 1, pad if isinstance(pad, str) else pad[2:])
    y = np.zeros((B, OH, OW, C))
    dx = np.zeros_like(x)
    for oh in range(OH):
        for ow in range(OW):
            rows = [oh * stride[0] + kh - th for kh in range(window[0]) if 0 <= oh * stride[0] + kh - th < H]
            cols = [ow * stride[1] + kw - tw for kw in range(window[1]) if 0 <= ow * stride[1] + kw - tw < W]
            inside = x[:, rows][:, :, cols]
            y[:, oh, ow, :] = inside.sum(axis=(1, 2)) / (len(rows) * len(cols))
            for ih in rows:
                for iw in cols:
                    dx[:, ih, iw, :] += R[:, oh, ow, :] / (len(rows) * len(cols))
    return y, dx


def emit(name, a):
    body = ", ".join(repr(float(v)) for v in np.asarray(a).reshape(-1))
    print(f"inline constexpr double {name}[] = {{{body}}};")


print("// Made by tests/reference/make_conv_reference.py with numpy " + np.__version__ + "; do not edit.")
print("#pragma once")
print("namespace conv_reference {")
# Each case: (name, x shape, w shape, stride, dilation, padding); test_spatial.cpp
# declares the same cases, in this order.
conv_cases = [
    ("valid", (2, 5, 6, 2), (3, 3, 2, 3), (1, 1), (1, 1), "valid"),
    ("same_stride2", (2, 7, 6, 3), (3, 2, 3, 2), (2, 2), (1, 1), "same"),
    ("dilated", (1, 7, 7, 2), (3, 3, 2, 2), (1, 2), (2, 2), (1, 2, 0, 1)),
    ("strided_dilated_same", (2, 6, 5, 1), (2, 3, 1, 4), (2, 1), (2, 1), "same"),
]
for name, xs, ws, stride, dilation, pad in conv_cases:
    x, w = rng.uniform(-1, 1, xs), rng.uniform(-1, 1, ws)
    y, _, _, _ = conv(x, w, stride, dilation, pad)
    R = rng.uniform(-1, 1, y.shape)
    y, dx, dw = conv_grads(x, w, R, stride, dilation, pad)
    for part, a in [("x", x), ("w", w), ("r", R), ("y", y), ("dx", dx), ("dw", dw)]:
        emit(f"{name}_{part}", a)
pool_cases = [
    ("pool2", (2, 4, 6, 3), (2, 2), (2, 2), "valid"),
    ("pool3_stride2_same", (1, 7, 5, 2), (3, 3), (2, 2), "same"),
]
for name, xs, window, stride, pad in pool_cases:
    x = rng.uniform(-1, 1, xs)
    x[0, 0, 1, 0] = x[0, 0, 0, 0]  # a tie in the first window: the first element is chosen
    OH = place(xs[1], window[0], stride[0], 1, pad)[2]
    OW = place(xs[2], window[1], stride[1], 1, pad)[2]
    R = rng.uniform(-1, 1, (xs[0], OH, OW, xs[3]))
    y, dx = max_pool(x, window, stride, pad, R)
    for part, a in [("x", x), ("r", R), ("y", y), ("dx", dx)]:
        emit(f"{name}_{part}", a)
avg_cases = [
    ("avg3_stride2_same", (2, 7, 5, 3), (3, 3), (2, 2), "same"),
    ("avg_global", (2, 4, 3, 2), (4, 3), (4, 3), "valid"),
]
for name, xs, window, stride, pad in avg_cases:
    x = rng.uniform(-1, 1, xs)
    OH = place(xs[1], window[0], stride[0], 1, pad)[2]
    OW = place(xs[2], window[1], stride[1], 1, pad)[2]
    R = rng.uniform(-1, 1, (xs[0], OH, OW, xs[3]))
    y, dx = avg_pool(x, window, stride, pad, R)
    for part, a in [("x", x), ("r", R), ("y", y), ("dx", dx)]:
        emit(f"{name}_{part}", a)
# Grouped, depthwise and 1-D convolutions: (name, x shape, w shape, ...).
grouped_cases = [("grouped", (2, 5, 4, 4), (3, 2, 2, 6), (1, 2), (2, 1), (1, 1, 0, 1), 2)]
for name, xs, ws, stride, dilation, pad, groups in grouped_cases:
    x, w = rng.uniform(-1, 1, xs), rng.uniform(-1, 1, ws)
    OH = place(xs[1], ws[0], stride[0], dilation[0], pad[:2])[2]
    OW = place(xs[2], ws[1], stride[1], dilation[1], pad[2:])[2]
    R = rng.uniform(-1, 1, (xs[0], OH, OW, ws[3]))
    y, dx, dw = grouped_conv_grads(x, w, R, stride, dilation, pad, groups)
    for part, a in [("x", x), ("w", w), ("r", R), ("y", y), ("dx", dx), ("dw", dw)]:
        emit(f"{name}_{part}", a)
depthwise_cases = [("depthwise", (2, 5, 6, 3), (3, 3, 3, 2), "same")]
for name, xs, ws, pad in depthwise_cases:
    x, w = rng.uniform(-1, 1, xs), rng.uniform(-1, 1, ws)
    OH, OW = place(xs[1], ws[0], 1, 1, pad)[2], place(xs[2], ws[1], 1, 1, pad)[2]
    R = rng.uniform(-1, 1, (xs[0], OH, OW, xs[3] * ws[3]))
    y, dx, dw = depthwise_grads(x, w, R, pad)
    for part, a in [("x", x), ("w", w), ("r", R), ("y", y), ("dx", dx), ("dw", dw)]:
        emit(f"{name}_{part}", a)
conv1d_cases = [("conv1d", (2, 11, 3), (3, 3, 4), 2, 2, (2, 1))]
for name, xs, ws, stride, dilation, pad in conv1d_cases:
    x, w = rng.uniform(-1, 1, xs), rng.uniform(-1, 1, ws)
    R = rng.uniform(-1, 1, (xs[0], place(xs[1], ws[0], stride, dilation, pad)[2], ws[2]))
    y, dx, dw = conv1d_grads(x, w, R, stride, dilation, pad)
    for part, a in [("x", x), ("w", w), ("r", R), ("y", y), ("dx", dx), ("dw", dw)]:
        emit(f"{name}_{part}", a)
print("}  // namespace conv_reference")

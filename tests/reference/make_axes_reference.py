#!/usr/bin/python3
"""Reference values for typegrad's ops along axes (sum, mean and max over an
axis list, slice, concat, and broadcasting along axes of extent 1), computed in float64 with numpy, independent of
typegrad's kernels.

How they are made, for L = sum(op(x) * R) with R random:
- sum and mean are x.sum(axis=A) and x.mean(axis=A); dL/dx is R with the
  reduced axes put back as size 1 (np.expand_dims), broadcast to x's shape
  (divided by the count of reduced elements for mean);
- max is x.max(axis=A); its derivative goes to the first largest element of
  each reduced group in row-major order: the reduced axes are moved last
  and flattened, np.argmax (which takes the first of equals) picks it, and
  np.put_along_axis places R there;
- slice is x[..., b:e, ...] along the axis, and its gradient R placed into
  zeros at the same indices; concat is np.concatenate, and each operand's
  gradient the matching slice of R;
- numpy's own broadcasting gives x * s + t for s and t with axes of extent 1
  among others, and each operand's gradient is R (times the other factor)
  summed over the axes it repeats along, keepdims.
Inputs come from numpy's default_rng with a fixed seed; the max case holds
ties, so that the first-of-equals rule is checked.

Run (Debian's numpy is for /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_axes_reference.py > tests/reference/axes_reference.hpp
"""
import numpy as np

rng = np.random.default_rng(18)


def emit(name, a):
    body = ", ".join(repr(float(v)) for v in np.asarray(a).reshape(-1))
    print(f"inline constexpr double {name}[] = {{{body}}};")


def max_grad(x, axes, R):
    kept = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, kept + list(axes))
    flat = moved.reshape(moved.shape[:len(kept)] + (-1,))
    first = np.argmax(flat, axis=-1)
    grad = np.zeros_like(flat)
    np.put_along_axis(grad, first[..., None], R[..., None], axis=-1)
    grad = grad.reshape(moved.shape)
    return np.transpose(grad, np.argsort(kept + list(axes)))


print("// Made by tests/reference/make_axes_reference.py with numpy " + np.__version__ + "; do not edit.")
print("#pragma once")
print("namespace axes_reference {")
x = rng.uniform(-1, 1, (2, 3, 4, 5))
x[1, 2, 2, 1] = x[1, 2, 2, 3] = 1.5  # the largest of a group of max<1, 3>, twice
x[0, 1, 0, 4] = x[0, 1, 3, 4] = 1.5  # and of a group of max<2>
emit("x", x)
# Each case: (name, axes); test_axes.cpp declares the same cases, in this order.
for name, axes in [("sum_1_2", (1, 2)), ("sum_0", (0,)), ("mean_0_3", (0, 3)), ("max_1_3", (1, 3)), ("max_2", (2,))]:
    kind = name.split("_")[0]
    y = {"sum": x.sum, "mean": x.mean, "max": x.max}[kind](axis=axes)
    R = rng.uniform(-1, 1, y.shape)
    if kind == "max":
        dx = max_grad(x, axes, R)
    else:
        dx = np.broadcast_to(np.expand_dims(R, axes), x.shape) / (1 if kind == "sum" else np.prod([x.shape[a] for a in axes]))
    for part, a in [("r", R), ("y", y), ("dx", dx)]:
        emit(f"{name}_{part}", a)
# slice<2, 1, 3>(x) and concat<1>(x, z, x[:, 1:2]) with z [2, 2, 4, 5].
R = rng.uniform(-1, 1, (2, 3, 2, 5))
dx = np.zeros_like(x)
dx[:, :, 1:3, :] = R
for part, a in [("r", R), ("y", x[:, :, 1:3, :]), ("dx", dx)]:
    emit(f"slice_{part}", a)
z = rng.uniform(-1, 1, (2, 2, 4, 5))
y = np.concatenate([x, z, x[:, 1:2]], axis=1)
R = rng.uniform(-1, 1, y.shape)
dx = R[:, 0:3].copy()
dx[:, 1:2] += R[:, 5:6]
for part, a in [("z", z), ("r", R), ("y", y), ("dx", dx), ("dz", R[:, 3:5])]:
    emit(f"concat_{part}", a)
# numpy broadcasting with axes of extent 1 among others: y = x * s + t with
# s [2, 1, 1, 5] and t [3, 1, 1]; each gradient sums over the axes its
# operand repeats along.
s = rng.uniform(-1, 1, (2, 1, 1, 5))
t = rng.uniform(-1, 1, (3, 1, 1))
y = x * s + t
R = rng.uniform(-1, 1, y.shape)
for part, a in [("s", s), ("t", t), ("r", R), ("y", y), ("dx", R * s),
                ("ds", (R * x).sum(axis=(1, 2), keepdims=True)), ("dt", R.sum(axis=(0, 2, 3)).reshape(3, 1, 1))]:
    emit(f"broadcast_{part}", a)
print("}  // namespace axes_reference")

#!/usr/bin/python3
"""Reference values for typegrad's training tests, computed outside typegrad.

How they are made:
- Random numbers: mt19937_64 is written out below in plain Python from its
  definition in the C++ standard ([rand.eng.mers], with the parameters of
  [rand.predef]); the script asserts the standard's check value (the 10000th
  output of a default-seeded engine is 9981545732273789042). On top of it,
  the draws that random.hpp defines: uniform01 = (x >> 11) * 2^-53, fma done
  exactly with fractions, Box-Muller with math.log, math.sqrt and math.cos,
  rejection sampling for below(n), Fisher-Yates from the last element down.
- Optimisers: a linear model P = X W + b with the loss mean((P - Y)^2),
  its gradient written by hand in numpy (float64) and checked against central
  differences, then five steps of each optimiser by the textbook update
  rules (docs/training.md gives them), with clipping and schedules.

Run (Debian's numpy is for /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_training_reference.py > tests/reference/training_reference.hpp
"""
import math
from fractions import Fraction

import numpy as np

from blas_free import matmul

MASK = (1 << 64) - 1


class MT19937_64:
    N, M = 312, 156
    UPPER, LOWER = 0xFFFFFFFF80000000, 0x7FFFFFFF

    def __init__(self, seed):
        self.mt = [0] * self.N
        self.mt[0] = seed & MASK
        for i in range(1, self.N):
            prev = self.mt[i - 1]
            self.mt[i] = (6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK
        self.index = self.N

    def _twist(self):
        for i in range(self.N):
            x = (self.mt[i] & self.UPPER) | (self.mt[(i + 1) % self.N] & self.LOWER)
            shifted = x >> 1
            if x & 1:
                shifted ^= 0xB5026F5AA96619E9
            self.mt[i] = self.mt[(i + self.M) % self.N] ^ shifted
        self.index = 0

    def next(self):
        if self.index >= self.N:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK


def fma(a, b, c):
    return float(Fraction(a) * Fraction(b) + Fraction(c))  # one rounding


class Engine:
    def __init__(self, seed):
        self.bits = MT19937_64(seed)

    def uniform01(self):
        return (self.bits.next() >> 11) * 2.0 ** -53

    def uniform(self, lo, hi):
        return fma(hi - lo, self.uniform01(), lo)

    def standard_normal(self):
        u1 = 1.0 - self.uniform01()
        u2 = self.uniform01()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586476925286766559 * u2)

    def normal(self, mean, stddev):
        return fma(stddev, self.standard_normal(), mean)

    def below(self, n):
        limit = MASK - MASK % n
        x = self.bits.next()
        while x >= limit:
            x = self.bits.next()
        return x % n

    def shuffle(self, items):
        for i in range(len(items), 1, -1):
            j = self.below(i)
            items[i - 1], items[j] = items[j], items[i - 1]


def check_standard_value():
    e = MT19937_64(5489)
    for _ in range(9999):
        e.next()
    assert e.next() == 9981545732273789042


# ---- optimisers ------------------------------------------------------------------

def loss_and_grads(W, b, X, Y):
    P = matmul(X, W) + b
    n = P.size
    loss = np.mean((P - Y) ** 2)
    dP = 2 * (P - Y) / n
    return loss, matmul(X.T, dP), dP.sum(axis=0)


def check_by_differences(W, b, X, Y):
    _, gW, gb = loss_and_grads(W, b, X, Y)
    h = 1e-6
    for p, g in ((W, gW), (b, gb)):
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + h
            up = loss_and_grads(W, b, X, Y)[0]
            flat[i] = keep - h
            down = loss_and_grads(W, b, X, Y)[0]
            flat[i] = keep
            assert abs((up - down) / (2 * h) - gflat[i]) < 1e-8


def clip(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    scale = max_norm / (norm + 1e-6)
    return [g * scale for g in grads] if scale < 1 else grads


def constant(rate):
    return lambda t: rate


def cosine(rate, steps, final):
    return lambda t: final if t >= steps else final + (rate - final) * 0.5 * (1 + math.cos(math.pi * t / steps))


def step_decay(rate, every, gamma):
    return lambda t: rate * gamma ** (t // every)


def warmup(steps, then):
    return lambda t: then(0) * (t + 1) / steps if t < steps else then(t - steps)


def run_sgd(W, b, X, Y, schedule, momentum=0.0, nesterov=False, weight_decay=0.0, max_norm=None, steps=5):
    params = [W.copy(), b.copy()]
    velocity = [np.zeros_like(p) for p in params]
    losses = []
    for t in range(steps):
        loss, gW, gb = loss_and_grads(params[0], params[1], X, Y)
        losses.append(loss)
        grads = [gW, gb] if max_norm is None else clip([gW, gb], max_norm)
        for p, g, v in zip(params, grads, velocity):
            d = g + weight_decay * p
            if momentum != 0:
                v[...] = momentum * v + d
                d = d + momentum * v if nesterov else v.copy()
            p -= schedule(t) * d
    return params, losses


def run_adam(W, b, X, Y, rate, decoupled, weight_decay=0.0, beta1=0.9, beta2=0.999, eps=1e-8, max_norm=None,
             steps=5):
    params = [W.copy(), b.copy()]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    losses = []
    for t in range(1, steps + 1):
        loss, gW, gb = loss_and_grads(params[0], params[1], X, Y)
        losses.append(loss)
        grads = [gW, gb] if max_norm is None else clip([gW, gb], max_norm)
        for p, g, mi, vi in zip(params, grads, m, v):
            if decoupled:
                p *= 1 - rate * weight_decay
            else:
                g = g + weight_decay * p
            mi[...] = beta1 * mi + (1 - beta1) * g
            vi[...] = beta2 * vi + (1 - beta2) * g * g
            p -= (rate / (1 - beta1 ** t)) * mi / (np.sqrt(vi) / math.sqrt(1 - beta2 ** t) + eps)
    return params, losses


def cpp_array(name, values):
    flat = ", ".join(repr(float(v)) for v in np.asarray(values, dtype=float).reshape(-1))
    return f"inline constexpr double {name}[] = {{{flat}}};"


def cpp_integers(name, values):
    return f"inline constexpr unsigned long long {name}[] = {{{', '.join(f'{v}ull' for v in values)}}};"


def main():
    check_standard_value()
    out = ["// Generated by tests/reference/make_training_reference.py; do not edit.",
           "#pragma once", "", "namespace reference::training {", ""]

    e = Engine(42)
    out.append(cpp_integers("raw_seed42", [e.bits.next() for _ in range(4)]))
    e = Engine(42)
    out.append(cpp_array("uniform01_seed42", [e.uniform01() for _ in range(4)]))
    e = Engine(7)
    out.append(cpp_array("normal_1_2_seed7", [e.normal(1.0, 2.0) for _ in range(5)]))
    e = Engine(3)
    out.append(cpp_integers("below10_seed3", [e.below(10) for _ in range(8)]))
    e = Engine(11)
    order = list(range(10))
    e.shuffle(order)
    out.append(cpp_integers("shuffle10_seed11", order))
    # Initialisers on a [3, 4] matrix (fan_in 3, fan_out 4), seed 5 each.
    inits = {
        "uniform": lambda e: [e.uniform(-0.5, 0.25) for _ in range(12)],
        "normal": lambda e: [e.normal(0.0, 0.1) for _ in range(12)],
        "xavier_uniform": lambda e: [e.uniform(-math.sqrt(6 / 7), math.sqrt(6 / 7)) for _ in range(12)],
        "xavier_normal": lambda e: [e.normal(0.0, math.sqrt(2 / 7)) for _ in range(12)],
        "he_uniform": lambda e: [e.uniform(-math.sqrt(6 / 3), math.sqrt(6 / 3)) for _ in range(12)],
        "he_normal": lambda e: [e.normal(0.0, math.sqrt(2 / 3)) for _ in range(12)],
    }
    for name, draw in inits.items():
        out.append(cpp_array(f"init_{name}_3x4_seed5", draw(Engine(5))))
    out.append("")

    rng = np.random.default_rng(2024)
    X = rng.uniform(-1, 1, (4, 3))
    Y = rng.uniform(-1, 1, (4, 2))
    W = rng.uniform(-0.5, 0.5, (3, 2))
    b = rng.uniform(-0.5, 0.5, 2)
    check_by_differences(W.copy(), b.copy(), X, Y)
    out += [cpp_array("X", X), cpp_array("Y", Y), cpp_array("W0", W), cpp_array("b0", b), ""]

    runs = {
        "sgd": run_sgd(W, b, X, Y, constant(0.1)),
        "sgd_momentum_decay": run_sgd(W, b, X, Y, constant(0.1), momentum=0.9, weight_decay=0.01),
        "sgd_nesterov": run_sgd(W, b, X, Y, constant(0.1), momentum=0.9, nesterov=True),
        "sgd_warmup_cosine": run_sgd(W, b, X, Y, warmup(2, cosine(0.2, 4, 0.01)), momentum=0.5),
        "sgd_step_decay": run_sgd(W, b, X, Y, step_decay(0.3, 2, 0.5)),
        "adam": run_adam(W, b, X, Y, 0.05, decoupled=False),
        "adam_l2": run_adam(W, b, X, Y, 0.05, decoupled=False, weight_decay=0.1),
        "adamw": run_adam(W, b, X, Y, 0.05, decoupled=True, weight_decay=0.1),
        # adamw with its options' weight decay unset: torch.optim.AdamW's
        # default, weight_decay=1e-2, which typegrad must apply.
        "adamw_default_decay": run_adam(W, b, X, Y, 0.05, decoupled=True, weight_decay=1e-2),
        "adam_clipped": run_adam(W, b, X, Y, 0.05, decoupled=False, max_norm=0.05),
        "sgd_clipped": run_sgd(W, b, X, Y, constant(0.5), max_norm=0.1),
    }
    for name, (params, losses) in runs.items():
        out += [cpp_array(f"{name}_W", params[0]), cpp_array(f"{name}_b", params[1]),
                cpp_array(f"{name}_losses", losses), ""]
    out.append("}  // namespace reference::training")
    print("\n".join(out))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference values for typegrad's derivatives of derivatives and L-BFGS,
computed by PyTorch (Debian's python3-torch, 1.13), in float64.

How they are made, without typegrad:
- jvp, hvp, jacobian and hessian come from torch.autograd.functional;
- u'' of a 1-4-4-1 tanh network at a few points comes from two calls of
  torch.autograd.grad with create_graph=True;
- L-BFGS runs torch.optim.LBFGS (with and without the strong-Wolfe line
  search) on a 2-4-1 tanh regression net with mse and on an L2-regularised
  logistic regression, recording the loss each step returns, the parameters
  after it and the iterations and evaluations so far.
Inputs and parameters come from numpy's default_rng with fixed seeds, so the
output is the same on every run. torch runs on one thread.

Run (Debian's numpy and torch are for /usr/bin/python3):
    /usr/bin/python3 tests/reference/make_torch_reference.py > tests/reference/torch_reference.hpp
"""
import numpy as np
import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(16)


def tensor(*shape, lo=-1.0, hi=1.0):
    return torch.tensor(rng.uniform(lo, hi, size=shape))


def emit(name, t):
    values = t.detach().reshape(-1).tolist() if torch.is_tensor(t) else list(t)
    body = ", ".join(repr(float(v)) for v in values)
    print(f"inline constexpr double {name}[] = {{{body}}};")


print("// Made by tests/reference/make_torch_reference.py with PyTorch " + torch.__version__.split("a")[0] + "; do not edit.")
print("#pragma once")
print("namespace torch_reference {")

# ---- jvp and jacobians: f(x) = tanh(A x + a), 4 -> 3, and g(x) = tanh(B x + b), 3 -> 4
A, a, x4 = tensor(3, 4), tensor(3), tensor(4)
B, b, x3 = tensor(4, 3), tensor(4), tensor(3)
v4 = tensor(4)
f = lambda x: torch.tanh(A @ x + a)
g = lambda x: torch.tanh(B @ x + b)
value, tangent = torch.autograd.functional.jvp(f, x4, v4)
for n, t in [("A", A), ("a", a), ("x4", x4), ("B", B), ("b", b), ("x3", x3), ("v4", v4)]:
    emit(n, t)
emit("jvp_value", value)
emit("jvp_tangent", tangent)
emit("jacobian_4_to_3", torch.autograd.functional.jacobian(f, x4))
emit("jacobian_3_to_4", torch.autograd.functional.jacobian(g, x3))

# ---- hvp and hessian of a softmax cross-entropy loss of a 3-4-2 tanh net, 5 rows
X, W1, b1, W2, b2 = tensor(5, 3), tensor(3, 4), tensor(4), tensor(4, 2), tensor(2)
Y = torch.nn.functional.one_hot(torch.tensor(rng.integers(0, 2, size=5)), 2).double()
V = tensor(3, 4)


def loss_of(w1, w2):
    logits = torch.tanh(X @ w1 + b1) @ w2 + b2
    return torch.mean(-(Y * torch.log_softmax(logits, dim=1)).sum(dim=1))


for n, t in [("X", X), ("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2), ("Y", Y), ("V", V)]:
    emit(n, t)
loss_value, product = torch.autograd.functional.hvp(lambda w1: loss_of(w1, W2), W1, V)
emit("hvp_loss", [loss_value])
emit("hvp_W1", product)
emit("gradient_W1", torch.autograd.functional.vjp(lambda w1: loss_of(w1, W2), W1)[1])
emit("hessian_W2", torch.autograd.functional.hessian(lambda w2: loss_of(W1, w2), W2))

# ---- u'' of a 1-4-4-1 tanh net at 5 points, with respect to the input
P1, c1, P2, c2, P3, c3 = tensor(1, 4), tensor(4), tensor(4, 4), tensor(4), tensor(4, 1), tensor(1)
points = torch.linspace(-1, 1, 5).reshape(5, 1).requires_grad_()
u = torch.tanh(torch.tanh(points @ P1 + c1) @ P2 + c2) @ P3 + c3
du = torch.autograd.grad(u.sum(), points, create_graph=True)[0]
d2u = torch.autograd.grad(du.sum(), points, create_graph=True)[0]
for n, t in [("P1", P1), ("c1", c1), ("P2", P2), ("c2", c2), ("P3", P3), ("c3", c3), ("points", points)]:
    emit(n, t)
emit("u", u)
emit("du", du)
emit("d2u", d2u)
# and the gradient of mean(u''^2) with respect to P1: a third derivative
params = [t.clone().requires_grad_() for t in (P1, c1, P2, c2, P3, c3)]
u = torch.tanh(torch.tanh(points @ params[0] + params[1]) @ params[2] + params[3]) @ params[4] + params[5]
du = torch.autograd.grad(u.sum(), points, create_graph=True)[0]
d2u = torch.autograd.grad(du.sum(), points, create_graph=True)[0]
emit("d2u_loss_grad_P1", torch.autograd.grad(torch.mean(d2u ** 2), params[0])[0])

# ---- L-BFGS on a 2-4-1 tanh regression net, mse over 8 points, and on an
# L2-regularised logistic regression (convex: it runs to the optimum, where
# the stopping rules end the steps early)
Xr, Yr = tensor(8, 2), tensor(8, 1)
start = [tensor(2, 4), tensor(4), tensor(4, 1), tensor(1)]
for n, t in [("Xr", Xr), ("Yr", Yr), ("R1", start[0]), ("r1", start[1]), ("R2", start[2]), ("r2", start[3])]:
    emit(n, t)
Xl, Yl, Vl = tensor(12, 3), torch.tensor(rng.integers(0, 2, size=(12, 1))).double(), tensor(3, 1)
for n, t in [("Xl", Xl), ("Yl", Yl), ("Vl", Vl)]:
    emit(n, t)


def regression(params):
    out = torch.tanh(Xr @ params[0] + params[1]) @ params[2] + params[3]
    return torch.mean((out - Yr) ** 2)


def logistic(params):
    z = Xl @ params[0]
    return torch.mean(torch.nn.functional.binary_cross_entropy_with_logits(z, Yl, reduction="none")) + \
        0.1 * torch.sum(params[0] ** 2)


# The tanh net is not convex: over many iterations the rounding of the dot
# products (torch's order is not typegrad's) grows, so it runs two steps
# with the line search and four without.
for label, model, begin, steps, options in [
        ("wolfe", regression, start, 2, dict(lr=1, max_iter=20, history_size=5, line_search_fn="strong_wolfe")),
        ("fixed", regression, start, 4, dict(lr=0.2, max_iter=7, history_size=3)),
        ("convex", logistic, [Vl], 4,
         dict(lr=1, max_iter=20, history_size=4, tolerance_change=1e-12, line_search_fn="strong_wolfe"))]:
    params = [t.clone().requires_grad_() for t in begin]
    optimiser = torch.optim.LBFGS(params, **options)

    def closure():
        optimiser.zero_grad()
        loss = model(params)
        loss.backward()
        return loss

    losses, after, counts = [], [], []
    for step in range(steps):
        losses.append(float(optimiser.step(closure)))
        after.append(torch.cat([p.detach().reshape(-1) for p in params]))
        state = optimiser.state[params[0]]
        counts += [state["n_iter"], state["func_evals"]]
    emit(f"lbfgs_{label}_losses", losses)
    emit(f"lbfgs_{label}_params", torch.stack(after))
    emit(f"lbfgs_{label}_counts", counts)  # iterations and evaluations so far, after each step

print("}  // namespace torch_reference")

#!/usr/bin/env python3
"""Compile cost of models whose nodes are shared: each model's whole
gradient program is instantiated and called from one function, compiled with
-O2 -c, and its time and peak memory (the compiler's resident set, from
wait4) are measured. A node used k times must cost once, not k times, so
the check is against a model with the same ops and little sharing:

  residual N      h' = h + relu(h W): every layer's output used twice
  skip N          h' = relu(h W) + h + h_prev: outputs used three times
  dense N         h' = relu(h W) + the sum of every earlier h (DenseNet-like)
  fan_out N       one relu node feeding N matrix products

Each pattern is compiled small and large (residual 2 and 8 blocks, ...).
Fails (exit 1) when the large one takes more than --max-ratio times the
small one's compile time in the same run, or when any takes more than
--max-mb of memory. Standard library only.

    python3 tests/compile_cost/shared_nodes.py [--compiler g++] [--include include]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

WIDTH, BATCH = 16, 8


def _header(layers):
    lines = ["#include <typegrad/typegrad.hpp>", "namespace tg = typegrad;",
             f'constexpr tg::input<"X", {BATCH}, {WIDTH}> X;', f'constexpr tg::input<"Y", {BATCH}, {WIDTH}> Y;']
    lines += [f'constexpr tg::param<"W{i}", {WIDTH}, {WIDTH}> W{i};' for i in range(layers)]
    return lines


def _footer(lines, top):
    lines.append(f"constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax({top}), Y));")
    lines.append("constexpr auto program = tg::grad(loss);")
    lines.append("using params_t = tg::parameters_t<float, decltype(loss)>;")
    lines.append(f"using data_t = decltype(tg::bind(X = tg::tensor<float, {BATCH}, {WIDTH}>{{}}, "
                 f"Y = tg::tensor<float, {BATCH}, {WIDTH}>{{}}));")
    lines.append("float step(const params_t& p, const data_t& d) { return program(p, d).value; }")
    return "\n".join(lines) + "\n"


def residual(n):
    lines = _header(n) + ["constexpr auto h0 = X;"]
    lines += [f"constexpr auto h{i + 1} = h{i} + tg::relu(h{i} * W{i});" for i in range(n)]
    return _footer(lines, f"h{n}")


def skip(n):
    lines = _header(n) + ["constexpr auto h0 = X;", "constexpr auto h1 = tg::relu(X * W0) + X;"]
    lines += [f"constexpr auto h{i + 1} = tg::relu(h{i} * W{i}) + h{i} + h{i - 1};" for i in range(1, n)]
    return _footer(lines, f"h{n}")


def dense(n):
    lines = _header(n) + ["constexpr auto h0 = X;"]
    for i in range(n):
        earlier = " + ".join(f"h{j}" for j in range(i + 1))
        lines.append(f"constexpr auto h{i + 1} = tg::relu(h{i} * W{i}) + {earlier};")
    return _footer(lines, f"h{n}")


def fan_out(n):
    lines = _header(n) + ["constexpr auto p = tg::relu(X * W0);"]
    top = " + ".join(f"p * W{i}" for i in range(n))
    return _footer(lines, top)


MODELS = {"residual": residual, "skip": skip, "dense": dense, "fan_out": fan_out}
# (pattern, small size, large size). Dense grows by quadratically many adds,
# so its large size keeps its node count near the others'. Skip runs to 10:
# a call looked up by argument-dependent lookup on a node type walks the
# node's subgraph as a tree, and at 8 such a walk was still under 3x (clang++
# 4.8 s against 1.6 s), while at 10 it was 98 s.
PAIRS = [("residual", 2, 8), ("skip", 2, 10), ("dense", 2, 6), ("fan_out", 2, 8)]
# (pattern, size) in compile order: each pattern small, then large.
CASES = [(pattern, size) for pattern, small, large in PAIRS for size in (small, large)]


def compile_once(compiler, include, source, timeout):
    """(seconds, peak MiB, stderr) of compiling source with -O2 -c."""
    obj = source[:-4] + ".o"
    start = time.perf_counter()
    process = subprocess.Popen([compiler, "-std=c++20", "-O2", "-c", f"-I{include}", source, "-o", obj],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return timeout, float("nan"), f"did not finish in {timeout} s"
    seconds = time.perf_counter() - start
    # The driver waits for cc1plus/clang -cc1, so its children's peak is the compiler's.
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if process.returncode != 0:
        return seconds, peak_mib, err.decode(errors="replace")[:2000]
    return seconds, peak_mib, ""


def measure(compiler, include, cases, work, timeout):
    """Each case compiled in its own child, so that peak memory is its own."""
    rows = []
    for pattern, size in cases:
        source = os.path.join(work, f"{pattern}{size}.cpp")
        with open(source, "w") as f:
            f.write(MODELS[pattern](size))
        # A fresh Python child per compile: RUSAGE_CHILDREN is a running maximum.
        out = subprocess.run([sys.executable, __file__, "--one", compiler, include, source, str(timeout)],
                             capture_output=True, text=True, check=True).stdout.split("\n", 2)
        rows.append((f"{pattern} {size}", float(out[0]), float(out[1]), out[2] if len(out) > 2 else ""))
    return rows


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        _, _, compiler, include, source, timeout = sys.argv
        seconds, peak, err = compile_once(compiler, include, source, float(timeout))
        print(f"{seconds}\n{peak}\n{err}", end="")
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--compiler", default="g++")
    parser.add_argument("--include", default=os.path.join(os.path.dirname(__file__), "..", "..", "include"))
    # The target is 4x (issue and docs/performance.md); CI allows 5x so that a
    # noisy run near 4x does not fail, while any blow-up (exponential: 10x
    # and more) does.
    parser.add_argument("--max-ratio", type=float, default=5.0)
    parser.add_argument("--max-mb", type=float, default=1536)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        rows = measure(args.compiler, os.path.abspath(args.include), CASES, work, args.timeout)
    failures = []
    print(f"{args.compiler} -O2 -c, shared nodes (width {WIDTH}, batch {BATCH}, float)")
    print("| model | seconds | vs the small one | peak MiB |")
    print("|---|---|---|---|")
    for i, (name, seconds, peak, err) in enumerate(rows):
        base = rows[i - i % 2][1]
        print(f"| {name} | {seconds:.2f} | {seconds / base:.2f}x | {peak:.0f} |")
        if err:
            failures.append(f"{name}: does not compile: {err}")
        elif seconds > args.max_ratio * base:
            failures.append(f"{name}: {seconds:.1f} s is more than {args.max_ratio}x {rows[i - 1][0]} ({base:.1f} s)")
        elif peak > args.max_mb:
            failures.append(f"{name}: {peak:.0f} MiB is more than {args.max_mb:.0f} MiB")
    for failure in failures:
        print("FAILED " + failure)
    print(f"{len(rows) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

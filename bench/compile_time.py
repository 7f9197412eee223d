#!/usr/bin/env python3
"""Compile-time benchmark: generates MLPs of depth 1, 2, 4 and 8 (width 16,
batch 16, relu, softmax cross-entropy), each in a translation unit that
computes its gradient, and times `-O2 -c` of each with g++ and clang++; also
the XOR example, and a 784-512-512-10 float MLP at batch 256 run in a
workspace (where the checkout has parameter sets and workspaces), and the
shared-node models of tests/compile_cost/shared_nodes.py (residual, skip,
dense and fan-out). Prints a table of seconds (median of --runs), growth
against depth 2, peak memory of the compiler and object sizes. --include
compiles against another checkout's headers (for a back-to-back comparison),
and --timeout stops a compile that runs away. Standard library only.

    python3 bench/compile_time.py [--runs 3] [--include DIR] [--timeout 300]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "compile_cost"))
import shared_nodes  # noqa: E402


def mlp_source(depth, width=16, batch=16, classes=10):
    lines = ["#include <typegrad/typegrad.hpp>", "namespace tg = typegrad;",
             f'constexpr tg::input<"X", {batch}, {width}> X;', f'constexpr tg::input<"Y", {batch}, {classes}> Y;']
    params = []
    h = "X"
    for layer in range(depth):
        out = classes if layer == depth - 1 else width
        lines.append(f'constexpr tg::param<"W{layer}", {width}, {out}> W{layer};')
        lines.append(f'constexpr tg::param<"b{layer}", {out}> b{layer};')
        params += [f"W{layer}", f"b{layer}"]
        z = f"{h} * W{layer} + b{layer}"
        h = z if layer == depth - 1 else f"tg::relu({z})"
    lines.append(f"constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax({h}), Y));")
    lines.append(f"constexpr auto program = tg::grad(loss, {', '.join(params)});")
    bindings = [f"X = tg::tensor<double, {batch}, {width}>{{}}", f"Y = tg::tensor<double, {batch}, {classes}>{{}}"]
    for layer in range(depth):
        out = classes if layer == depth - 1 else width
        bindings += [f"W{layer} = tg::tensor<double, {width}, {out}>{{}}", f"b{layer} = tg::tensor<double, {out}>{{}}"]
    lines.append("using env_t = decltype(tg::bind(" + ", ".join(bindings) + "));")
    lines.append("double step(const env_t& env) { return program(env).value; }")
    return "\n".join(lines) + "\n"


def large_source(batch=256, sizes=(784, 512, 512, 10)):
    """The 784-512-512-10 float MLP: its arena does not fit on the stack, so
    the program runs in a workspace (the stack form is a compile error)."""
    lines = ["#include <typegrad/typegrad.hpp>", "namespace tg = typegrad;",
             f'constexpr tg::input<"X", {batch}, {sizes[0]}> X;', f'constexpr tg::input<"Y", {batch}, {sizes[-1]}> Y;']
    h = "X"
    for layer in range(len(sizes) - 1):
        lines.append(f'constexpr tg::param<"W{layer}", {sizes[layer]}, {sizes[layer + 1]}> W{layer};')
        lines.append(f'constexpr tg::param<"b{layer}", {sizes[layer + 1]}> b{layer};')
        z = f"{h} * W{layer} + b{layer}"
        h = z if layer == len(sizes) - 2 else f"tg::relu({z})"
    lines.append(f"constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax({h}), Y));")
    lines.append("constexpr auto program = tg::grad(loss);")
    lines.append("using params_t = tg::parameters_t<float, decltype(loss)>;")
    lines.append(f"using data_t = decltype(tg::bind(X = tg::tensor<float, {batch}, {sizes[0]}>{{}}, "
                 f"Y = tg::tensor<float, {batch}, {sizes[-1]}>{{}}));")
    lines.append("float step(const params_t& p, const data_t& d, decltype(program)::workspace_type& ws) "
                 "{ return program(p, d, ws).value; }")
    return "\n".join(lines) + "\n"


def time_compile(compiler, include, source, runs, timeout):
    """(median seconds, object bytes, peak MiB or None when it failed) of -O2 -c."""
    seconds, peaks = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, shared_nodes.__file__, "--one", compiler, include, source, str(timeout)],
                             capture_output=True, text=True, check=True).stdout.split("\n", 2)
        if len(out) > 2 and out[2]:
            return float(out[0]), 0, None  # did not compile (or timed out): one try is enough
        seconds.append(float(out[0]))
        peaks.append(float(out[1]))
    return statistics.median(seconds), os.path.getsize(source[:-4] + ".o"), max(peaks)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--include", default=os.path.join(ROOT, "include"))
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    include = os.path.abspath(args.include)
    compilers = [c for c in ("g++", "clang++") if shutil.which(c)]
    work = tempfile.mkdtemp()
    rows = []
    for depth in (1, 2, 4, 8):
        path = os.path.join(work, f"mlp{depth}.cpp")
        with open(path, "w") as f:
            f.write(mlp_source(depth))
        rows.append((f"MLP depth {depth}, width 16", path, depth))
    xor_copy = os.path.join(work, "xor.cpp")
    shutil.copy(os.path.join(os.path.dirname(include), "examples", "xor.cpp"), xor_copy)
    rows.append(("examples/xor.cpp", xor_copy, None))
    if os.path.exists(os.path.join(include, "typegrad", "train", "parameters.hpp")):
        path = os.path.join(work, "large.cpp")
        with open(path, "w") as f:
            f.write(large_source())
        rows.append(("784-512-512-10 float, batch 256, in a workspace", path, None))
        for pattern, size in shared_nodes.CASES:
            path = os.path.join(work, f"{pattern}{size}.cpp")
            with open(path, "w") as f:
                f.write(shared_nodes.MODELS[pattern](size))
            rows.append((f"shared nodes: {pattern} {size}", path, None))
    results = {}
    for name, path, depth in rows:
        for compiler in compilers:
            results[(name, compiler)] = time_compile(compiler, include, path, args.runs, args.timeout)
    print(f"compile time, -O2 -c, median of {args.runs} runs, headers from {include}")
    print("| translation unit | " + " | ".join(f"{c} s | {c} vs depth 2 | {c} peak MiB | {c} object KiB"
                                                for c in compilers) + " |")
    print("|---|" + "---|---|---|---|" * len(compilers))
    for name, _, depth in rows:
        cells = []
        for compiler in compilers:
            sec, size, peak = results[(name, compiler)]
            base = results[("MLP depth 2, width 16", compiler)][0]
            if peak is None:
                cells += [f"failed after {sec:.0f}", "-", "-", "-"]
                continue
            growth = f"{sec / base:.2f}x" if depth else "-"
            cells += [f"{sec:.2f}", growth, f"{peak:.0f}", f"{size / 1024:.0f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())

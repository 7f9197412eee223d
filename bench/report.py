#!/usr/bin/env python3
"""Turns Google Benchmark's JSON (with repetitions) into the table of
docs/performance.md: the median time per step of each peer and its ratio to
the hand-written loop peer, to the straight-line XOR peer (XOR only) and to
Eigen, all measured in the same run, and the
heap allocations per step. Eigen is the fixed-size peer, or for the large
workloads (which have no hand-written peer) the dynamic-size one. Standard
library only.

    typegrad_bench --benchmark_repetitions=9 --benchmark_format=json > run.json
    python3 bench/report.py run.json
"""
import json
import sys


def main(path):
    with open(path) as f:
        data = json.load(f)
    medians, allocs = {}, {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        workload, peer = b["run_name"].split("/")
        medians[(workload, peer)] = b["real_time"] if b["time_unit"] == "ns" else b["real_time"] * 1000
        allocs[(workload, peer)] = b.get("allocs_per_step", 0)
    ctx = data["context"]
    print(f"machine: {ctx.get('num_cpus')} cpus at {ctx.get('mhz_per_cpu')} MHz; {ctx.get('date')}")
    print("| workload | peer | median per step | vs hand-written loops | vs straight-line | vs Eigen | allocations per step |")
    print("|---|---|---|---|---|---|---|")
    workloads = []
    for w, _ in medians:
        if w not in workloads:
            workloads.append(w)
    for w in workloads:
        for peer in ("typegrad", "hand", "unrolled", "eigen", "eigen_dyn", "libtorch"):
            if (w, peer) not in medians:
                continue
            t = medians[(w, peer)]
            if t < 10000:
                shown = f"{t:.0f} ns"
            elif t < 1e7:
                shown = f"{t / 1000:.1f} µs"
            else:
                shown = f"{t / 1e6:.2f} ms"
            hand = medians.get((w, "hand"))
            eigen = medians.get((w, "eigen"), medians.get((w, "eigen_dyn")))
            unrolled = medians.get((w, "unrolled"))
            vs_hand = f"{t / hand:.2f}x" if hand else "-"
            vs_unrolled = f"{t / unrolled:.2f}x" if unrolled else "-"
            vs_eigen = f"{t / eigen:.2f}x" if eigen else "-"
            print(f"| {w} | {peer} | {shown} | {vs_hand} | {vs_unrolled} | {vs_eigen} | {allocs[(w, peer)]:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1])

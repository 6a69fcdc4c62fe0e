#!/usr/bin/env python3
"""Prints the speed targets beside what `make bench` measured.

Usage: bench/targets.py BENCH_TXT [BENCH_TORCH_TXT]

BENCH_TXT is the output of `make bench`'s go test runs (a line
"# NEUROPLASTIC_KERNEL=avx2" starts a go test run under that variant, until
its "ok" line);
BENCH_TORCH_TXT, when it exists, is the output of bench/torch_bench.py. With
several counts of one benchmark the median is shown. The targets are those
of docs/performance.md.
"""

import os
import re
import statistics
import sys

LINE = re.compile(r"^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$")


def parse(path):
    """Returns {(env, name): {unit: [values]}} of a go test -bench output."""
    out, env = {}, ""
    with open(path) as f:
        for line in f:
            if line.startswith("# "):
                env = line[2:].strip()
                continue
            if line.startswith("ok "):  # the end of one go test run
                env = ""
            m = LINE.match(line.strip())
            if not m:
                continue
            fields = m.group(3).split()
            metrics = out.setdefault((env, m.group(1)), {})
            for value, unit in zip(fields[0::2], fields[1::2]):
                try:
                    metrics.setdefault(unit, []).append(float(value))
                except ValueError:
                    pass
    return out


def torch_ratios(path):
    """Returns {model: median ours/PyTorch} from bench/torch_bench.py's output."""
    ratios = {}
    if not path or not os.path.exists(path):
        return ratios
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 4 and fields[2] == "med":
                ratios[fields[0]] = float(fields[3])
    return ratios


def main():
    results = parse(sys.argv[1])
    ratios = torch_ratios(sys.argv[2] if len(sys.argv) > 2 else "")

    def get(name, unit, scale=1.0, fmt="{:.2f}", env=""):
        values = results.get((env, name), {}).get(unit)
        if not values:
            return "not measured"
        return fmt.format(statistics.median(values) * scale)

    def ratio(model):
        return f"{ratios[model]:.2f}" if model in ratios else "run `make bench-torch`"

    rows = [
        ("resnet18 training step, 2 threads, ours / tuned PyTorch", "<= 0.85", ratio("resnet18")),
        ("small_cnn training step, 2 threads, ours / tuned PyTorch", "-", ratio("small_cnn")),
        ("mlp training step, 1 thread, ours / tuned PyTorch", "-", ratio("mlp")),
        ("resnet18 CIFAR-10 epoch, 2 cores (s)", "<= 560",
         get("BenchmarkEpoch/resnet18_cifar/threads=2", "s/epoch", fmt="{:.0f}")),
        ("small_cnn CIFAR-10 epoch, 2 cores (s)", "<= 45",
         get("BenchmarkEpoch/small_cnn_cifar/threads=2", "s/epoch", fmt="{:.1f}")),
        ("mlp MNIST epoch (train + test), 1 core (s)", "<= 0.55",
         get("BenchmarkEpoch/mlp_mnist/threads=1", "s/epoch")),
        ("process start to first step, MNIST (s)", "<= 0.2",
         get("BenchmarkProcess/startup", "start-s")),
        ("peak memory of one MNIST MLP run, whole process (MiB)", "<= 200",
         get("BenchmarkProcess/epoch", "peak-MiB", fmt="{:.0f}")),
        ("NeuroPlastic step, mlp, AVX2 path (ms)", "<= 0.5",
         get("BenchmarkStep/neuroplastic", "ns/op", 1e-6, env="NEUROPLASTIC_KERNEL=avx2")),
        ("NeuroPlastic step, mlp, default path (ms)", "-",
         get("BenchmarkStep/neuroplastic", "ns/op", 1e-6)),
        ("full `make reproduce`, 2 cores", "<= 8 min", "printed at the end of `make reproduce`"),
        ("`make test`, idle machine, warm module cache", "<= 5 min", "`time make test`"),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'what':<{width}}  {'target':>9}  measured")
    for what, target, measured in rows:
        print(f"{what:<{width}}  {target:>9}  {measured}")


if __name__ == "__main__":
    main()

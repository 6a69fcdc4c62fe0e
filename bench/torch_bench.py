#!/usr/bin/env python3
"""Times tuned PyTorch against neuroplastic on the same training steps.

`make bench-torch` runs this script. For each row below it alternates runs
of our BenchmarkTrainStep (the Go test binary of ./models, built once) and of
the same step in PyTorch (a fresh tuned process each time), PAIRS times, and
prints both times and the ratio ours/PyTorch of every pair and their median.
The machine may be shared and its speed drifts: only ratios measured side by
side mean anything (docs/performance.md).

A step is what BenchmarkTrainStep times: forward, cross-entropy loss and
backward at batch 128 on one fixed batch of generated data of the model's
input shape (CIFAR-10's 3x32x32 for the CNNs: the cost does not depend on
the values), no optimizer. PyTorch is tuned: intra-op threads set to the
row's count (OpenMP, OpenBLAS and oneDNN alike), glibc malloc set never to
return memory to the system (no mmap for large blocks, no trimming), the
model in training mode, gradients set to None between steps.

When `import torch` fails, the script installs Debian's python3-torch and
python3-torchvision with apt-get (through sudo unless run as root); run it
with Debian's python3 (/usr/bin/python3, as the Makefile does), where those
packages install.

Usage: bench/torch_bench.py [--pairs N] [--rows mlp,small_cnn,resnet18]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

# The rows: model, threads, timed steps per run (after one warm-up step).
ROWS = {
    "mlp": (1, 200),
    "small_cnn": (2, 10),
    "resnet18": (2, 3),
}
BATCH = 128

# glibc malloc never returns memory: large blocks from the heap, not mmap,
# and no trimming of the heap's top.
TUNED_MALLOC = {
    "MALLOC_MMAP_MAX_": "0",
    "MALLOC_TRIM_THRESHOLD_": str(1 << 40),
    "MALLOC_TOP_PAD_": str(1 << 28),
}


def ensure_torch():
    """Installs python3-torch and python3-torchvision when torch is absent."""
    try:
        import torch  # noqa: F401
        import torchvision  # noqa: F401
        return
    except ImportError:
        pass
    cmd = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y",
           "--no-install-recommends", "python3-torch", "python3-torchvision"]
    if os.geteuid() != 0:
        cmd = ["sudo"] + cmd
    print("bench-torch: installing PyTorch:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    try:
        import torch  # noqa: F401,F811
    except ImportError:
        raise SystemExit(f"bench-torch: {sys.executable} cannot import torch after the install: "
                         "run this script with Debian's /usr/bin/python3")


def build_model(torch, name):
    """Returns the PyTorch twin of our model `name` and its input shape."""
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(
            nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.1), nn.Linear(256, 10)), (1, 28, 28)
    if name == "small_cnn":
        return nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(8192, 256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, 10)), (3, 32, 32)
    if name == "resnet18":
        class Block(nn.Module):
            def __init__(self, cin, cout, stride):
                super().__init__()
                self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(cout)
                self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(cout)
                self.shortcut = nn.Sequential()
                if stride != 1 or cin != cout:
                    self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                                  nn.BatchNorm2d(cout))

            def forward(self, x):
                out = torch.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                return torch.relu(out + self.shortcut(x))

        layers = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
        cin = 64
        for stage, width in enumerate([64, 128, 256, 512]):
            for blk in range(2):
                layers.append(Block(cin, width, 2 if stage > 0 and blk == 0 else 1))
                cin = width
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
        return nn.Sequential(*layers), (3, 32, 32)
    raise SystemExit(f"bench-torch: unknown model {name}")


def torch_worker(name, threads, steps):
    """Runs in a tuned child process: prints the seconds per PyTorch step."""
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model, shape = build_model(torch, name)
    model.train()
    x = torch.randn(BATCH, *shape)
    y = torch.randint(0, 10, (BATCH,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        for p in model.parameters():
            p.grad = None
        loss_fn(model(x), y).backward()

    step()  # warm-up: allocate every buffer once
    start = time.perf_counter()
    for _ in range(steps):
        step()
    print(f"{(time.perf_counter() - start) / steps:.9f}")


def run_torch(name, threads, steps):
    """Times PyTorch in a fresh tuned process; returns seconds per step."""
    env = dict(os.environ, **TUNED_MALLOC)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    out = subprocess.run([sys.executable, __file__, "--worker", name, str(threads), str(steps)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def run_ours(test_bin, name, threads, steps):
    """Times our BenchmarkTrainStep row; returns seconds per step."""
    pattern = f"^BenchmarkTrainStep$/^{name}$/^threads={threads}$"
    out = subprocess.run([test_bin, "-test.run", "^$", "-test.bench", pattern,
                          "-test.benchtime", f"{steps}x"],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"\s([\d.]+) ns/op", out)
    if not m:
        raise SystemExit(f"bench-torch: no result from our benchmark:\n{out}")
    return float(m.group(1)) * 1e-9


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=3, help="alternating pairs per row")
    p.add_argument("--rows", default=",".join(ROWS), help="comma-separated models")
    p.add_argument("--worker", nargs=3, metavar=("MODEL", "THREADS", "STEPS"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        torch_worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return
    ensure_torch()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    test_bin = os.path.join(repo, "bin", "models.test")
    os.makedirs(os.path.dirname(test_bin), exist_ok=True)
    subprocess.run(["go", "test", "-c", "-o", test_bin, "./models/"], cwd=repo, check=True)
    import torch
    print(f"PyTorch {torch.__version__}; batch {BATCH}; {args.pairs} alternating pairs per row; "
          "seconds per training step (forward, loss, backward)")
    print(f"{'model':<10} {'threads':>7} {'pair':>4} {'ours':>10} {'pytorch':>10} {'ours/pytorch':>12}")
    for name in args.rows.split(","):
        threads, steps = ROWS[name]
        ratios = []
        for pair in range(1, args.pairs + 1):
            ours = run_ours(test_bin, name, threads, steps)
            theirs = run_torch(name, threads, steps)
            ratios.append(ours / theirs)
            print(f"{name:<10} {threads:>7} {pair:>4} {ours:>10.5f} {theirs:>10.5f} {ratios[-1]:>12.2f}", flush=True)
        print(f"{name:<10} {threads:>7} {'med':>4} {'':>10} {'':>10} {statistics.median(ratios):>12.2f}", flush=True)


if __name__ == "__main__":
    main()

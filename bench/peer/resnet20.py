#!/usr/bin/python3
"""gradbench's binary ResNet-20 in PyTorch, for same-window speed comparisons.

The network is the one gradbench's BenchmarkTrainStep (bench/train_test.go)
trains, layer for layer (models/resnet.go, models/builder.go, nn/binary.go,
nn/noise.go):

- a full-precision stem: conv3x3 (1 -> 16, no bias) + BatchNorm;
- three stages of 16, 32 and 64 channels, each of 3 blocks of 2 Bi-Real
  units BN(BinaryConv3x3(x)) + shortcut(x), without any other activation;
  the first unit of stages 2 and 3 has stride 2 and the shortcut
  AvgPool2d(2) + conv1x1 (no bias) + BatchNorm, the others the identity;
- a full-precision head: global average pooling + Linear(64 -> 10).

A binary convolution computes conv(q(x), q(W)*s) with q = sign, q(0) = +1,
and s_o = mean|W_o| per output channel, detached. The backward pass of each
sign is dy*g(x) of the estimator (a fresh one for the weights and for the
activations):

- ste: g(x) = 1 if |x| <= 1 else 0;
- fda: g(x) = (4w/pi) sum_{i=0..n} cos((2i+1) w x), 0 where |x| > 1, with
  w = 0.1 and n = 9 + round(9p) at progress p = epoch/(epochs-1), computed
  in the closed form (2w/pi) sin(2N t)/sin t, t = w|x| >= 1e-4/N, N = n+1,
  as gradbench's kernel does (the explicit sum of n+1 cosines would make
  PyTorch's step slower, and the comparison unfair to it);
- +na: the noise adaptation module of the FDA paper in training mode:
  q(x) + a*e(x) for the activations (one row of C values per pixel) and
  s_o*(q(W_o) + a*e(W_o)) for the weights (one row of Cin*9 values per
  filter), e(t) = ReLU(t W1) W2 + 0.1 sin(t), W1: D x H, W2: H x D,
  H = max(1, D/64), a = 0.05*(1 + cos(pi (epoch+1)/epochs)); autograd gives
  its backward pass.

Loss: softmax cross-entropy (mean over the batch); optimizer: SGD with
momentum 0.9 and weight decay 1e-4 on every parameter, lr 0.01.

Usage:

    bench/peer/resnet20.py [--est ste,fda,fda+na] [--batch 128] [--threads 2]
                           [--benchtime 1] [--count 1]
    bench/peer/resnet20.py --check FILE    # FILE from `go run ./bench/peer`

The first form times training steps and prints Go benchmark-format lines,
BenchmarkTrainStep/model=resnet20/est=<spec>/batch=<n>/peer=pytorch-<threads>
(ns/op is the mean of the steps of at least --benchtime seconds, after
three untimed steps). The second loads gradbench's weights from FILE, runs
one training-mode forward and backward pass on the same input in float64
and compares the per-layer parameter counts, the logits, the loss, every
gradient and the running statistics with gradbench's.
"""

import argparse
import json
import math
import os
import platform
import re
import sys
import time

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as e:
    print("resnet20.py: %s: it needs PyTorch 1.13 (Debian: apt-get install python3-torch; "
          "then run it with the python3 it belongs to, such as /usr/bin/python3)" % e, file=sys.stderr)
    sys.exit(2)

EPOCH, EPOCHS = 4, 10  # BenchmarkTrainStep's place in training


def progress(epoch, epochs):
    """nn.Progress.P: e/(E-1), 0 for one epoch."""
    if epochs <= 1:
        return 0.0
    return min(1.0, max(0.0, epoch / (epochs - 1)))


def na_alpha(epoch, epochs):
    """nn.Progress.NAAlpha: 0.05*(1 + cos(pi (e+1)/E))."""
    return 0.05 * (1 + math.cos(math.pi * (epoch + 1) / max(1, epochs)))


class Sign(torch.autograd.Function):
    """sign(x) with sign(0) = +1, backward dy*g(x) of est.

    With ref (the check), the sign and g are taken at ref instead of x, and
    the gradient still flows to x.
    """

    @staticmethod
    def forward(ctx, x, est, ref=None):
        at = x if ref is None else ref
        ctx.save_for_backward(at)
        ctx.est = est
        # copysign(1, x): +1 for +0 like gradbench, but -1 for -0 (which
        # gradbench maps to +1); torch.where(x >= 0, 1, -1) takes 15 times
        # as long here.
        return torch.ones_like(at).copysign_(at)

    @staticmethod
    def backward(ctx, dy):
        (at,) = ctx.saved_tensors
        return ctx.est.backward(at, dy), None, None


def keep_inside(dy, x, c):
    """dy where |x| <= c, else 0: PyTorch's hardtanh backward (dy where
    -b < x < b) with b the next value above c in x's precision, one pass
    (a boolean mask and masked_fill take ten times as long here)."""
    b = torch.nextafter(torch.tensor(c, dtype=x.dtype), torch.tensor(math.inf, dtype=x.dtype)).item()
    return torch.ops.aten.hardtanh_backward(dy, x, -b, b)


class STE:
    """Clipped straight-through estimator, c = 1."""

    c = 1.0

    def set_progress(self, p):
        pass

    def backward(self, x, dy):
        return keep_inside(dy, x, self.c)


class FDA:
    """Fourier-series estimator, w = 0.1, c = 1, n from 9 to 18."""

    omega, c, n_start, n_end = 0.1, 1.0, 9, 18

    def __init__(self):
        self.n = self.n_start
        assert self.omega * self.c < math.pi / 2, "theta must stay below pi/2"

    def set_progress(self, p):
        v = (self.n_end - self.n_start) * p
        self.n = self.n_start + int(math.floor(v + 0.5))  # math.Round: halves away from 0

    def backward(self, x, dy):
        big_n = self.n + 1
        theta = x.abs().clamp_(max=self.c).mul_(self.omega).clamp_(min=1e-4 / big_n)
        g = torch.sin(theta * (2 * big_n))
        g.div_(theta.sin_()).mul_(2 * self.omega / math.pi).mul_(dy)
        return keep_inside(g, x, self.c)


ESTIMATORS = {"ste": STE, "fda": FDA}


def parse_spec(spec):
    """Returns (estimator class, noise adaptation) for ste, fda, ste+na, fda+na."""
    base, plus, na = spec.partition("+")
    if base not in ESTIMATORS or (plus and na != "na"):
        sys.exit(f"resnet20.py: estimator {spec!r} not implemented here (have ste, fda, ste+na, fda+na, "
                 "with their default parameters)")
    return ESTIMATORS[base], bool(plus)


class NoiseAdaptation(nn.Module):
    """e(t) = ReLU(t W1) W2 + 0.1 sin(t) on rows of d values (nn/noise.go)."""

    amplitude, k = 0.1, 64

    def __init__(self, d):
        super().__init__()
        h = max(1, d // self.k)
        self.w1 = nn.Parameter(torch.empty(d, h).uniform_(-1 / math.sqrt(d), 1 / math.sqrt(d)))
        self.w2 = nn.Parameter(torch.empty(h, d).uniform_(-1 / math.sqrt(h), 1 / math.sqrt(h)))

    def rows(self, t):
        """t: rows x d."""
        return F.relu(t @ self.w1) @ self.w2 + self.amplitude * torch.sin(t)

    def channels(self, x):
        """x: N x C x H x W, one row of C values per pixel (1x1 convolutions)."""
        hid = F.relu(F.conv2d(x, self.w1.t()[:, :, None, None]))
        return F.conv2d(hid, self.w2.t()[:, :, None, None]) + self.amplitude * torch.sin(x)


class BinaryConv2d(nn.Module):
    """conv(q(x), q(W)*s), with noise adaptation in training (nn/binary.go)."""

    def __init__(self, cin, cout, stride, spec):
        super().__init__()
        est, na = parse_spec(spec)
        self.stride = stride
        self.weight = nn.Parameter(torch.randn(cout, cin, 3, 3) * math.sqrt(2 / (cin * 9)))
        self.west, self.aest = est(), est()
        self.alpha = 0.0
        self.ref = None  # the check: gradbench's input of this layer
        self.diff = 0.0  # the check: relative difference of the input from ref
        if na:
            self.na_w = NoiseAdaptation(cin * 9)
            self.na_a = NoiseAdaptation(cin)
        else:
            self.na_w = self.na_a = None

    def set_progress(self, epoch, epochs):
        p = progress(epoch, epochs)
        self.west.set_progress(p)
        self.aest.set_progress(p)
        self.alpha = na_alpha(epoch, epochs)

    def forward(self, x):
        w = self.weight
        s = w.detach().abs().mean(dim=(1, 2, 3), keepdim=True)
        wb = Sign.apply(w, self.west)
        ref = self.ref
        if ref is not None:
            if ref.shape != x.shape:
                sys.exit(f"resnet20.py: binary layer input {list(x.shape)} here, {list(ref.shape)} in gradbench")
            self.diff = rel_err(x.detach(), ref)
        xb = Sign.apply(x, self.aest, ref)
        if self.na_w is not None and self.training and self.alpha != 0:
            wb = wb + self.alpha * self.na_w.rows(w.view(w.shape[0], -1)).view_as(w)
            xb = xb + self.alpha * self.na_a.channels(x)
        return F.conv2d(xb, wb * s, stride=self.stride, padding=1)


class Unit(nn.Module):
    """BN(BinaryConv3x3(x)) + shortcut(x) (models/resnet.go)."""

    def __init__(self, name, layers, cin, cout, stride, side, spec):
        super().__init__()
        self.conv = BinaryConv2d(cin, cout, stride, spec)
        self.bn = nn.BatchNorm2d(cout)
        layers += [(name + ".conv", self.conv), (name + ".bn", self.bn)]
        self.shortcut = None
        if stride != 1 or cin != cout:
            seq = []
            if stride != 1:
                # models.builder.avgPool2: pad an odd side by one, zeros counted.
                pool = nn.AvgPool2d(2, 2, padding=side % 2, count_include_pad=True)
                seq.append(pool)
                layers.append((name + ".shortcut.avgpool", pool))
            seq += [nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout)]
            layers += [(name + ".shortcut.conv", seq[-2]), (name + ".shortcut.bn", seq[-1])]
            self.shortcut = nn.Sequential(*seq)

    def forward(self, x):
        return self.bn(self.conv(x)) + (x if self.shortcut is None else self.shortcut(x))


class ResNet20(nn.Module):
    def __init__(self, spec, classes=10, side=28):
        super().__init__()
        self.layers = []  # (gradbench summary name, module), in build order
        self.stem_conv = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(16)
        self.layers += [("stem.conv", self.stem_conv), ("stem.bn", self.stem_bn)]
        units, cin = [], 16
        for s, c in enumerate((16, 32, 64)):
            for blk in range(3):
                for u in range(2):
                    stride = 2 if s > 0 and blk == 0 and u == 0 else 1
                    name = f"stage{s + 1}.block{blk}.unit{u}"
                    units.append(Unit(name, self.layers, cin, c, stride, side, spec))
                    side = (side + 2 - 3) // stride + 1
                    cin = c
        self.units = nn.Sequential(*units)
        self.fc = nn.Linear(64, classes)
        self.layers += [("head.avgpool", None), ("head.fc", self.fc)]

    def set_progress(self, epoch, epochs):
        for m in self.modules():
            if isinstance(m, BinaryConv2d):
                m.set_progress(epoch, epochs)

    def forward(self, x):
        x = self.units(self.stem_bn(self.stem_conv(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def layer_counts(model):
    return [(name, 0 if m is None else sum(p.numel() for p in m.parameters())) for name, m in model.layers]


def engine():
    mkldnn = "oneDNN" if torch.backends.mkldnn.is_available() else "no oneDNN"
    return f"PyTorch {torch.__version__} ({mkldnn}), Python {platform.python_version()}"


def bench(args):
    torch.set_num_threads(args.threads)
    if torch.get_num_threads() != args.threads:
        # The results name args.threads: a step on another count would be
        # compared with gradbench's on args.threads cores.
        sys.exit(f"resnet20.py: --threads {args.threads}: PyTorch runs on {torch.get_num_threads()} threads")
    print("goos: linux" if sys.platform.startswith("linux") else f"goos: {sys.platform}")
    print(f"peer: {engine()}, {torch.get_num_threads()} threads")
    for spec in args.est.split(","):
        torch.manual_seed(1)
        model = ResNet20(spec)
        model.train()
        model.set_progress(EPOCH, EPOCHS)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
        x = torch.randn(args.batch, 1, 28, 28)
        labels = torch.arange(args.batch) % 10

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), labels)
            loss.backward()
            opt.step()
            return loss.item()

        for _ in range(3):
            step()
        for _ in range(args.count):
            n, t0 = 0, time.perf_counter()
            while True:
                loss = step()
                n += 1
                elapsed = time.perf_counter() - t0
                if elapsed >= args.benchtime:
                    break
            if not math.isfinite(loss):
                sys.exit(f"resnet20.py: {spec}: loss {loss}")
            name = f"BenchmarkTrainStep/model=resnet20/est={spec}/batch={args.batch}/peer=pytorch-{args.threads}"
            print(f"{name}\t{n}\t{elapsed / n * 1e9:.0f} ns/op\t{args.batch * n / elapsed:.2f} img/s", flush=True)


def read_state(path):
    """Reads the file go run ./bench/peer -o FILE wrote, refusing one that
    is not such a file or is cut short (an interrupted copy), by name:
    the reshapes below would end in a traceback."""
    with open(path, "rb") as f:
        try:
            h = json.loads(f.readline())
        except ValueError:  # UnicodeDecodeError is one too
            h = None
        raw = f.read()
    want = "want the file `go run ./bench/peer -o FILE` wrote"
    if not isinstance(h, dict):
        sys.exit(f"resnet20.py: {path}: its first line is no JSON header: {want}")
    if not h.get("tensors"):
        sys.exit(f"resnet20.py: {path}: its header lists no tensors: {want}")
    n = max(t["offset"] + t["len"] for t in h["tensors"])
    if len(raw) != 4 * n:
        sys.exit(f"resnet20.py: {path}: holds {len(raw)} bytes after its header, want {4 * n} ({n} float32 values): "
                 "the file is cut short or not bench/peer's; write it again with `go run ./bench/peer -o FILE`")
    values = torch.frombuffer(bytearray(raw), dtype=torch.float32)
    tensors = {}
    for t in h["tensors"]:
        v = values[t["offset"]:t["offset"] + t["len"]].reshape(t["shape"]).double()
        tensors.setdefault(t["kind"], []).append((t["name"], v))
    return h, tensors


def rel_err(got, want):
    d = (got - want).norm().item()
    n = want.norm().item()
    return d / n if n > 0 else d


def check(args):
    h, tensors = read_state(args.check)
    if (h["model"], h["input"], h["classes"]) != ("resnet20", [1, 28, 28], 10):
        sys.exit(f"resnet20.py: {args.check}: model {h['model']} on {h['input']} with {h['classes']} classes, "
                 "want resnet20 on [1, 28, 28] with 10")
    model = ResNet20(h["spec"]).double()
    model.train()
    model.set_progress(h["epoch"], h["epochs"])
    ok = True
    # gradbench computes in float32 (sums of products in float32, reductions
    # partly in float64): relative errors of a few 1e-7 per tensor.
    tol = 1e-5

    print(f"{engine()}; gradbench state from {args.check}: {h['spec']}, batch {h['batch']}, "
          f"epoch {h['epoch']} of {h['epochs']}")
    print("\nTrainable parameters per layer (gradbench: models.Model.Layers, "
          "full-precision + binary + training-only):\n")
    ours = layer_counts(model)
    theirs = [(layer["name"], layer["params"]) for layer in h["layers"]]
    print(f"{'layer':34} {'gradbench':>10} {'pytorch':>10}")
    for i in range(max(len(ours), len(theirs))):
        gn, gc = theirs[i] if i < len(theirs) else ("-", "-")
        pn, pc = ours[i] if i < len(ours) else ("-", "-")
        mark = "" if (gn, gc) == (pn, pc) else f"   MISMATCH (pytorch layer {pn})"
        ok &= not mark
        print(f"{gn:34} {gc:>10} {pc:>10}{mark}")
    total = sum(c for _, c in ours)
    print(f"{'total':34} {sum(c for _, c in theirs):>10} {total:>10}")

    params = list(model.parameters())
    if len(params) != len(tensors["param"]):
        sys.exit(f"resnet20.py: {len(params)} parameters here, {len(tensors['param'])} in gradbench's file")
    with torch.no_grad():
        for p, (name, v) in zip(params, tensors["param"]):
            if p.shape != v.shape:
                sys.exit(f"resnet20.py: parameter {name}: shape {list(v.shape)} in gradbench, {list(p.shape)} here")
            p.copy_(v)
        bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
        buffers = tensors["buffer"]
        if len(buffers) != 2 * len(bns):
            sys.exit(f"resnet20.py: {len(buffers)} buffers in gradbench's file, want {2 * len(bns)}")
        for i, m in enumerate(bns):
            m.running_mean.copy_(buffers[2 * i][1])
            m.running_var.copy_(buffers[2 * i + 1][1])

    binary = [m for m in model.modules() if isinstance(m, BinaryConv2d)]
    if len(binary) != len(tensors["binary_input"]):
        sys.exit(f"resnet20.py: {len(binary)} binary layers here, {len(tensors['binary_input'])} in gradbench's file")
    for m, (_, v) in zip(binary, tensors["binary_input"]):
        m.ref = v
    (_, x), = tensors["input"]
    (_, want_logits), = tensors["logits"]
    labels = torch.tensor(h["labels"])
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()

    diffs = [m.diff for m in binary]
    worst = max(range(len(diffs)), key=diffs.__getitem__)
    rows = [(f"worst binary layer input (layer {worst})", diffs[worst], tol),
            ("logits", rel_err(logits.detach(), want_logits), tol),
            ("loss", abs(loss.item() - h["loss"]) / abs(h["loss"]), tol)]
    grads = [rel_err(p.grad, g) for p, (_, g) in zip(params, tensors["grad"])]
    worst = max(range(len(grads)), key=grads.__getitem__)
    rows.append((f"worst parameter gradient ({tensors['grad'][worst][0]})", grads[worst], tol))
    stats = []
    for i, m in enumerate(bns):
        stats.append(rel_err(m.running_mean, tensors["buffer_after"][2 * i][1]))
        stats.append(rel_err(m.running_var, tensors["buffer_after"][2 * i + 1][1]))
    rows.append(("worst running statistic", max(stats), tol))
    print("\nOne training-mode forward and backward pass, PyTorch in float64 with gradbench's weights, "
          "the sign and the estimator's g of every binary layer taken at gradbench's input of the layer; "
          "relative error ||pytorch - gradbench|| / ||gradbench|| per tensor:\n")
    for what, err, tol in rows:
        good = err <= tol
        ok &= good
        print(f"{what:60} {err:10.2e}  (<= {tol:.0e}: {'ok' if good else 'FAIL'})")
    if not ok:
        sys.exit("resnet20.py: the networks differ")
    print("\nthe networks agree")


class Once(argparse.Action):
    """Stores an option's value, refusing the option given twice:
    argparse would keep the last value, the first given and ignored."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = vars(namespace).setdefault("given", {})
        if self.dest in given:
            parser.error(f"{option_string} given twice ({given[self.dest]!r}, then {values!r}): give each option once")
        given[self.dest] = values
        setattr(namespace, self.dest, values)


def whole(s):
    """An int written in plain ASCII digits: int() would also take " 8",
    "+8", "1_000" and other scripts' digits."""
    if not re.fullmatch(r"[0-9]+", s, re.ASCII):
        raise argparse.ArgumentTypeError(f"{s!r}: want a whole number in plain digits")
    return int(s)


def seconds(s):
    """A finite decimal number of seconds > 0: float() would also take
    "inf" (a benchmark that never ends), "nan", " 1" and "1_0"."""
    if not re.fullmatch(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", s, re.ASCII) or not 0 < float(s) < math.inf:
        raise argparse.ArgumentTypeError(f"{s!r}: want a finite decimal number of seconds > 0, such as 1 or 0.5")
    return float(s)


def parse_args(argv):
    """Parses and checks the command line: every value is used as given or
    refused, naming it."""
    # allow_abbrev=False: --thr 4 is not --threads 4, as Go's flags have it.
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--est", action=Once, default="ste", help="estimator specs, comma-separated, each once (ste, fda, ste+na, fda+na)")
    ap.add_argument("--batch", action=Once, type=whole, default=128)
    ap.add_argument("--threads", action=Once, type=whole, default=2)
    ap.add_argument("--benchtime", action=Once, type=seconds, default=1.0, help="seconds of timed steps per result")
    ap.add_argument("--count", action=Once, type=whole, default=1, help="results per estimator")
    ap.add_argument("--check", action=Once, metavar="FILE",
                    help="compare with the state written by `go run ./bench/peer` (which gives the estimator and the batch: no other option)")
    args = ap.parse_args(argv)
    given = vars(args).pop("given", {})
    if args.check is not None:
        other = [f"--{k}" for k in given if k != "check"]
        if other:
            ap.error(f"{', '.join(other)} with --check: the state file gives the estimator and the batch, "
                     "and --check times nothing; drop " + ", ".join(other))
        if args.check == "":
            ap.error("--check is empty: want the file `go run ./bench/peer -o FILE` wrote")
        if not os.path.exists(args.check):
            ap.error(f"--check {args.check}: no such file: want the file `go run ./bench/peer -o FILE` wrote")
        if not os.path.isfile(args.check):
            ap.error(f"--check {args.check}: not a file: want the file `go run ./bench/peer -o FILE` wrote")
        return args
    if args.batch < 2:
        ap.error(f"--batch {args.batch}: want at least 2 (BatchNorm needs batch statistics)")
    for name in ("threads", "count"):
        if getattr(args, name) < 1:
            ap.error(f"--{name} {getattr(args, name)}: want at least 1")
    specs = args.est.split(",")
    for i, spec in enumerate(specs):
        if spec == "":
            ap.error(f"--est {args.est!r}: an empty item: want comma-separated estimators, such as ste,fda")
        parse_spec(spec)  # before any is timed
        if spec in specs[:i]:
            ap.error(f"--est {args.est!r}: {spec} is given twice: give each estimator once")
    return args


def main():
    args = parse_args(sys.argv[1:])
    if args.check is not None:
        check(args)
    else:
        bench(args)


if __name__ == "__main__":
    main()

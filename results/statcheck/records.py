"""Reading the committed run records (*.json) and what a table makes of
them: the workload a record belongs to, the learning-rate choice of
SelectLR (suite/lrgrid.go; an independent implementation), a row's values
per seed and the pairs of two rows over the seeds both finished."""

import glob
import json
import math
import os

import numpy as np

from .tally import fail

# The repository: two directories above this file (results/statcheck/).
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def load(dirs):
    recs = []
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(ROOT, d, "*.json"))):
            with open(f) as fh:
                r = json.load(fh)
            if "config" not in r or "status" not in r:
                continue
            recs.append(r)
    if not recs:
        fail("no records in " + ", ".join(dirs))
    return recs


def workload_key(c):
    return json.dumps({k: v for k, v in c.items() if k not in ("estimator", "seed", "lr_scale")}, sort_keys=True)


def same_mean(a, b):
    """Whether two mean validation top-1s are equal but for the rounding
    of their sums (sameMean in suite/lrgrid.go): within a relative 1e-9."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0)


def better(p, q):
    """Whether multiplier point p = (val top-1, val loss, n, diverged),
    with a finished run, beats q: fewer diverged runs, then a higher mean
    val top-1 (same_mean ties), then a lower val loss. Neither beats the
    other on a full tie, which goes to the smaller multiplier."""
    if p[3] != q[3]:
        return p[3] < q[3]
    if same_mean(p[0], q[0]):
        return p[1] < q[1]
    return p[0] > q[0]


def select_lr(recs):
    """The records a table shows and the learning-rate choices, per the
    doc comment of SelectLR (an independent implementation)."""
    grid = [r for r in recs if r["config"].get("lr_scale", 0)]
    kept = [r for r in recs if not r["config"].get("lr_scale", 0)]
    choices = {}
    for spec in sorted({r["config"]["estimator"] for r in grid}):
        rs = [r for r in grid if r["config"]["estimator"] == spec]
        scales = sorted({r["config"]["lr_scale"] for r in rs})
        seeds_at = {s: {r["config"]["seed"] for r in rs if r["config"]["lr_scale"] == s} for s in scales}
        gseeds = set.intersection(*seeds_at.values())
        points = {}
        for s in scales:
            at = [r for r in rs if r["config"]["lr_scale"] == s and r["config"]["seed"] in gseeds]
            ok = [r for r in at if r["status"] == "ok"]
            div = sum(r["status"] == "diverged" for r in at)
            vt = float(np.mean([r["epochs"][-1]["val_top1"] for r in ok])) if ok else math.nan
            vl = float(np.mean([r["epochs"][-1]["val_loss"] for r in ok])) if ok else math.nan
            points[s] = (vt, vl, len(ok), div)
        best = None
        for s in scales:  # increasing: a full tie keeps the smaller
            if points[s][2] > 0 and (best is None or better(points[s], points[best])):
                best = s
        choices[spec] = (best, points)
        kept += [r for r in rs if r["config"]["lr_scale"] == best]
    return kept, choices


class Row:
    def __init__(self, rs):
        self.runs = rs

    def values(self, metric):
        out = {}
        for r in self.runs:
            if r["status"] != "ok":
                continue
            if metric == "top1":
                out[r["config"]["seed"]] = r["final"]["test_top1"]
            elif metric == "test_loss":
                out[r["config"]["seed"]] = r["epochs"][-1]["test_loss"]
            elif metric == "train_loss":
                out[r["config"]["seed"]] = r["final"]["train_loss"]
        return out

    def diverged(self):
        return sum(r["status"] == "diverged" for r in self.runs)

    def diverged_cell(self):
        es = sorted(r["diverged"]["epoch"] for r in self.runs if r["status"] == "diverged")
        if not es:
            return "0"
        return "%d (%s %s)" % (len(es), "epochs" if len(es) > 1 else "epoch", ", ".join(map(str, es)))

    def sec_per_epoch(self):
        ok = [r["final"]["seconds_per_epoch"] for r in self.runs if r["status"] == "ok"]
        return float(np.mean(ok)) if ok else math.nan


def paired(ref, row, metric):
    a, b = ref.values(metric), row.values(metric)
    seeds = sorted(set(a) & set(b))
    x = np.array([b[s] for s in seeds])
    y = np.array([a[s] for s in seeds])
    return x, y

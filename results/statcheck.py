#!/usr/bin/env python3
"""Independent check of the statistics in the committed result tables.

Re-run: python3 results/statcheck.py   (needs NumPy and SciPy; CI does not
run it). It reads the run records (*.json) directly, not gradbench's
output, recomputes every number of the tables that `gradbench table`
wrote from them, and compares with the committed markdown:

  results/study/tables.md       (records in results/study/runs and
                                 results/study/optimizers)
  results/fmnist-10/table.md, results/quick-ablation/table.md,
  results/quick-since-fda/table.md (the README's result tables)
  README.md's study findings (the sentences of gradbench table --ablation
  findings over results/study: each Δ, interval, p and n, the class the
  words put the comparison in, and the range of the intervals' widths)

A table of gradbench table --seeds says under its heading which seeds it
covers ("Seeds 3–10 only (--seeds): ..."): it is recomputed from those
seeds' runs alone, at the learning rates chosen on every seed that ran the
grid (or, where the line says the rates were chosen on these seeds, as in
the lr table, chosen on them); a section "## Seeds A to B alone" must hold
only tables that say those seeds. README's line "**On seeds 3–10 alone**
..." is the top-1 findings over those seeds and is checked the same way.

The README's copies of these tables are kept equal to gradbench's output
by results/update-readme.sh --check; results/study.sh --report rebuilds
tables.md.

What it recomputes, per table row (the definitions are those of the
doc comments in suite/stats.go and suite/lrgrid.go):
  - learning-rate tables: per estimator and multiplier, the mean final
    validation top-1 over the finished runs of the seeds that ran every
    multiplier, the number of those runs and of diverged ones, and the
    choice (highest mean, ties: lower validation loss, smaller multiplier)
    and the chosen lr cell (the rate, its multiplier, an edge of the grid,
    the multipliers beyond it it did not run);
  - top-1 tables (main and sides): mean and sample standard deviation
    (n-1) of the final test top-1 over finished runs, n, diverged runs,
    and against ste, over the seeds both finished: the mean paired
    difference, its Student t 95% interval (SciPy's one-sample t test's
    confidence_interval) and the two-sided sign-flip permutation p-value
    (scipy.stats.permutation_test with permutation_type='samples'): exact
    over all 2^n sign patterns for n <= 20 pairs (n_resamples=inf), from
    random sign patterns above (see Tolerances); and the * for p < 0.05;
    where rows finished different seeds, the seeds and paired columns
    (which must be there exactly then);
  - loss tables: the same mean ± std, Δ and 95% interval of the final test
    loss (last epoch's test_loss) and the final training loss;
  - p (Holm), in every table with a p: the p-values this check recomputed
    for the table's comparisons that have one (two or more pairs),
    adjusted by Holm's step-down method (holm() below, written from the
    definition: statsmodels, whose multipletests(method='holm') would do,
    is not a dependency), and its * for an adjusted p < 0.05; and the
    number of comparisons the note under the table says it corrects over;
  - under each heading, the note on the table's records without a data
    digest (how many of how many, and which), or that there is none when
    none or all lack one;
  - in the README's findings, that every estimator with two or more
    seeds paired with ste is stated with its Δ, interval, p and n (one
    left out, or garbled past reading, is a mismatch);
  - in the README's findings, the sentence on Holm's correction: the
    number K of comparisons with a p among the estimators the README
    tabulates (update-readme.sh's lists, STUDY_ESTIMATORS below), which
    of the differences called beyond seed noise stay so (adjusted p <
    0.05) and which do not, each one's adjusted p, and whether the
    sentence that no difference can survive is there exactly when
    K·2/2^n >= 0.05 (n the most paired seeds).

Tolerances: every number is formatted with the table's own decimals (a p
with three, or with more where three would round a p below 0.05 up to
0.050) and must print the same text; a value within 1e-9 (relative) of a rounding
boundary may round either way, since the last bit of a float sum decides
it (such values are listed). With n <= 20 pairs gradbench and this check
both count all 2^n sign patterns, so the p-value is exact and must print
the same. With more pairs neither is exact: gradbench estimates p from
2^20 random sign patterns and this check from 200000 SciPy resamples, and
the printed p must be within 5 Monte Carlo standard errors of each
estimate plus the printed rounding (the summary says how many p-values
were so checked); an adjusted p from such estimates, K times as far.

Exit status: 0 when every number agrees, 1 on any mismatch (each printed),
2 on bad input.
"""

import glob
import json
import math
import os
import re
import sys

try:
    import numpy as np
    from scipy import stats
except ImportError as e:
    print("statcheck: %s: it needs NumPy and SciPy (Debian: apt-get install python3-numpy python3-scipy; "
          "then run it with the python3 they belong to, such as /usr/bin/python3)" % e, file=sys.stderr)
    sys.exit(2)

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TABLES = [
    ("results/study/tables.md", ["results/study/runs", "results/study/optimizers"]),
    ("results/fmnist-10/table.md", ["results/fmnist-10"]),
    ("results/quick-ablation/table.md", ["results/quick-ablation"]),
    ("results/quick-since-fda/table.md", ["results/quick-since-fda"]),
]
BASELINE = "ste"
CONF = 0.95
ALPHA = 0.05
MAX_EXACT = 20         # gradbench's maxExactFlips: more pairs, a Monte Carlo p
MC_DRAWS = 1 << 20     # gradbench's random sign patterns above MAX_EXACT
SCIPY_DRAWS = 200000   # this check's resamples above MAX_EXACT
DASH = "–"
# The estimators README.md's study findings tabulate (results/update-readme.sh's
# --estimators), per optimizer: the family Holm's correction runs over.
STUDY_ESTIMATORS = {
    "sgd": ["approxsign", "dsq", "bnnplus", "ede", "fda", "fda+na"],
    "adam": ["approxsign", "fda"],
    "bop": ["approxsign", "fda"],
}

mismatches = []
at_edge = []  # values on a rounding boundary, accepted either way
compared = 0
mc_checked = 0  # p-values checked within a Monte Carlo tolerance (n > MAX_EXACT)


def fail(msg):
    print("statcheck: " + msg, file=sys.stderr)
    sys.exit(2)


# --- records -----------------------------------------------------------------

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
        cands = [s for s in scales if points[s][2] > 0]
        best = None
        if cands:
            best = sorted(cands, key=lambda s: (-points[s][0], points[s][1], s))[0]
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


def t_interval(d):
    res = stats.ttest_1samp(d, 0.0)
    ci = res.confidence_interval(CONF)
    return float(np.mean(d)), float(ci.low), float(ci.high)


def sign_flip_p(x, y):
    """The sign-flip p of the pairs, and gradbench's number of random sign
    patterns for them (0: both exact, over all 2^n)."""
    d = x - y
    if np.all(d == 0):
        return 1.0, 0
    exact = len(d) <= MAX_EXACT
    res = stats.permutation_test(
        (x, y), lambda u, v, axis: np.mean(u - v, axis=axis),
        permutation_type="samples", alternative="two-sided",
        n_resamples=np.inf if exact else SCIPY_DRAWS, vectorized=True, random_state=1)
    return float(res.pvalue), (0 if exact else MC_DRAWS)


def holm(ps):
    """Holm's step-down adjusted p-values (Holm 1979, Scandinavian Journal
    of Statistics 6(2):65-70), in the order of ps: with the m p-values
    sorted ascending, the i-th adjusted is max over j <= i of
    min(1, (m - j + 1) p_(j))."""
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    m = len(ps)
    out = [None] * m
    run = 0.0
    for j, i in enumerate(order, start=1):
        run = max(run, min(1.0, (m - j + 1) * ps[i]))
        out[i] = run
    return out


def p_prec(p):
    """The decimals gradbench prints a p-value with: three, or as many
    more as it takes for a p below ALPHA to read below it (0.0498, not
    0.050)."""
    prec = 3
    while p < ALPHA and prec < 17 and float("%.*f" % (prec, p)) >= ALPHA:
        prec += 1
    return prec


def min_sign_flip_p(n):
    return min(1.0, 2.0 / 2 ** n)


# --- comparing ---------------------------------------------------------------

def check(where, what, value, printed, prec):
    """value (a float) printed with prec decimals must read printed."""
    global compared
    compared += 1
    want = "%+.*f" % (prec, value) if printed[:1] in "+-" else "%.*f" % (prec, value)
    if want == printed:
        return
    try:
        near = abs(value - float(printed)) <= 0.5 * 10 ** -prec + 1e-9
    except ValueError:
        near = False
    edge = near and abs(abs(value * 10 ** prec) % 1 - 0.5) < 1e-9 * max(1, abs(value * 10 ** prec))
    if edge:
        at_edge.append("%s: %s: %r printed as %s" % (where, what, value, printed))
    else:
        mismatches.append("%s: %s: recomputed %s (%r), table says %s" % (where, what, want, value, printed))


def check_text(where, what, want, printed):
    global compared
    compared += 1
    if want != printed:
        mismatches.append("%s: %s: recomputed %r, table says %r" % (where, what, want, printed))


def check_pair(where, what, ref, row, metric, prec, cells, adj=None):
    """cells: Δ, CI and (for top-1) p and p (Holm) as printed; adj: the
    comparison's Holm-adjusted p, as family_holm gives it."""
    x, y = paired(ref, row, metric)
    n = len(x)
    if n == 0:
        for c in cells:
            check_text(where, what, DASH, c)
        return
    d = x - y
    check(where, "Δ " + what, float(np.mean(d)), cells[0], prec)
    if n < 2:
        for c in cells[1:]:
            check_text(where, what, DASH, c)
        return
    _, lo, hi = t_interval(d)
    ci = cells[1].strip("[]").split(", ")
    check(where, "95% CI low " + what, lo, ci[0], prec)
    check(where, "95% CI high " + what, hi, ci[1], prec)
    if len(cells) > 2:
        printed = cells[2].replace(" *", "")
        check_p(where, "p " + what, x, y, printed)
        check_text(where, "p < %g mark %s" % (ALPHA, what), float(printed) < ALPHA, cells[2].endswith(" *"))
    if len(cells) > 3:
        check_adjusted(where, "p (Holm) " + what, adj, cells[3])


def family_holm(pairs):
    """pairs: {key: (x, y)} of a table's comparisons. Returns {key: (adjusted
    p, K, Monte Carlo draws)} for those with two or more pairs, the family."""
    fam = {k: sign_flip_p(x, y) for k, (x, y) in pairs.items() if len(x) >= 2}
    keys = list(fam)
    adj = holm([fam[k][0] for k in keys])
    draws = max([fam[k][1] for k in keys], default=0)
    return {k: (a, len(keys), draws) for k, a in zip(keys, adj)}


def check_family_note(where, adjusted, note):
    """The note under a table with p (Holm) says how many comparisons the
    correction runs over: the family family_holm found."""
    k = len(adjusted)
    want = ("the table's comparisons that have a p" if k == 0 else
            "the table's one comparison with a p (so it equals p)" if k == 1 else
            "the table's %d comparisons with a p" % k)
    check_text(where, "the family p (Holm) corrects over, in the note", True, "p (Holm): p adjusted by Holm's step-down method over " + want + "," in note)


def check_adjusted(where, what, adj, cell):
    """A printed p (Holm) cell: 3 decimals and a * below ALPHA; within K
    times the Monte Carlo tolerance of check_p when the family's p-values
    are estimates."""
    global compared, mc_checked
    if adj is None:
        mismatches.append("%s: %s: not in the family this check computed, table says %s" % (where, what, cell))
        return
    a, k, draws = adj
    printed = cell.replace(" *", "")
    if draws == 0:
        check(where, what, a, printed, p_prec(a))
        check_text(where, what + " < %g mark" % ALPHA, float(printed) < ALPHA, cell.endswith(" *"))
        return
    compared += 1
    mc_checked += 1
    sd = math.sqrt(max(a * (1 - a), 1e-12))
    tol = k * (5 * sd / math.sqrt(draws) + 5 * sd / math.sqrt(SCIPY_DRAWS)) + 0.0005
    if abs(a - float(printed)) > tol:
        mismatches.append("%s: %s: recomputed %.4f, table says %s (Monte Carlo, tolerance %.4f)" % (where, what, a, printed, tol))


def check_p(where, what, x, y, printed):
    """The sign-flip p of the pairs x, y, printed with 3 decimals: the same
    text when both are exact, within tolerance when both are estimates."""
    global compared, mc_checked
    p, draws = sign_flip_p(x, y)
    if draws == 0:
        check(where, what, p, printed, p_prec(p))
        return
    compared += 1
    mc_checked += 1
    sd = math.sqrt(max(p * (1 - p), 1e-12))
    tol = 5 * sd / math.sqrt(draws) + 5 * sd / math.sqrt(SCIPY_DRAWS) + 0.0005
    if abs(p - float(printed)) > tol:
        mismatches.append("%s: %s: recomputed %.4f, table says %s (Monte Carlo, tolerance %.4f)" % (where, what, p, printed, tol))


def mean_std_cell(xs, prec):
    if len(xs) == 0:
        return None
    return float(np.mean(xs)), (float(np.std(xs, ddof=1)) if len(xs) > 1 else None)


def check_mean_std(where, what, xs, cell, prec):
    if len(xs) == 0:
        check_text(where, what, DASH, cell)
        return
    m, s = cell.split(" ± ")
    check(where, "mean " + what, float(np.mean(xs)), m, prec)
    if len(xs) == 1:
        check_text(where, "std " + what, DASH, s)
    else:
        check(where, "std " + what, float(np.std(xs, ddof=1)), s, prec)


# --- markdown ----------------------------------------------------------------

def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            i += 1
        out.append(s[i])
        i += 1
    return "".join(out)


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_seeds(text):
    """The seeds of gradbench's list of them: "3–10", "1, 2, 5", "1–4, 7"."""
    seeds = set()
    for part in text.split(", "):
        lo, dash, hi = part.partition("–")
        if not lo.isdigit() or (dash and not hi.isdigit()):
            fail("seeds %r: not a list of seeds" % text)
        seeds.update(range(int(lo), int(hi) + 1) if dash else [int(lo)])
    return seeds


def fmt_seeds(seeds):
    """gradbench's list of ascending seeds: runs of three or more as a
    range, "1–4, 7", "1, 2, 5"; "none" for none."""
    seeds = sorted(seeds)
    if not seeds:
        return "none"
    parts, i = [], 0
    while i < len(seeds):
        j = i
        while j + 1 < len(seeds) and seeds[j + 1] == seeds[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append("%d–%d" % (seeds[i], seeds[j]))
        else:
            parts.extend(str(s) for s in seeds[i:j + 1])
        i = j + 1
    return ", ".join(parts)


def go_g(x, prec=None):
    """x as Go's strconv.FormatFloat(x, 'g', prec, 64) writes it: the
    shortest form that reads back as x when prec is None (-1)."""
    if prec is None:
        r = repr(float(x))
        return r[:-2] if r.endswith(".0") else r
    return "%.*g" % (prec, x)


def check_seed_cols(where, header, row, col, ref, g, refspec, spec):
    """The seeds and paired columns gradbench adds when some row of a table
    finished other seeds than the row it is compared with: a row's seeds
    with a top-1, and those it shares with the reference ("–" for the
    reference's own row)."""
    if "seeds" not in col:
        return
    check_text(where, "seeds", fmt_seeds(g.values("top1")), row[col["seeds"]])
    paired_col = [h for h in header if h.startswith("paired")][0]
    want = DASH if spec == refspec or ref is None else fmt_seeds(set(ref.values("top1")) & set(g.values("top1")))
    check_text(where, "paired seeds", want, row[col[paired_col]])


# The line under a workload's heading of a table of gradbench table --seeds,
# and the study's section heading of such tables.
SEEDS_LINE = re.compile(r"^Seeds ([0-9][0-9–, ]*) only \(--seeds\): (.*)$")
SEEDS_SECTION = re.compile(r"^## Seeds ([0-9]+) to ([0-9]+) alone\b")
LR_ON_SEEDS = "the learning rates below are chosen on the runs of these seeds alone"


def tables_of(path):
    """(heading, header, rows, seeds, note, undigested) for each markdown
    table of path (note: the first line after it; undigested: for the first
    table under a heading, the line before it on records without a data
    digest, "" if there is none; None for the other tables):
    seeds is None for a table of every seed, or (the seeds, whether the
    learning rates were chosen on them alone) for one of gradbench table
    --seeds, from the line under its heading. A section heading that names
    seeds must have tables that say the same."""
    with open(os.path.join(ROOT, path)) as fh:
        lines = fh.read().split("\n")
    heading, seeds, section, out, i = None, None, None, [], 0
    undigested = None
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("## "):
            m = SEEDS_SECTION.match(ln)
            section = set(range(int(m.group(1)), int(m.group(2)) + 1)) if m else None
        if ln.startswith("### "):
            heading, seeds, undigested = ln[4:], None, ""
        if ln.startswith("Note: ") and UNDIGESTED in ln and undigested == "":
            undigested = ln
        m = SEEDS_LINE.match(ln)
        if m:
            seeds = (parse_seeds(m.group(1)), m.group(2).startswith(LR_ON_SEEDS))
        if ln.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(lines[i])
                i += 1
            if section is not None and (seeds is None or seeds[0] != section):
                mismatches.append("%s: a table under a heading of seeds %s says it is of %s" % (
                    path, sorted(section), "every seed" if seeds is None else "seeds %s" % sorted(seeds[0])))
            j = i
            while j < len(lines) and lines[j] == "":
                j += 1
            note = lines[j] if j < len(lines) else ""
            out.append((heading, cells(block[0]), [cells(b) for b in block[2:]], seeds, note, undigested))
            undigested = None
            continue
        i += 1
    return out


def workload_for(heading, wls):
    cands = []
    for key, recs in wls.items():
        c = recs[0]["config"]
        h = unescape(heading)
        if (h.startswith(c["model"] + " ") and (" on %s" % c["dataset"]) in h
                and (", recipe %s:" % recs[0].get("recipe", "")) in h
                and (", %s lr " % c["optimizer"]) in h and ("%d epochs" % c["epochs"]) in h):
            cands.append(key)
    if len(cands) != 1:
        fail("heading %r matches %d workloads of the records" % (heading, len(cands)))
    return cands[0]


UNDIGESTED = " carry no data digest (written before gradbench kept them)"


def undigested_note(recs):
    """gradbench's note on the records of a table without a data digest
    ("" when none or all are): how many, and which, as every record of
    some seeds when those seeds have no record with a digest, else per
    estimator (optimizer, learning-rate multiplier) with its seeds."""
    without = [r for r in recs if r.get("data") is None]
    if not without or len(without) == len(recs):
        return ""
    def seeds_text(ss):
        ss = sorted(set(ss))
        return ("seed " if len(ss) == 1 else "seeds ") + fmt_seeds(ss)
    seeds = {r["config"]["seed"] for r in without}
    if all(r.get("data") is None for r in recs if r["config"]["seed"] in seeds):
        which = "every record of " + seeds_text(seeds)
    else:
        opts = {r["config"]["optimizer"] for r in recs}
        entries = {}
        for r in without:
            c = r["config"]
            entries.setdefault((c["estimator"], c["optimizer"], c.get("lr_scale", 0)), []).append(c["seed"])
        parts = []
        for (est, opt, lr), ss in sorted(entries.items()):
            label = est + (" " + opt if len(opts) > 1 else "") + (" lr ×" + go_g(lr) if lr else "")
            parts.append(label + " " + seeds_text(ss))
        which = "; ".join(parts)
    return ("Note: %d of these %d records%s, so whether they were trained on the same data as the others could not be checked: %s. "
            "Delete them and run the sweep again to have them trained on the data read now." % (len(without), len(recs), UNDIGESTED, which))


def chosen_lr_cell(spec, best, points, header, recs):
    """The chosen lr cell of an lr table's row, as gradbench writes it: the
    learning rate and its multiplier, whether it is at an edge of the
    multipliers the estimator ran, and the multipliers beyond it that other
    rows ran and it did not."""
    if best is None:
        return "none (every run diverged)"
    lr = [r["config"]["lr"] for r in recs if r["config"]["estimator"] == spec][0]
    cell = "%s (×%s)" % (go_g(lr * best, 6), go_g(best))
    ran = sorted(points)
    lo, hi = ran[0], ran[-1]
    if len(ran) >= 2 and best == hi:
        cell += ", at the grid's upper edge"
    elif len(ran) >= 2 and best == lo:
        cell += ", at the grid's lower edge"
    scales = [float(h[len("val top-1 % at lr ×"):]) for h in header if h.startswith("val top-1 % at lr ×")]
    missing = [go_g(s) for s in scales if s not in points and (s > best and best == hi or s < best and best == lo)]
    if missing:
        cell += ", without runs at ×" + ", ×".join(missing)
    return cell


def check_file(path, dirs):
    recs = load(dirs)
    wls = {}
    for r in recs:
        wls.setdefault(workload_key(r["config"]), []).append(r)
    selected = {k: select_lr(v) for k, v in wls.items()}
    for heading, header, rows, seeds, note, undigested in tables_of(path):
        if heading is None:
            fail(path + ": a table before any ### heading")
        kept, choices = selected[workload_for(heading, wls)]
        if seeds is not None:
            # gradbench table --seeds: the rows are of these seeds' runs
            # at the rates chosen on every seed, or, where the table says
            # so (the lr table), at the rates these seeds' runs choose.
            only, lr_on_seeds = seeds
            if lr_on_seeds:
                kept, choices = select_lr([r for r in wls[workload_for(heading, wls)] if r["config"]["seed"] in only])
            kept = [r for r in kept if r["config"]["seed"] in only]
        specs = {}
        for r in kept:
            specs.setdefault(r["config"]["estimator"], []).append(r)
        groups = {s: Row(rs) for s, rs in specs.items()}
        c0 = wls[workload_for(heading, wls)][0]
        where0 = "%s (recipe %s, %s)" % (path, c0.get("recipe", "?"), c0["config"]["optimizer"])
        if undigested is not None:
            # The records the table was made from: the workload's, of the
            # estimators of its first table (--estimators), and of --seeds
            # where the table's rows were chosen on them (not on a grid,
            # or the lr table).
            first = "spec" if "spec" in header else "estimator"
            ests = {unescape(r[header.index(first)]) for r in rows}
            made_of = [r for r in wls[workload_for(heading, wls)] if r["config"]["estimator"] in ests]
            grid = bool(c0["config"].get("lr_scale", 0))
            if seeds is not None and (seeds[1] or not grid):
                made_of = [r for r in made_of if r["config"]["seed"] in seeds[0]]
            check_text(where0, "the note on records without a data digest", undigested_note(made_of), unescape(undigested))
        col = {h: i for i, h in enumerate(header)}
        if any(h.startswith("val top-1 % at lr ×") for h in header):
            for row in rows:
                spec = unescape(row[0])
                where = "%s, lr table, %s" % (where0, spec)
                if spec not in choices:
                    mismatches.append(where + ": no grid runs of this estimator in the records")
                    continue
                best, points = choices[spec]
                for h, i in col.items():
                    if not h.startswith("val top-1 % at lr ×"):
                        continue
                    scale = float(h[len("val top-1 % at lr ×"):])
                    cell = row[i]
                    bold = cell.startswith("**")
                    cell = cell.strip("*")
                    pt = points.get(scale)
                    if pt is None:
                        check_text(where, "×%g" % scale, DASH, cell)
                        continue
                    vt, _, n, div = pt
                    check_text(where, "×%g chosen" % scale, scale == best, bold)
                    if n == 0:
                        check_text(where, "×%g" % scale, "diverged (%d)" % div, cell)
                        continue
                    num, rest = cell.split(" ", 1)
                    check(where, "val top-1 at ×%g" % scale, vt, num, 2)
                    want = "(n=%d)" % n + (", %d diverged" % div if div else "")
                    check_text(where, "runs at ×%g" % scale, want, rest)
                check_text(where, "chosen lr", chosen_lr_cell(spec, best, points, header, wls[workload_for(heading, wls)]), row[col["chosen lr"]])
            continue
        if ("p" in col) != ("p (Holm)" in col) or ("p (Holm)" in col and col["p (Holm)"] != col["p"] + 1):
            mismatches.append("%s: a table whose p column is not followed by p (Holm): %r" % (where0, header))
            continue
        if "without NA" in col:  # the FDA paper's Table 3: each spec with NA against itself without
            pairs = {}
            for row in rows:
                without, with_ = unescape(row[0]).rsplit("(", 1)[1].rstrip(")").split(" → ")
                if without in groups and with_ in groups:
                    pairs[row[0]] = paired(groups[without], groups[with_], "top1")
            adjusted = family_holm(pairs)
            check_family_note(where0, adjusted, note)
            for row in rows:
                without, with_ = unescape(row[0]).rsplit("(", 1)[1].rstrip(")").split(" → ")
                where = "%s, %s → %s" % (where0, without, with_)
                ga, gb = groups.get(without), groups.get(with_)
                if ga is None or gb is None:
                    mismatches.append(where + ": no records of one of the two specs")
                    continue
                for g, c, name in ((ga, "without NA", without), (gb, "with NA", with_)):
                    check_mean_std(where, "top-1 " + name, list(g.values("top1").values()), row[col[c]], 2)
                check_text(where, "n", "%d / %d" % (len(ga.values("top1")), len(gb.values("top1"))), row[col["n"]])
                check_text(where, "diverged", "%s / %s" % (ga.diverged_cell(), gb.diverged_cell()), row[col["diverged"]])
                if "seeds" in col:
                    check_text(where, "seeds", "%s / %s" % (fmt_seeds(ga.values("top1")), fmt_seeds(gb.values("top1"))), row[col["seeds"]])
                    check_text(where, "paired seeds", fmt_seeds(set(ga.values("top1")) & set(gb.values("top1"))), row[col["paired"]])
                check_text(where, "seeds and paired columns (some pair leaves a seed out)",
                           any(set(groups[a].values("top1")) != set(groups[b].values("top1"))
                               for a, b in (unescape(r[0]).rsplit("(", 1)[1].rstrip(")").split(" → ") for r in rows)
                               if a in groups and b in groups),
                           "seeds" in col)
                i = col["Δ with − without (pp)"]
                check_pair(where, "top-1", ga, gb, "top1", 2, row[i:i + 4], adjusted.get(row[0]))
            continue
        key = "spec" if "spec" in col else "estimator"
        dheads = [h for h in header if h.startswith("Δ vs ")]
        refspec = BASELINE
        if dheads and dheads[0] != "Δ vs %s (pp)" % BASELINE:
            refspec = unescape(rows[0][col[key]])  # the paper tables compare with their first row
        ref = groups.get(refspec)
        adjusted = {}
        if "p (Holm)" in col and ref is not None:
            # The family: every row but the reference's own, with its records.
            pairs = {}
            for row in rows:
                spec = unescape(row[col[key]])
                if spec != refspec and spec in groups:
                    pairs[spec] = paired(ref, groups[spec], "top1")
            adjusted = family_holm(pairs)
        if "p (Holm)" in col:
            check_family_note(where0, adjusted, note)
        if "top-1 % (mean ± std)" in col:
            # gradbench adds the seeds and paired columns exactly when a
            # row compared with the reference finished other seeds.
            unequal = ref is not None and any(
                set(ref.values("top1")) != set(groups[unescape(r[col[key]])].values("top1"))
                for r in rows if unescape(r[col[key]]) != refspec and unescape(r[col[key]]) in groups)
            check_text(where0, "seeds and paired columns (some row finished other seeds than %s)" % refspec, unequal, "seeds" in col)
        for row in rows:
            spec = unescape(row[col[key]])
            where = "%s, %s" % (where0, spec)
            g = groups.get(spec)
            if g is None:
                mismatches.append(where + ": no records of this spec at its chosen rate")
                continue
            if "top-1 % (mean ± std)" in col:
                top1 = list(g.values("top1").values())
                check_mean_std(where, "top-1", top1, row[col["top-1 % (mean ± std)"]], 2)
                check_text(where, "n", str(len(top1)), row[col["n"]])
                check_text(where, "diverged", g.diverged_cell(), row[col["diverged"]])
                check_seed_cols(where, header, row, col, ref, g, refspec, spec)
                dcol = [h for h in header if h.startswith("Δ vs ")][0]
                i = col[dcol]
                if spec == refspec or ref is None:
                    for c in row[i:i + 4]:
                        check_text(where, "Δ/CI/p/p (Holm) of the baseline", DASH, c)
                else:
                    check_pair(where, "top-1", ref, g, "top1", 2, row[i:i + 4], adjusted.get(spec))
                if "sec/epoch" in col:
                    if top1:
                        check(where, "sec/epoch", g.sec_per_epoch(), row[col["sec/epoch"]], 1)
                    else:
                        check_text(where, "sec/epoch", DASH, row[col["sec/epoch"]])
            elif "test loss (mean ± std)" in col:
                for metric, name in (("test_loss", "test loss"), ("train_loss", "train loss")):
                    xs = list(g.values(metric).values())
                    check_mean_std(where, name, xs, row[col[name + " (mean ± std)"]], 3)
                    i = col["Δ %s vs %s" % (name, BASELINE)]
                    if spec == refspec or ref is None:
                        for c in row[i:i + 2]:
                            check_text(where, "Δ/CI of the baseline", DASH, c)
                    else:
                        check_pair(where, name, ref, g, metric, 3, row[i:i + 2])
            else:
                fail("%s: a table with header %r: not one statcheck knows" % (path, header))


FINDING = re.compile(r"([^\s(;:]+) \(Δ ([+-][0-9.]+)(?: points)?, 95% CI \[([+-][0-9.]+), ([+-][0-9.]+)\], p = ([0-9.]+), n = ([0-9]+)\)")
WIDTHS = re.compile(r"The 95% intervals? of the differences? (?:are|is) ([0-9.]+)(?:–([0-9.]+))?(?: points)? wide")
HOLM_AFTER = re.compile(r"After Holm's correction for the ([0-9]+) comparisons with ste on this metric, (.*?\))\.(?: |$)")
HOLM_ITEM = re.compile(r"([^\s(;:]+) \(adjusted p = ([0-9.]+)\)")
HOLM_LIMIT = re.compile(r"With (at most )?([0-9]+) paired seeds no difference could(?: survive Holm's correction for the ([0-9]+) comparisons with ste on this metric)?: "
                        r"the smallest adjusted p is (?:([0-9]+) × 2/2\^([0-9]+) = ([0-9.e+-]+)|min\(1, ([0-9]+) × 2/2\^([0-9]+)\) = 1), not below 0\.05")
HELDOUT = re.compile(r"^\*\*On seeds ([0-9][0-9–, ]*) alone\*\* \(never used to choose a learning rate\): ")
LABELS = (("Higher than ste beyond seed noise", "higher"), ("Lower than ste beyond seed noise", "lower"),
          ("Within seed noise of ste", "noise"), ("no estimator differs from ste beyond seed noise", "noise"),
          ("One test alone, not both", "one test"))


def check_readme():
    """The findings sentences of README.md's study section (gradbench table
    --ablation findings): each comparison's Δ, interval, p, n, the class
    its words put it in, and the range of the intervals' widths."""
    with open(os.path.join(ROOT, "README.md")) as fh:
        text = fh.read()
    try:
        study = text.split("<!-- study:begin -->", 1)[1].split("<!-- study:end -->", 1)[0]
    except IndexError:
        fail("README.md has no study section")
    wls = {}
    for r in load(["results/study/runs", "results/study/optimizers"]):
        wls.setdefault(r["config"]["optimizer"], {}).setdefault(workload_key(r["config"]), []).append(r)
    groups = {}
    for opt, byk in wls.items():
        if len(byk) != 1:
            fail("more than one %s workload in results/study" % opt)
        kept, _ = select_lr(list(byk.values())[0])
        specs = {}
        for r in kept:
            specs.setdefault(r["config"]["estimator"], []).append(r)
        groups[opt] = {k: Row(v) for k, v in specs.items()}
    lines = heldout = 0
    for line in study.split("\n"):
        gs_of = None
        m = HELDOUT.match(line)
        if m:
            # The top-1 findings over the seeds that chose no learning
            # rate: the pairs among those seeds alone.
            heldout += 1
            only = parse_seeds(m.group(1))
            gs_of = {k: Row([r for r in g.runs if r["config"]["seed"] in only]) for k, g in groups["sgd"].items()}
            if not line[m.end():].startswith("**Top-1 accuracy**"):
                mismatches.append("README.md study findings on seeds %s: not the top-1 findings line" % m.group(1))
                continue
            opt, metric, prec = "sgd", "top1", 2
        elif line.startswith("- **Top-1 accuracy**"):
            opt, metric, prec = "sgd", "top1", 2
        elif line.startswith("- **Train loss**"):
            opt, metric, prec = "sgd", "train_loss", 3
        elif line.startswith(("- Adam, ", "- Bop, ")):
            opt = line[2:].split(",")[0].lower()
            metric, prec = ("top1", 2) if line.split(", ")[1].startswith("top-1") else ("train_loss", 3)
        else:
            continue
        if gs_of is None:
            lines += 1
            gs = groups[opt]
            where = "README.md study findings (%s, %s)" % (opt, metric)
        else:
            gs = gs_of
            where = "README.md study findings (%s, %s, seeds %s alone)" % (opt, metric, m.group(1))
        widths = []
        found = [m.group(1) for m in FINDING.finditer(line)]
        # Every estimator with two or more seeds paired with ste is stated,
        # once, with its Δ, interval, p and n: one left out, or written so
        # that it is not read as a finding, is a mismatch, not a pass.
        check_text(where, "the estimators stated with Δ, 95% CI, p and n",
                   sorted(s for s in STUDY_ESTIMATORS[opt] if s in gs and "ste" in gs and len(paired(gs["ste"], gs[s], metric)[0]) >= 2),
                   sorted(found))
        for m in FINDING.finditer(line):
            spec = m.group(1)
            w = "%s, %s" % (where, spec)
            if spec not in gs:
                mismatches.append(w + ": no records of this spec")
                continue
            x, y = paired(gs["ste"], gs[spec], metric)
            d = x - y
            mean, lo, hi = t_interval(d)
            p, _ = sign_flip_p(x, y)
            check(w, "Δ", mean, m.group(2), prec)
            check(w, "95% CI low", lo, m.group(3), prec)
            check(w, "95% CI high", hi, m.group(4), prec)
            check_p(w, "p", x, y, m.group(5))
            check_text(w, "n", str(len(d)), m.group(6))
            label = None
            for words, cls in LABELS:
                at = line.rfind(words, 0, m.start())
                if at >= 0 and (label is None or at > label[0]):
                    label = (at, cls)
            t_excl, perm = lo > 0 or hi < 0, p < ALPHA
            want = ("higher" if mean > 0 else "lower") if t_excl and perm else "one test" if t_excl or perm else "noise"
            check_text(w, "class", want, label[1] if label else None)
            widths.append(hi - lo)
        check_holm_sentence(where, line, gs, STUDY_ESTIMATORS[opt], metric)
        wm = WIDTHS.search(line)
        if widths and wm:
            check(where, "narrowest interval", min(widths), wm.group(1), prec)
            check(where, "widest interval", max(widths), wm.group(2) or wm.group(1), prec)
        elif widths:
            mismatches.append(where + ": no interval widths stated")
    if lines != 6:
        mismatches.append("README.md study findings: %d lines of findings, expected 6 (sgd, adam, bop × top-1, train loss)" % lines)
    if heldout != 1:
        mismatches.append("README.md study findings: %d lines of findings on the seeds that chose no learning rate, expected 1 (sgd top-1)" % heldout)


def check_holm_sentence(where, line, gs, specs, metric):
    """The findings line's sentence on Holm's correction, recomputed from
    the records: the family is the estimators of specs with two or more
    seeds paired with ste; of those whose t interval excludes 0 and whose
    p < 0.05 (beyond seed noise), those with a Holm-adjusted p < 0.05 stay
    so and the others do not."""
    fam, cls, ns = {}, {}, {}
    for spec in specs:
        if spec not in gs:
            continue
        x, y = paired(gs["ste"], gs[spec], metric)
        if len(x) < 2:
            continue
        p, draws = sign_flip_p(x, y)
        if draws:
            mismatches.append("%s: %s: a Monte Carlo p; this check compares Holm's lists for exact p only" % (where, spec))
            return
        _, lo, hi = t_interval(x - y)
        fam[spec] = p
        cls[spec] = (lo > 0 or hi < 0) and p < ALPHA
        ns[spec] = len(x)
    keys = list(fam)
    adj = dict(zip(keys, holm([fam[k] for k in keys])))
    k = len(keys)
    n = max(ns.values(), default=0)
    beyond = [s for s in keys if cls[s]]
    m = HOLM_AFTER.search(line)
    lim = HOLM_LIMIT.search(line)
    # gradbench says nothing on Holm's correction for a family of one, nor
    # when no p of these seeds can reach 0.05 at all (it says that instead).
    said = k > 1 and min_sign_flip_p(n) < ALPHA
    check_text(where, "a sentence on which differences stay beyond noise after Holm's correction", said and bool(beyond), m is not None)
    limit = said and k * min_sign_flip_p(n) >= ALPHA
    check_text(where, "the sentence that no difference can survive Holm's correction", limit, lim is not None)
    if m is not None:
        check_text(where, "K, Holm's family", str(k), m.group(1))
        body = m.group(2)
        if "; these do not: " in body:
            kept_s, lost_s = body.split("; these do not: ", 1)
        elif body.startswith(("none of them stays", "it does not stay")):
            kept_s, lost_s = "", body
        else:
            kept_s, lost_s = body, ""
        kept = [(g.group(1), g.group(2)) for g in HOLM_ITEM.finditer(kept_s)]
        lost = [(g.group(1), g.group(2)) for g in HOLM_ITEM.finditer(lost_s)]
        check_text(where, "stay beyond seed noise after Holm",
                   sorted(s for s in beyond if adj[s] < ALPHA), sorted(s for s, _ in kept))
        check_text(where, "no longer beyond seed noise after Holm",
                   sorted(s for s in beyond if adj[s] >= ALPHA), sorted(s for s, _ in lost))
        for spec, printed in kept + lost:
            if spec in adj:
                check(where + ", " + spec, "adjusted p", adj[spec], printed, p_prec(adj[spec]))
    if lim is not None:
        check_text(where, "design limit: at most", len(set(ns.values())) > 1, lim.group(1) is not None)
        check_text(where, "design limit: seeds", str(n), lim.group(2))
        if lim.group(3) is not None:
            check_text(where, "design limit: K", str(k), lim.group(3))
        best = k * min_sign_flip_p(n)
        if lim.group(4) is not None:
            check_text(where, "design limit: K × 2/2^n", "%d × 2/2^%d" % (k, n), "%s × 2/2^%s" % (lim.group(4), lim.group(5)))
            check_text(where, "design limit: smallest adjusted p", "%.2g" % best, lim.group(6))
        else:
            check_text(where, "design limit: min(1, K × 2/2^n) = 1", "%d × 2/2^%d, %s" % (k, n, best > 1),
                       "%s × 2/2^%s, True" % (lim.group(7), lim.group(8)))


def main():
    if len(sys.argv) > 1:
        fail("usage: python3 results/statcheck.py (no arguments)")
    for path, dirs in TABLES:
        before = compared
        check_file(path, dirs)
        print("%s: %d numbers compared" % (path, compared - before))
    before = compared
    check_readme()
    print("README.md study findings: %d numbers compared" % (compared - before))
    for e in at_edge:
        print("on a rounding boundary (accepted): " + e)
    if mismatches:
        for m in mismatches:
            print("MISMATCH " + m)
        print("statcheck: %d of %d numbers disagree" % (len(mismatches), compared))
        return 1
    print("statcheck: all %d numbers agree" % compared)
    if mc_checked:
        print("statcheck: %d of them are Monte Carlo p-values (more than %d pairs), which agree within 5 standard errors, not digit for digit"
              % (mc_checked, MAX_EXACT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

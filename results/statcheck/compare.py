"""Comparing a recomputed value with the text a table prints: the same
text with the table's decimals, a value on a rounding boundary accepted
either way, a Monte Carlo p within its tolerance. Every comparison counts
in tally.compared; a disagreement is added to tally.mismatches."""

import math

import numpy as np

from . import tally
from .markdown import DASH
from .records import paired
from .stats import ALPHA, SCIPY_DRAWS, p_prec, sign_flip_p, t_interval


def check(where, what, value, printed, prec):
    """value (a float) printed with prec decimals must read printed."""
    tally.compared += 1
    want = "%+.*f" % (prec, value) if printed[:1] in "+-" else "%.*f" % (prec, value)
    if want == printed:
        return
    try:
        near = abs(value - float(printed)) <= 0.5 * 10 ** -prec + 1e-9
    except ValueError:
        near = False
    edge = near and abs(abs(value * 10 ** prec) % 1 - 0.5) < 1e-9 * max(1, abs(value * 10 ** prec))
    if edge:
        tally.at_edge.append("%s: %s: %r printed as %s" % (where, what, value, printed))
    else:
        tally.mismatches.append("%s: %s: recomputed %s (%r), table says %s" % (where, what, want, value, printed))


def check_text(where, what, want, printed):
    tally.compared += 1
    if want != printed:
        tally.mismatches.append("%s: %s: recomputed %r, table says %r" % (where, what, want, printed))


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
    if adj is None:
        tally.mismatches.append("%s: %s: not in the family this check computed, table says %s" % (where, what, cell))
        return
    a, k, draws = adj
    printed = cell.replace(" *", "")
    if draws == 0:
        check(where, what, a, printed, p_prec(a))
        check_text(where, what + " < %g mark" % ALPHA, float(printed) < ALPHA, cell.endswith(" *"))
        return
    tally.compared += 1
    tally.mc_checked += 1
    sd = math.sqrt(max(a * (1 - a), 1e-12))
    tol = k * (5 * sd / math.sqrt(draws) + 5 * sd / math.sqrt(SCIPY_DRAWS)) + 0.0005
    if abs(a - float(printed)) > tol:
        tally.mismatches.append("%s: %s: recomputed %.4f, table says %s (Monte Carlo, tolerance %.4f)" % (where, what, a, printed, tol))


def check_p(where, what, x, y, printed):
    """The sign-flip p of the pairs x, y, printed with 3 decimals: the same
    text when both are exact, within tolerance when both are estimates."""
    p, draws = sign_flip_p(x, y)
    if draws == 0:
        check(where, what, p, printed, p_prec(p))
        return
    tally.compared += 1
    tally.mc_checked += 1
    sd = math.sqrt(max(p * (1 - p), 1e-12))
    tol = 5 * sd / math.sqrt(draws) + 5 * sd / math.sqrt(SCIPY_DRAWS) + 0.0005
    if abs(p - float(printed)) > tol:
        tally.mismatches.append("%s: %s: recomputed %.4f, table says %s (Monte Carlo, tolerance %.4f)" % (where, what, p, printed, tol))


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

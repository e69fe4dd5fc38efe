"""The statistics the tables print, computed independently of gradbench:
the paired Student t interval, the two-sided sign-flip permutation p and
Holm's step-down adjustment (the definitions are those of the doc comments
in suite/stats.go). Nothing here reads a table or a record; test_stats.py
checks these functions on hand-worked cases."""

import numpy as np
from scipy import stats

CONF = 0.95
ALPHA = 0.05
MAX_EXACT = 20         # gradbench's maxExactFlips: more pairs, a Monte Carlo p
MC_DRAWS = 1 << 20     # gradbench's random sign patterns above MAX_EXACT
SCIPY_DRAWS = 200000   # this check's resamples above MAX_EXACT


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


def family_holm(pairs):
    """pairs: {key: (x, y)} of a table's comparisons. Returns {key: (adjusted
    p, K, Monte Carlo draws)} for those with two or more pairs, the family."""
    fam = {k: sign_flip_p(x, y) for k, (x, y) in pairs.items() if len(x) >= 2}
    keys = list(fam)
    adj = holm([fam[k][0] for k in keys])
    draws = max([fam[k][1] for k in keys], default=0)
    return {k: (a, len(keys), draws) for k, a in zip(keys, adj)}

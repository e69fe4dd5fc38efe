"""Hand-worked cases for stats.py: Holm's adjustment, the sign-flip p by
enumeration of the sign patterns, the t interval against tabulated
quantiles. Run: /usr/bin/python3 -m unittest discover results/statcheck"""

import itertools
import os
import sys
import unittest

import numpy as np

# discover with results/statcheck as the top directory imports this file as
# a top-level module: the package is then found from results/.
_RESULTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _RESULTS not in sys.path:
    sys.path.insert(0, _RESULTS)

from statcheck import stats  # noqa: E402


def enumerated_p(d):
    """The two-sided sign-flip p of the differences d over all 2^n sign
    patterns: the share whose |mean| is at least the observed |mean|."""
    d = np.asarray(d, dtype=float)
    obs = abs(d.mean())
    hits = sum(abs(np.mean(d * s)) >= obs - 1e-12 for s in itertools.product((1.0, -1.0), repeat=len(d)))
    return hits / 2 ** len(d)


class HolmTest(unittest.TestCase):
    def test_running_maximum(self):
        # Sorted: 0.005 ×4 = 0.02, 0.01 ×3 = 0.03, 0.03 ×2 = 0.06,
        # 0.04 ×1 = 0.04, raised to the running maximum 0.06.
        got = stats.holm([0.01, 0.04, 0.03, 0.005])
        for g, w in zip(got, [0.03, 0.06, 0.06, 0.02]):
            self.assertAlmostEqual(g, w, places=15)

    def test_clamp_at_one(self):
        # 0.01 ×3 = 0.03, 0.6 ×2 = 1.2 clamped to 1, 0.7 ×1 raised to 1.
        self.assertEqual(stats.holm([0.7, 0.01, 0.6]), [1.0, 0.03, 1.0])

    def test_ties(self):
        # Tied p-values get the same adjusted p whichever comes first:
        # 0.02 ×3 = 0.06, 0.02 ×2 = 0.04 raised to 0.06, 0.04 ×1 to 0.06.
        for ps in ([0.02, 0.02, 0.04], [0.04, 0.02, 0.02], [0.02, 0.04, 0.02]):
            got = stats.holm(ps)
            for g in got:
                self.assertAlmostEqual(g, 0.06, places=15)

    def test_one_and_none(self):
        self.assertEqual(stats.holm([0.3]), [0.3])
        self.assertEqual(stats.holm([]), [])


class SignFlipTest(unittest.TestCase):
    def test_hand_worked(self):
        # |d| sums to 6.5; the observed sum is 5.5 (0.5 negative). |sum| >= 5.5
        # needs the negatives to sum to at most 0.5 (none, or 0.5 alone) or,
        # mirrored, at least 6: 4 of the 16 patterns.
        x = np.array([1.0, 2.0, -0.5, 3.0])
        p, draws = stats.sign_flip_p(x, np.zeros(4))
        self.assertAlmostEqual(p, 4 / 16, places=12)
        self.assertEqual(draws, 0)

    def test_tied_patterns_count(self):
        # |d| = 1, 1, 1, 2 sums to 5, observed 3: the patterns whose
        # negatives sum to at most 1 (4 of them) and their mirrors reach
        # |sum| >= 3, the observed pattern and its three equals among them.
        p, _ = stats.sign_flip_p(np.array([1.0, 1.0, -1.0, 2.0]), np.zeros(4))
        self.assertAlmostEqual(p, 8 / 16, places=12)

    def test_against_enumeration(self):
        x = np.array([0.31, -0.12, 0.57, 0.08, 0.44, -0.29, 0.66, 0.15])
        y = np.array([0.02, 0.05, -0.11, 0.21, 0.03, -0.04, 0.10, -0.30])
        p, draws = stats.sign_flip_p(x, y)
        self.assertAlmostEqual(p, enumerated_p(x - y), places=12)
        self.assertEqual(draws, 0)

    def test_one_sign_is_the_smallest_p(self):
        p, _ = stats.sign_flip_p(np.arange(1.0, 7.0), np.zeros(6))
        self.assertAlmostEqual(p, 2 / 64, places=12)
        self.assertEqual(stats.min_sign_flip_p(6), 2 / 64)
        self.assertEqual(stats.min_sign_flip_p(1), 1.0)

    def test_no_difference(self):
        self.assertEqual(stats.sign_flip_p(np.ones(3), np.ones(3)), (1.0, 0))

    def test_monte_carlo_above_max_exact(self):
        # 21 pairs: gradbench draws 2^20 random patterns, so the p is an
        # estimate; all of one sign, so it is near its exact 2/2^21.
        n = stats.MAX_EXACT + 1
        p, draws = stats.sign_flip_p(np.arange(1.0, n + 1), np.zeros(n))
        self.assertEqual(draws, stats.MC_DRAWS)
        self.assertLess(p, 1e-3)


class TIntervalTest(unittest.TestCase):
    def test_five(self):
        # d = 1..5: mean 3, s = sqrt(2.5), s/sqrt(5) = sqrt(0.5);
        # t(0.975, 4) = 2.776445105 (tables).
        mean, lo, hi = stats.t_interval(np.arange(1.0, 6.0))
        half = 2.776445105 * np.sqrt(0.5)
        self.assertEqual(mean, 3.0)
        self.assertAlmostEqual(lo, 3 - half, places=8)
        self.assertAlmostEqual(hi, 3 + half, places=8)

    def test_two(self):
        # d = 0, 2: mean 1, s = sqrt(2), s/sqrt(2) = 1; t(0.975, 1) = 12.70620474.
        mean, lo, hi = stats.t_interval(np.array([0.0, 2.0]))
        self.assertEqual(mean, 1.0)
        self.assertAlmostEqual(lo, 1 - 12.70620474, places=7)
        self.assertAlmostEqual(hi, 1 + 12.70620474, places=7)


class PPrecTest(unittest.TestCase):
    def test_decimals(self):
        self.assertEqual(stats.p_prec(0.2), 3)
        self.assertEqual(stats.p_prec(0.049), 3)
        self.assertEqual(stats.p_prec(0.0498), 4)   # 0.050 would read as not below 0.05
        self.assertEqual(stats.p_prec(0.04999), 5)  # so would 0.0500


class FamilyHolmTest(unittest.TestCase):
    def test_family_leaves_out_single_pairs(self):
        pairs = {
            "a": (np.array([1.0, 2.0, -0.5, 3.0]), np.zeros(4)),  # p = 0.25
            "b": (np.arange(1.0, 7.0), np.zeros(6)),               # p = 2/64
            "c": (np.array([1.0]), np.zeros(1)),                   # one pair: no p
        }
        got = stats.family_holm(pairs)
        self.assertEqual(sorted(got), ["a", "b"])
        self.assertAlmostEqual(got["b"][0], 2 * 2 / 64, places=12)
        self.assertAlmostEqual(got["a"][0], 0.25, places=12)
        self.assertEqual((got["a"][1], got["a"][2]), (2, 0))


if __name__ == "__main__":
    unittest.main()

"""readme.py's classes of the README's study findings: the words that put
a comparison with ste in a class (label_at) and the class its numbers
call for (finding_class). A difference is called beyond seed noise only
when, in a family of more than one comparison, its Holm-adjusted p is
below 0.05 too. Run: /usr/bin/python3 -m unittest discover results/statcheck"""

import os
import sys
import unittest

# discover with results/statcheck as the top directory imports this file as
# a top-level module: the package is then found from results/.
_RESULTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _RESULTS not in sys.path:
    sys.path.insert(0, _RESULTS)

from statcheck.readme import FINDING, finding_class, label_at  # noqa: E402

# Part of a findings line as the README said it before "beyond seed noise"
# needed Holm's correction: fda passed both tests alone (p = 0.035) but
# not the correction for the 6 comparisons (adjusted p = 0.070).
OLD = ("Higher than ste beyond seed noise: approxsign (Δ +0.96 points, 95% CI [+0.66, +1.26], p = 0.002, n = 10); "
       "fda (Δ +0.79 points, 95% CI [+0.10, +1.48], p = 0.035, n = 10).")
NEW = ("Higher than ste beyond seed noise: approxsign (Δ +0.96 points, 95% CI [+0.66, +1.26], p = 0.002, n = 10). "
       "Higher than ste by both tests alone, not after Holm's correction: fda (Δ +0.79 points, 95% CI [+0.10, +1.48], p = 0.035, n = 10).")


def classes(line):
    return {m.group(1): label_at(line, m.start()) for m in FINDING.finditer(line)}


class FindingClassTest(unittest.TestCase):
    def test_class(self):
        self.assertEqual(finding_class(0.96, 0.66, 1.26, 0.002, 0.012, 6), "higher")
        self.assertEqual(finding_class(-2.03, -3.07, -1.0, 0.002, 0.012, 6), "lower")
        self.assertEqual(finding_class(0.79, 0.10, 1.48, 0.035, 0.070, 6), "higher alone")
        self.assertEqual(finding_class(-0.79, -1.48, -0.10, 0.035, 0.050, 2), "lower alone")
        # A family of one is not corrected.
        self.assertEqual(finding_class(0.79, 0.10, 1.48, 0.035, 0.035, 1), "higher")
        self.assertEqual(finding_class(0.38, -0.03, 0.79, 0.055, 0.2, 6), "noise")
        self.assertEqual(finding_class(2.12, -2.96, 7.2, 0.031, 0.031, 1), "one test")

    def test_old_wording_fails(self):
        got = classes(OLD)
        self.assertEqual(got["approxsign"], finding_class(0.96, 0.66, 1.26, 0.002, 0.012, 6))
        self.assertNotEqual(got["fda"], finding_class(0.79, 0.10, 1.48, 0.035, 0.070, 6))

    def test_new_wording_passes(self):
        got = classes(NEW)
        self.assertEqual(got, {"approxsign": "higher", "fda": "higher alone"})

    def test_noise_wording(self):
        line = ("Not distinguishable from ste with these seeds: dsq (Δ +0.38 points, 95% CI [-0.03, +0.79], p = 0.055, n = 8). "
                "One test alone, not both, calls these different (not counted above): c (Δ +2.50 points, 95% CI [+0.45, +4.55], p = 0.125, n = 4).")
        self.assertEqual(classes(line), {"dsq": "noise", "c": "one test"})
        self.assertEqual(classes("no estimator is distinguishable from ste with these seeds: fda (Δ -0.41 points, 95% CI [-0.98, +0.15], p = 0.135, n = 10)."),
                         {"fda": "noise"})


if __name__ == "__main__":
    unittest.main()

"""Hand-made records for records.py's learning-rate choice (select_lr),
the cases of suite/lrgrid_test.go and suite/lrtie_test.go. Run:
/usr/bin/python3 -m unittest discover results/statcheck"""

import math
import os
import sys
import unittest

# discover with results/statcheck as the top directory imports this file as
# a top-level module: the package is then found from results/.
_RESULTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _RESULTS not in sys.path:
    sys.path.insert(0, _RESULTS)

from statcheck.records import select_lr  # noqa: E402


def rec(spec, scale, seed, val_top1, val_loss=0.5):
    """A grid run's record: finished with the given final validation
    numbers, or diverged when val_top1 is NaN."""
    r = {"config": {"estimator": spec, "lr_scale": scale, "seed": seed}}
    if math.isnan(val_top1):
        r["status"] = "diverged"
        r["epochs"] = []
    else:
        r["status"] = "ok"
        r["epochs"] = [{"val_top1": val_top1, "val_loss": val_loss}]
    return r


NAN = math.nan


def chosen(recs):
    return {spec: best for spec, (best, _) in select_lr(recs)[1].items()}


class SelectLRTest(unittest.TestCase):
    def test_divergence_loses_to_none(self):
        # ×3 finished at 80 on seed 1 and diverged on seed 2; ×1 finished
        # at 78 on both: ×1, though ×3's one finished run scored higher.
        recs = [rec("ste", 1, 1, 78), rec("ste", 1, 2, 78), rec("ste", 3, 1, 80, 0.4), rec("ste", 3, 2, NAN)]
        kept, choices = select_lr(recs)
        self.assertEqual(choices["ste"][0], 1)
        self.assertEqual(choices["ste"][1][3], (80, 0.4, 1, 1))
        self.assertEqual(sorted(r["config"]["seed"] for r in kept), [1, 2])

    def test_fewest_divergences_when_all_diverged(self):
        # Every multiplier has a diverged run: ×1 (one of three) beats ×3
        # (two, with the higher mean); ×10 (every run) is never chosen.
        recs = [
            rec("fda", 1, 1, 70), rec("fda", 1, 2, 72), rec("fda", 1, 3, NAN),
            rec("fda", 3, 1, 85, 0.4), rec("fda", 3, 2, NAN), rec("fda", 3, 3, NAN),
            rec("fda", 10, 1, NAN), rec("fda", 10, 2, NAN), rec("fda", 10, 3, NAN),
        ]
        self.assertEqual(chosen(recs), {"fda": 1})

    def test_equal_divergences_fall_through_to_the_mean(self):
        recs = [rec("dsq", 1, 1, 70), rec("dsq", 1, 2, NAN), rec("dsq", 3, 1, 75), rec("dsq", 3, 2, NAN)]
        self.assertEqual(chosen(recs), {"dsq": 3})

    def test_ties(self):
        # ste ties on the mean (80): the lower loss, ×3, wins; fda ties on
        # both: the smaller multiplier, ×1.
        recs = [
            rec("ste", 1, 1, 79, 0.5), rec("ste", 1, 2, 81, 0.5), rec("ste", 3, 1, 80, 0.3), rec("ste", 3, 2, 80, 0.5),
            rec("fda", 3, 1, 80), rec("fda", 1, 1, 80),
        ]
        self.assertEqual(chosen(recs), {"ste": 3, "fda": 1})

    def test_tie_survives_rounding(self):
        # 77.4 + 78.2 and 77.6 + 78.0 differ in the last bit; the means
        # still tie and the lower loss (×3) wins.
        self.assertNotEqual((77.4 + 78.2) / 2, (77.6 + 78.0) / 2)
        recs = [rec("ste", 1, 1, 77.4, 0.6), rec("ste", 1, 2, 78.2, 0.6), rec("ste", 3, 1, 77.6, 0.4), rec("ste", 3, 2, 78.0, 0.4)]
        self.assertEqual(chosen(recs), {"ste": 3})

    def test_every_run_diverged_and_no_common_seed(self):
        self.assertEqual(chosen([rec("dsq", 1, 1, NAN), rec("dsq", 3, 1, NAN)]), {"dsq": None})
        # No seed at both multipliers: nothing to compare, nothing chosen.
        self.assertEqual(chosen([rec("ste", 1, 1, 80), rec("ste", 3, 2, 81)]), {"ste": None})


if __name__ == "__main__":
    unittest.main()

"""Tests of tables.py's check of a results table against its records.
Run: /usr/bin/python3 -m unittest discover results/statcheck"""

import glob
import json
import os
import shutil
import sys
import tempfile
import unittest

# discover with results/statcheck as the top directory imports this file as
# a top-level module: the package is then found from results/.
_RESULTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _RESULTS not in sys.path:
    sys.path.insert(0, _RESULTS)

from statcheck import tally  # noqa: E402
from statcheck.tables import check_file  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class PaperNotesTest(unittest.TestCase):
    """testdata/paper-notes.md is gradbench table --ablation paper over
    the committed records of results/quick-ablation with two of them
    moved to another CPU as setUp moves them: fda+na:eta=x of seed 1 (a
    row of the eta table alone) and dsq of seed 2 (of the NA table
    alone). gradbench's note on machine types above the paper table is
    of the records of all three of its tables (the paper's fixed rows),
    not of the first table's rows alone."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        for f in glob.glob(os.path.join(_RESULTS, "quick-ablation", "*.json")):
            with open(f) as fh:
                r = json.load(fh)
            c = r["config"]
            if (c["estimator"], c["seed"]) in (("fda+na:eta=x", 1), ("dsq", 2)):
                r["machine"]["cpu"] = "Other CPU"
                r.pop("checksum")
            with open(os.path.join(self.dir, os.path.basename(f)), "w") as fh:
                json.dump(r, fh)

    def test_notes_over_every_table_of_the_heading(self):
        path = os.path.join(HERE, "testdata", "paper-notes.md")
        with open(path) as fh:
            self.assertIn("Other CPU, GEMM go-avx2: 2 records, seeds 1 and 2.", fh.read())
        self.assertEqual(tally.mismatches_of(check_file, path, [self.dir]), [])


if __name__ == "__main__":
    unittest.main()

"""Tests of markdown.py's reading of gradbench's tables: the line
gradbench table --seeds writes under a heading, in each of its wordings
(suite/table.go's writeSeedsNote). Run:
/usr/bin/python3 -m unittest discover results/statcheck"""

import os
import sys
import tempfile
import unittest

# discover with results/statcheck as the top directory imports this file as
# a top-level module: the package is then found from results/.
_RESULTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _RESULTS not in sys.path:
    sys.path.insert(0, _RESULTS)

from statcheck.markdown import tables_of  # noqa: E402

HEADING = "### resnet20 on fashion-mnist, recipe study"
TABLE = "| estimator | top-1 % |\n|:--|--:|\n| ste | 80.00 |\n"


def seeds_of(line):
    """The seeds tables_of reads for a table under HEADING and line."""
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as fh:
        fh.write("%s\n\n%s\n\n%s" % (HEADING, line, TABLE))
    try:
        (table,) = tables_of(fh.name)
    finally:
        os.remove(fh.name)
    return table[4]


class SeedsLineTest(unittest.TestCase):
    def test_several_seeds(self):
        self.assertEqual(seeds_of("Seeds 1–4 only (--seeds): every row and comparison below is over the runs "
                                  "of these seeds alone; the learning rates were chosen on every seed that ran "
                                  "the grid, as without --seeds."), ({1, 2, 3, 4}, False))
        self.assertEqual(seeds_of("Seeds 4 and 5 only (--seeds): the learning rates below are chosen on the runs "
                                  "of these seeds alone."), ({4, 5}, True))
        self.assertEqual(seeds_of("Seeds 1–3, 5 and 7 only (--seeds): the learning rates below are chosen on the "
                                  "runs of these seeds alone."), ({1, 2, 3, 5, 7}, True))

    def test_one_seed(self):
        # gradbench speaks of one seed as one: "Seed 4 ... this seed".
        self.assertEqual(seeds_of("Seed 4 only (--seeds): every row and comparison below is over the runs of "
                                  "this seed alone; the learning rates were chosen on every seed that ran the "
                                  "grid, as without --seeds."), ({4}, False))
        self.assertEqual(seeds_of("Seed 4 only (--seeds): the learning rates below are chosen on the runs of "
                                  "this seed alone."), ({4}, True))
        self.assertEqual(seeds_of("Seed 4 only (--seeds): every row and comparison below is over the runs of "
                                  "this seed alone (seed 7 of --seeds has no runs here)."), ({4}, False))

    def test_every_seed(self):
        self.assertIsNone(seeds_of("Some other line."))


if __name__ == "__main__":
    unittest.main()

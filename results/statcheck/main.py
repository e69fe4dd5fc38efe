"""The entry point: every table of tables.TABLES, then README.md's
findings; the summary and the exit status (0 all agree, 1 a mismatch;
tally.fail exits 2 on bad input)."""

import sys

from . import tally
from .readme import check_readme
from .stats import MAX_EXACT
from .tables import TABLES, check_file


def main():
    if len(sys.argv) > 1:
        tally.fail("usage: python3 results/statcheck.py (no arguments)")
    for path, dirs in TABLES:
        before = tally.compared
        check_file(path, dirs)
        print("%s: %d numbers compared" % (path, tally.compared - before))
    before = tally.compared
    check_readme()
    print("README.md study findings: %d numbers compared" % (tally.compared - before))
    for e in tally.at_edge:
        print("on a rounding boundary (accepted): " + e)
    if tally.mismatches:
        for m in tally.mismatches:
            print("MISMATCH " + m)
        print("statcheck: %d of %d numbers disagree" % (len(tally.mismatches), tally.compared))
        return 1
    print("statcheck: all %d numbers agree" % tally.compared)
    if tally.mc_checked:
        print("statcheck: %d of them are Monte Carlo p-values (more than %d pairs), which agree within 5 standard errors, not digit for digit"
              % (tally.mc_checked, MAX_EXACT))
    return 0

"""The check's running outcome, shared by the modules that compare: how
many numbers were compared, the mismatches, the values accepted on a
rounding boundary, how many p-values were checked within a Monte Carlo
tolerance; and fail, for input the check cannot read (exit status 2)."""

import sys

mismatches = []
at_edge = []  # values on a rounding boundary, accepted either way
compared = 0
mc_checked = 0  # p-values checked within a Monte Carlo tolerance (n > MAX_EXACT)


def fail(msg):
    print("statcheck: " + msg, file=sys.stderr)
    sys.exit(2)


def mismatches_of(check, *args):
    """The mismatches check(*args) finds, alone: the running list is set
    aside while it runs and restored after (for the tests)."""
    global mismatches
    saved, mismatches = mismatches, []
    try:
        check(*args)
        return mismatches
    finally:
        mismatches = saved

#!/usr/bin/env python3
"""Independent check of the statistics in the committed result tables.

Re-run: python3 results/statcheck.py   (needs NumPy and SciPy; .ci/run
runs it). The check itself is the package results/statcheck/, whose
__init__.py says what it recomputes and with what tolerances; this script
only makes sure NumPy and SciPy are there and runs it.

Exit status: 0 when every number agrees, 1 on any mismatch (each printed),
2 on bad input.
"""

import sys

try:
    import numpy  # noqa: F401
    import scipy.stats  # noqa: F401
except ImportError as e:
    print("statcheck: %s: it needs NumPy and SciPy (Debian: apt-get install python3-numpy python3-scipy; "
          "then run it with the python3 they belong to, such as /usr/bin/python3)" % e, file=sys.stderr)
    sys.exit(2)

# This script's directory is first on sys.path, and a package takes
# precedence over a module of the same name: this is results/statcheck/.
from statcheck.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

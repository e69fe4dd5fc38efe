"""gradbench's markdown: the tables of a file with the lines around them
(the heading, the seeds a table covers, the note under it, the note on
records without a data digest and the note on records of several machine
types), and gradbench's ways of writing a list of
seeds and a float."""

import os
import re

from . import tally
from .records import ROOT
from .tally import fail

DASH = "–"


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            i += 1
        out.append(s[i])
        i += 1
    return "".join(out)


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_seeds(text):
    """The seeds of gradbench's list of them: "3–10", "1, 2, 5", "1–4, 7",
    or as a sentence lists them (list_seeds): "1 and 2", "1, 2 and 5"."""
    seeds = set()
    for part in text.replace(" and ", ", ").split(", "):
        lo, dash, hi = part.partition("–")
        if not lo.isdigit() or (dash and not hi.isdigit()):
            fail("seeds %r: not a list of seeds" % text)
        seeds.update(range(int(lo), int(hi) + 1) if dash else [int(lo)])
    return seeds


def fmt_seeds(seeds):
    """gradbench's list of ascending seeds in a table's cell (fmtSeeds):
    runs of three or more as a range, "1–4, 7", "1, 2, 5"; "none" for
    none."""
    seeds = sorted(seeds)
    return ", ".join(seed_parts(seeds)) if seeds else "none"


def list_seeds(seeds):
    """gradbench's list of ascending seeds in a sentence (seedList): as
    fmt_seeds, the last joined with "and", "1–4 and 7", "1, 2 and 5", "1
    and 2"; "none" for none."""
    parts = seed_parts(sorted(seeds))
    if not parts:
        return "none"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def seed_parts(seeds):
    """The parts of fmt_seeds and list_seeds of ascending seeds: a run of
    three or more as one range, "1–4", any other seed alone."""
    parts, i = [], 0
    while i < len(seeds):
        j = i
        while j + 1 < len(seeds) and seeds[j + 1] == seeds[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append("%d–%d" % (seeds[i], seeds[j]))
        else:
            parts.extend(str(s) for s in seeds[i:j + 1])
        i = j + 1
    return parts


def go_g(x, prec=None):
    """x as Go's strconv.FormatFloat(x, 'g', prec, 64) writes it: the
    shortest form that reads back as x when prec is None (-1)."""
    if prec is None:
        r = repr(float(x))
        return r[:-2] if r.endswith(".0") else r
    return "%.*g" % (prec, x)


# The line under a workload's heading of a table of gradbench table --seeds,
# and the study's section heading of such tables.
# One seed is "Seed 4 only (--seeds): ... this seed alone" (suite/table.go's
# writeSeedsNote).
SEEDS_LINE = re.compile(r"^Seeds? ([0-9][0-9–, ]*(?: and [0-9][0-9–]*)?) only \(--seeds\): (.*)$")
SEEDS_SECTION = re.compile(r"^## Seeds ([0-9]+) to ([0-9]+) alone\b")
LR_ON_SEEDS = tuple("the learning rates below are chosen on the runs of %s alone" % s for s in ("these seeds", "this seed"))
# The words of gradbench's note on the records of a table without a data
# digest, after its verb ("carry", or "carries" for one record).
UNDIGESTED = " no data digest (written before gradbench kept them)"
# The words of gradbench's note on the records of a table trained on more
# than one machine type.
MACHINE_TYPES = " machine types (CPU, GEMM, build tags, Go version, architecture), whose rounding may differ"


def tables_of(path):
    """(heading, index, header, rows, seeds, note, undigested, machines)
    for each markdown table of path (index: its place under its heading,
    from 0; note: the first line after it; undigested and machines: the
    line between it and the table or heading before it on records without
    a data digest and the one on records of several machine types, "" if
    there is none):
    seeds is None for a table of every seed, or (the seeds, whether the
    learning rates were chosen on them alone) for one of gradbench table
    --seeds, from the line under its heading. A section heading that names
    seeds must have tables that say the same."""
    with open(os.path.join(ROOT, path)) as fh:
        lines = fh.read().split("\n")
    heading, seeds, section, out, i, index = None, None, None, [], 0, 0
    undigested = machines = ""
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("## "):
            m = SEEDS_SECTION.match(ln)
            section = set(range(int(m.group(1)), int(m.group(2)) + 1)) if m else None
        if ln.startswith("### "):
            heading, seeds, undigested, machines, index = ln[4:], None, "", "", 0
        if ln.startswith("Note: ") and UNDIGESTED in ln and undigested == "":
            undigested = ln
        if ln.startswith("Note: ") and MACHINE_TYPES in ln and machines == "":
            machines = ln
        m = SEEDS_LINE.match(ln)
        if m:
            seeds = (parse_seeds(m.group(1)), m.group(2).startswith(LR_ON_SEEDS))
        if ln.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(lines[i])
                i += 1
            if section is not None and (seeds is None or seeds[0] != section):
                tally.mismatches.append("%s: a table under a heading of seeds %s says it is of %s" % (
                    path, sorted(section), "every seed" if seeds is None else "seeds %s" % sorted(seeds[0])))
            j = i
            while j < len(lines) and lines[j] == "":
                j += 1
            note = lines[j] if j < len(lines) else ""
            out.append((heading, index, cells(block[0]), [cells(b) for b in block[2:]], seeds, note, undigested, machines))
            undigested = machines = ""
            index += 1
            continue
        i += 1
    return out

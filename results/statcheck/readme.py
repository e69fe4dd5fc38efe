"""README.md's study findings (the sentences of gradbench table --ablation
findings over results/study) recomputed from the study's records: each
comparison's Δ, interval, p and n, the class its words put it in, the range
of the intervals' widths, no estimator left out, the sentence on Holm's
correction, the line on the seeds that chose no learning rate, and the
notes on the records of its tables (some without a data digest, trained on
more than one machine type): the SGD findings', the sides table's, Adam's
and Bop's."""

import os
import re

from . import tally
from .compare import check, check_family_note, check_p, check_text
from .markdown import MACHINE_TYPES, UNDIGESTED, go_g, parse_seeds, unescape
from .records import ROOT, Row, load, paired, select_lr, workload_key
from .stats import ALPHA, family_holm, holm, min_sign_flip_p, p_prec, sign_flip_p, t_interval
from .tables import chosen_lr_cell, machine_note, undigested_note
from .tally import fail

# The estimators README.md's study findings tabulate (results/update-readme.sh's
# --estimators), per optimizer: the family Holm's correction runs over.
STUDY_ESTIMATORS = {
    "sgd": ["approxsign", "dsq", "bnnplus", "ede", "fda", "fda+na"],
    "adam": ["approxsign", "fda"],
    "bop": ["approxsign", "fda"],
}

FINDING = re.compile(r"([^\s(;:]+) \(Δ ([+-][0-9.]+)(?: points)?, 95% CI \[([+-][0-9.]+), ([+-][0-9.]+)\], p = ([0-9.]+), n = ([0-9]+)\)")
WIDTHS = re.compile(r"The 95% intervals? of the differences? (?:are|is) ([0-9.]+)(?:–([0-9.]+))?(?: points)? wide")
HOLM_AFTER = re.compile(r"After Holm's correction for the ([0-9]+) comparisons with ste on this metric, (.*?\))\.(?: |$)")
HOLM_ITEM = re.compile(r"([^\s(;:]+) \(adjusted p = ([0-9.]+)\)")
HOLM_LIMIT = re.compile(r"With (at most )?([0-9]+) paired seeds no difference could(?: survive Holm's correction for the ([0-9]+) comparisons with ste on this metric)?: "
                        r"the smallest adjusted p is (?:([0-9]+) × 2/2\^([0-9]+) = ([0-9.e+-]+)|min\(1, ([0-9]+) × 2/2\^([0-9]+)\) = 1), not below 0\.05")
# A note on a table's records in the study section: the SGD tables' (the
# findings' and the sides table's) as gradbench writes them, an optimizer's
# as "Note (Adam): ...".
NOTE = re.compile(r"^Note(?: \(([A-Za-z]+)\))?: ((?:[0-9]+ of )?these [0-9]+ records .*)$")
# The kinds of notes, each as statcheck names it, with the words that
# tell it (markdown.py) and the note recomputed from a table's records
# (tables.py).
NOTE_KINDS = (("the note on records without a data digest", UNDIGESTED, undigested_note),
              ("the note on records of several machine types", MACHINE_TYPES, machine_note))
# The lines of the study section that open the sides table's part and
# the optimizers' part (results/update-readme.sh): a note without an
# optimizer's name is the SGD findings' before the first, the sides
# table's after it.
SIDES_START = "**Weights or activations.**"
OPTIMIZERS_START = "**Adam and Bop instead of SGD**"
# An optimizer's note on the learning rates its table chose with a
# qualification (results/update-readme.sh): the rows and their chosen lr
# cells, then the sentences under the table that say what they mean (each
# "A ..." or "An ..."); LR_WHY: those whose cells statcheck recomputes,
# each by words of its cells and the first words of its sentence.
LR_NOTE = re.compile(r"^Note \(([A-Za-z]+)\), on the learning rates chosen: (.*?)\. (An? .*)$")
LR_WHY = (("at the grid's", "A choice at the grid's edge says only that the best rate is there or beyond it"),
          ("without runs at", "A choice without runs at multipliers beyond it that other estimators of the table ran"),
          ("the only rate run", "A choice among one multiplier, the only one the table ran, compares nothing"),
          ("no seed ran every multiplier", "An estimator whose multipliers ran on different seeds, none of them at every one, has nothing to compare"))
HELDOUT = re.compile(r"^\*\*On seeds ([0-9][0-9–, ]*) alone\*\* \(never used to choose a learning rate\): ")
# The words that put the comparisons after them in a class, and the class
# (finding_class). "Beyond seed noise" is said only of a difference whose
# Holm-adjusted p is below 0.05 too, where a metric makes more than one
# comparison; one that passes both tests alone but not the correction has
# words of its own.
LABELS = (("Higher than ste beyond seed noise", "higher"), ("Lower than ste beyond seed noise", "lower"),
          ("Higher than ste by both tests alone, not after Holm's correction", "higher alone"),
          ("Lower than ste by both tests alone, not after Holm's correction", "lower alone"),
          ("Not distinguishable from ste with these seeds", "noise"),
          ("no estimator is distinguishable from ste with these seeds", "noise"),
          ("One test alone, not both", "one test"))


def finding_class(mean, lo, hi, p, adj, k):
    """The class of a comparison with ste in a family of k with a p:
    beyond seed noise ("higher", "lower") when its t interval excludes 0,
    its sign-flip p < 0.05 and, for k > 1, its Holm-adjusted p adj < 0.05
    too; "higher alone" or "lower alone" when it passes both tests but not
    the correction; "one test" when one test alone calls it different;
    "noise" otherwise."""
    t_excl, perm = lo > 0 or hi < 0, p < ALPHA
    if t_excl and perm:
        side = "higher" if mean > 0 else "lower"
        return side + " alone" if k > 1 and adj >= ALPHA else side
    return "one test" if t_excl or perm else "noise"


def label_at(line, at):
    """The class the words of line put the comparison that starts at
    offset at in: that of the last label (LABELS) before it, or None."""
    label = None
    for words, cls in LABELS:
        i = line.rfind(words, 0, at)
        if i >= 0 and (label is None or i > label[0]):
            label = (i, cls)
    return label[1] if label else None


def family_adjusted(gs, specs, metric):
    """The Holm-adjusted p of each comparison with ste of the estimators
    of specs with two or more seeds paired with ste, and their number."""
    fam = {}
    for spec in specs:
        if spec not in gs or "ste" not in gs:
            continue
        x, y = paired(gs["ste"], gs[spec], metric)
        if len(x) >= 2:
            fam[spec] = sign_flip_p(x, y)[0]
    keys = list(fam)
    return dict(zip(keys, holm([fam[k] for k in keys]))), len(keys)


def note_specs(part):
    """The specs of the records a part's notes are over: ste and the
    estimators update-readme.sh tabulates (--estimators); for the sides
    table ("sides", of SGD's records), each of SGD's on both sides, on the
    weights only and on the activations only."""
    if part == "sides":
        ests = STUDY_ESTIMATORS["sgd"]
        return {"ste"} | set(ests) | {"w=%s/a=ste" % e for e in ests} | {"w=ste/a=%s" % e for e in ests}
    return {"ste"} | set(STUDY_ESTIMATORS.get(part, []))


def check_record_notes(study, recs_of):
    """The study section's notes on the records of its tables, recomputed
    from the records: for each optimizer (recs_of: its workload's
    records), and for SGD's sides table too, the note of each kind
    (NOTE_KINDS: records without a data digest, records of several
    machine types) over the records of the specs the part tabulates
    (note_specs) must be there when gradbench writes one, once, and say
    what gradbench's note says; none may be there when it writes none,
    nor for an optimizer without records. The SGD findings' and the
    sides table's notes are gradbench's lines as they are, told apart by
    where they stand (SIDES_START); another optimizer's reads "Note
    (Adam): these ..."."""
    notes = {}
    part = "sgd"
    for line in study.split("\n"):
        if line.startswith(SIDES_START):
            part = "sides"
        elif line.startswith(OPTIMIZERS_START):
            part = None
        m = NOTE.match(line)
        kinds = [what for what, words, _ in NOTE_KINDS if words in line]
        if not m or not kinds:
            continue
        sec = m.group(1).lower() if m.group(1) else part
        if sec is None:
            tally.mismatches.append("README.md study section: a note on records under the optimizers' findings that names no optimizer: " + line[:80])
            continue
        notes.setdefault((sec, kinds[0]), []).append("Note: " + unescape(m.group(2)))
    parts = dict(recs_of)
    if "sgd" in parts:
        parts["sides"] = parts["sgd"]
    for sec in sorted({sec for sec, _ in notes} - set(parts)):
        tally.mismatches.append("README.md study section: a note on %s records, and there are none" % sec)
    for sec, recs in sorted(parts.items()):
        specs = note_specs(sec)
        made_of = [r for r in recs if r["config"]["estimator"] in specs]
        for what, _, note in NOTE_KINDS:
            got = notes.get((sec, what), [])
            if len(got) > 1:
                tally.mismatches.append("README.md study section (%s): %s, %d times, want once" % (sec, what, len(got)))
            check_text("README.md study section (%s)" % sec, what, note(made_of), got[0] if got else "")


def lr_qualified(recs, specs):
    """The chosen lr cells of an lr table over the records of specs that
    qualify the choice (", at the grid's upper edge", ", without runs at
    ×...", ", the only rate run", "none (...)"), each as "spec cell", in the table's order."""
    _, choices = select_lr([r for r in recs if r["config"]["estimator"] in specs])
    header = ["val top-1 % at lr ×" + go_g(s) for s in sorted({s for _, pts in choices.values() for s in pts})]
    out = []
    for spec in sorted(choices):
        best, points = choices[spec]
        cell = chosen_lr_cell(spec, best, points, header, recs)
        if ", " in cell or cell.startswith("none"):
            out.append(spec + " " + cell)
    return out


def check_lr_notes(study, recs_of):
    """The study section's notes on the learning rates Adam's and Bop's
    tables chose with a qualification (their lr tables are not in the
    README; SGD's is, whole): for each optimizer but SGD, over the records
    of ste and the estimators the README tabulates, the rows whose chosen
    lr cell qualifies the choice, with that cell as gradbench writes it,
    and the sentence on each qualification (LR_WHY) exactly when a cell
    has it; no note when no cell qualifies its choice."""
    got = {}
    for line in study.split("\n"):
        m = LR_NOTE.match(line)
        if m:
            got.setdefault(m.group(1).lower(), []).append(m)
        elif line.startswith("Note (") and "learning rate" in line.split(":", 1)[0]:
            tally.mismatches.append("README.md study section: a note on learning rates not read as one: " + line[:80])
    for opt in sorted(set(got) - set(recs_of) | ({"sgd"} & set(got))):
        tally.mismatches.append("README.md study section: a note on the learning rates chosen for %s, which has %s" % (
            opt, "its lr table in the README" if opt == "sgd" else "no records"))
    for opt, recs in sorted(recs_of.items()):
        if opt == "sgd":
            continue
        where = "README.md study section (%s)" % opt
        want = lr_qualified(recs, {"ste"} | set(STUDY_ESTIMATORS.get(opt, [])))
        ms = got.get(opt, [])
        if len(ms) > 1:
            tally.mismatches.append("%s: the note on the learning rates chosen, %d times, want once" % (where, len(ms)))
        check_text(where, "the learning rates chosen with a qualification", "; ".join(want), unescape(ms[0].group(2)) if ms else "")
        for words, sentence in LR_WHY:
            check_text(where, "the sentence under the lr table on a choice %s ..." % words,
                       any(words in w for w in want), bool(ms) and sentence in ms[0].group(3))


def check_sides_note(study, recs):
    """The paragraph under README.md's sides table (the top-1 part of
    gradbench table --ablation sides over SGD's records recs): there, and
    naming the family its p (Holm) corrects over, every comparison of the
    table with ste that has a p, recomputed from the records of the specs
    it tabulates (note_specs) at their chosen learning rates; a family
    other than the findings' Holm sentence's, so that a reader can tell
    why an adjusted p of the table differs from the findings'."""
    where = "README.md study section (sides)"
    if SIDES_START not in study:
        tally.mismatches.append(where + ": no sides table")
        return
    lines = study.split(SIDES_START, 1)[1].split(OPTIMIZERS_START, 1)[0].split("\n")
    at = [i for i, ln in enumerate(lines) if ln.startswith("|")]
    if not at:
        tally.mismatches.append(where + ": no sides table")
        return
    after = [ln for ln in lines[at[-1] + 1:] if ln.strip()]
    note = after[0] if after else ""
    specs = note_specs("sides")
    kept, _ = select_lr([r for r in recs if r["config"]["estimator"] in specs])
    runs = {}
    for r in kept:
        runs.setdefault(r["config"]["estimator"], []).append(r)
    gs = {k: Row(v) for k, v in runs.items()}
    if "ste" not in gs:
        tally.mismatches.append(where + ": no ste records")
        return
    pairs = {s: paired(gs["ste"], g, "top1") for s, g in gs.items() if s != "ste"}
    check_family_note(where, family_holm(pairs), note)


def readme_study():
    """README.md's study section, between its begin and end lines."""
    with open(os.path.join(ROOT, "README.md")) as fh:
        text = fh.read()
    try:
        return text.split("<!-- study:begin -->", 1)[1].split("<!-- study:end -->", 1)[0]
    except IndexError:
        fail("README.md has no study section")


def study_records():
    """The study's records (results/study), per optimizer: one workload
    each."""
    wls = {}
    for r in load(["results/study/runs", "results/study/optimizers"]):
        wls.setdefault(r["config"]["optimizer"], {}).setdefault(workload_key(r["config"]), []).append(r)
    out = {}
    for opt, byk in wls.items():
        if len(byk) != 1:
            fail("more than one %s workload in results/study" % opt)
        out[opt] = list(byk.values())[0]
    return out


def check_readme():
    """The findings sentences of README.md's study section (gradbench table
    --ablation findings): each comparison's Δ, interval, p, n, the class
    its words put it in, and the range of the intervals' widths; and its
    notes on the records of its tables."""
    study = readme_study()
    recs_of = study_records()
    groups = {}
    for opt, recs in recs_of.items():
        kept, _ = select_lr(recs)
        specs = {}
        for r in kept:
            specs.setdefault(r["config"]["estimator"], []).append(r)
        groups[opt] = {k: Row(v) for k, v in specs.items()}
    check_record_notes(study, recs_of)
    check_lr_notes(study, recs_of)
    if "sgd" in recs_of:
        check_sides_note(study, recs_of["sgd"])
    lines = heldout = 0
    for line in study.split("\n"):
        gs_of = None
        m = HELDOUT.match(line)
        if m:
            # The top-1 findings over the seeds that chose no learning
            # rate: the pairs among those seeds alone.
            heldout += 1
            only = parse_seeds(m.group(1))
            gs_of = {k: Row([r for r in g.runs if r["config"]["seed"] in only]) for k, g in groups["sgd"].items()}
            if not line[m.end():].startswith("**Top-1 accuracy**"):
                tally.mismatches.append("README.md study findings on seeds %s: not the top-1 findings line" % m.group(1))
                continue
            opt, metric, prec = "sgd", "top1", 2
        elif line.startswith("- **Top-1 accuracy**"):
            opt, metric, prec = "sgd", "top1", 2
        elif line.startswith("- **Train loss**"):
            opt, metric, prec = "sgd", "train_loss", 3
        elif line.startswith(("- Adam, ", "- Bop, ")):
            opt = line[2:].split(",")[0].lower()
            metric, prec = ("top1", 2) if line.split(", ")[1].startswith("top-1") else ("train_loss", 3)
        else:
            continue
        if gs_of is None:
            lines += 1
            gs = groups[opt]
            where = "README.md study findings (%s, %s)" % (opt, metric)
        else:
            gs = gs_of
            where = "README.md study findings (%s, %s, seeds %s alone)" % (opt, metric, m.group(1))
        widths = []
        adj, k = family_adjusted(gs, STUDY_ESTIMATORS[opt], metric)
        found = [m.group(1) for m in FINDING.finditer(line)]
        # Every estimator with two or more seeds paired with ste is stated,
        # once, with its Δ, interval, p and n: one left out, or written so
        # that it is not read as a finding, is a mismatch, not a pass.
        check_text(where, "the estimators stated with Δ, 95% CI, p and n",
                   sorted(s for s in STUDY_ESTIMATORS[opt] if s in gs and "ste" in gs and len(paired(gs["ste"], gs[s], metric)[0]) >= 2),
                   sorted(found))
        for m in FINDING.finditer(line):
            spec = m.group(1)
            w = "%s, %s" % (where, spec)
            if spec not in gs:
                tally.mismatches.append(w + ": no records of this spec")
                continue
            x, y = paired(gs["ste"], gs[spec], metric)
            d = x - y
            mean, lo, hi = t_interval(d)
            p, _ = sign_flip_p(x, y)
            check(w, "Δ", mean, m.group(2), prec)
            check(w, "95% CI low", lo, m.group(3), prec)
            check(w, "95% CI high", hi, m.group(4), prec)
            check_p(w, "p", x, y, m.group(5))
            check_text(w, "n", str(len(d)), m.group(6))
            want = finding_class(mean, lo, hi, p, adj.get(spec, p), k)
            check_text(w, "class", want, label_at(line, m.start()))
            widths.append(hi - lo)
        check_holm_sentence(where, line, gs, STUDY_ESTIMATORS[opt], metric)
        wm = WIDTHS.search(line)
        if widths and wm:
            check(where, "narrowest interval", min(widths), wm.group(1), prec)
            check(where, "widest interval", max(widths), wm.group(2) or wm.group(1), prec)
        elif widths:
            tally.mismatches.append(where + ": no interval widths stated")
    if lines != 6:
        tally.mismatches.append("README.md study findings: %d lines of findings, expected 6 (sgd, adam, bop × top-1, train loss)" % lines)
    if heldout != 1:
        tally.mismatches.append("README.md study findings: %d lines of findings on the seeds that chose no learning rate, expected 1 (sgd top-1)" % heldout)


def check_holm_sentence(where, line, gs, specs, metric):
    """The findings line's sentence on Holm's correction, recomputed from
    the records: the family is the estimators of specs with two or more
    seeds paired with ste; of those whose t interval excludes 0 and whose
    p < 0.05 (beyond seed noise), those with a Holm-adjusted p < 0.05 stay
    so and the others do not."""
    fam, cls, ns = {}, {}, {}
    for spec in specs:
        if spec not in gs:
            continue
        x, y = paired(gs["ste"], gs[spec], metric)
        if len(x) < 2:
            continue
        p, draws = sign_flip_p(x, y)
        if draws:
            tally.mismatches.append("%s: %s: a Monte Carlo p; this check compares Holm's lists for exact p only" % (where, spec))
            return
        _, lo, hi = t_interval(x - y)
        fam[spec] = p
        cls[spec] = (lo > 0 or hi < 0) and p < ALPHA
        ns[spec] = len(x)
    keys = list(fam)
    adj = dict(zip(keys, holm([fam[k] for k in keys])))
    k = len(keys)
    n = max(ns.values(), default=0)
    beyond = [s for s in keys if cls[s]]
    m = HOLM_AFTER.search(line)
    lim = HOLM_LIMIT.search(line)
    # gradbench says nothing on Holm's correction for a family of one, nor
    # when no p of these seeds can reach 0.05 at all (it says that instead).
    said = k > 1 and min_sign_flip_p(n) < ALPHA
    check_text(where, "a sentence on which differences stay beyond noise after Holm's correction", said and bool(beyond), m is not None)
    limit = said and k * min_sign_flip_p(n) >= ALPHA
    check_text(where, "the sentence that no difference can survive Holm's correction", limit, lim is not None)
    if m is not None:
        check_text(where, "K, Holm's family", str(k), m.group(1))
        body = m.group(2)
        if "; these do not: " in body:
            kept_s, lost_s = body.split("; these do not: ", 1)
        elif body.startswith(("none of them stays", "it does not stay")):
            kept_s, lost_s = "", body
        else:
            kept_s, lost_s = body, ""
        kept = [(g.group(1), g.group(2)) for g in HOLM_ITEM.finditer(kept_s)]
        lost = [(g.group(1), g.group(2)) for g in HOLM_ITEM.finditer(lost_s)]
        check_text(where, "stay beyond seed noise after Holm",
                   sorted(s for s in beyond if adj[s] < ALPHA), sorted(s for s, _ in kept))
        check_text(where, "no longer beyond seed noise after Holm",
                   sorted(s for s in beyond if adj[s] >= ALPHA), sorted(s for s, _ in lost))
        for spec, printed in kept + lost:
            if spec in adj:
                check(where + ", " + spec, "adjusted p", adj[spec], printed, p_prec(adj[spec]))
    if lim is not None:
        check_text(where, "design limit: at most", len(set(ns.values())) > 1, lim.group(1) is not None)
        check_text(where, "design limit: seeds", str(n), lim.group(2))
        if lim.group(3) is not None:
            check_text(where, "design limit: K", str(k), lim.group(3))
        best = k * min_sign_flip_p(n)
        if lim.group(4) is not None:
            check_text(where, "design limit: K × 2/2^n", "%d × 2/2^%d" % (k, n), "%s × 2/2^%s" % (lim.group(4), lim.group(5)))
            check_text(where, "design limit: smallest adjusted p", "%.2g" % best, lim.group(6))
        else:
            check_text(where, "design limit: min(1, K × 2/2^n) = 1", "%d × 2/2^%d, %s" % (k, n, best > 1),
                       "%s × 2/2^%s, True" % (lim.group(7), lim.group(8)))

"""Each committed table (`gradbench table` output) recomputed cell by cell
from its records: the learning-rate tables, the top-1 tables (main, sides
and the paper's ablations), the loss tables, the Holm family a table's note
names, the note on records without a data digest and the note on records
of several machine types."""

from . import tally
from .compare import check, check_family_note, check_mean_std, check_pair, check_text
from .markdown import DASH, MACHINE_TYPES, UNDIGESTED, fmt_seeds, go_g, list_seeds, tables_of, unescape
from .records import Row, load, paired, select_lr, workload_key
from .stats import family_holm
from .tally import fail

# The tables checked, each with the directories of its records.
TABLES = [
    ("results/study/tables.md", ["results/study/runs", "results/study/optimizers"]),
    ("results/fmnist-10/table.md", ["results/fmnist-10"]),
    ("results/quick-ablation/table.md", ["results/quick-ablation"]),
    ("results/quick-since-fda/table.md", ["results/quick-since-fda"]),
]
BASELINE = "ste"


def check_seed_cols(where, header, row, col, ref, g, refspec, spec):
    """The seeds and paired columns gradbench adds when some row of a table
    finished other seeds than the row it is compared with: a row's seeds
    with a top-1, and those it shares with the reference ("–" for the
    reference's own row)."""
    if "seeds" not in col:
        return
    check_text(where, "seeds", fmt_seeds(g.values("top1")), row[col["seeds"]])
    paired_col = [h for h in header if h.startswith("paired")][0]
    want = DASH if spec == refspec or ref is None else fmt_seeds(set(ref.values("top1")) & set(g.values("top1")))
    check_text(where, "paired seeds", want, row[col[paired_col]])


def workload_for(heading, wls):
    cands = []
    for key, recs in wls.items():
        c = recs[0]["config"]
        h = unescape(heading)
        if (h.startswith(c["model"] + " ") and (" on %s" % c["dataset"]) in h
                and (", recipe %s:" % recs[0].get("recipe", "")) in h
                and (", %s lr " % c["optimizer"]) in h and ("%d epochs" % c["epochs"]) in h):
            cands.append(key)
    if len(cands) != 1:
        fail("heading %r matches %d workloads of the records" % (heading, len(cands)))
    return cands[0]


# What a note on records calls those a learning-rate grid chose on, when
# the table below is of other records (gradbench table --seeds over a
# grid): suite's choiceRecords.
CHOICE_RECORDS = "of the whole sweep, which the learning-rate choice below reads,"


def records_of(n, of=""):
    """A note's name for its n records (suite's recordsOf): "these n
    records" ("this record"), or with of, "the n records <of>"."""
    if of:
        return "the %s %s" % ("1 record" if n == 1 else "%d records" % n, of)
    return "this record" if n == 1 else "these %d records" % n


def undigested_note(recs, of=""):
    """gradbench's note on the records of a table without a data digest
    ("" when none or all are): how many, and which, as every record of
    some seeds when those seeds have no record with a digest, else per
    estimator (optimizer, learning-rate multiplier) with its seeds."""
    without = [r for r in recs if r.get("data") is None]
    if not without or len(without) == len(recs):
        return ""
    def seeds_text(ss):
        ss = sorted(set(ss))
        return ("seed " if len(ss) == 1 else "seeds ") + list_seeds(ss)
    seeds = {r["config"]["seed"] for r in without}
    if all(r.get("data") is None for r in recs if r["config"]["seed"] in seeds):
        which = "every record of " + seeds_text(seeds)
    else:
        opts = {r["config"]["optimizer"] for r in recs}
        entries = {}
        for r in without:
            c = r["config"]
            entries.setdefault((c["estimator"], c["optimizer"], c.get("lr_scale", 0)), []).append(c["seed"])
        parts = []
        for (est, opt, lr), ss in sorted(entries.items()):
            label = est + (" " + opt if len(opts) > 1 else "") + (" lr ×" + go_g(lr) if lr else "")
            parts.append(label + " " + seeds_text(ss))
        which = "; ".join(parts)
    # One record is spoken of as one: "1 of these 8 records carries".
    carry, were, their, them, digests = ("carries", "it was", "its", "it", "a digest") if len(without) == 1 else \
        ("carry", "they were", "their", "them", "digests")
    return ("Note: %d of %s %s%s, so whether %s trained on the same data as the others could not be checked: %s. "
            "Running %s sweep again after removing %s (results/study.sh for the standard study) "
            "would train %s anew, with %s, on the data it reads."
            % (len(without), records_of(len(recs), of), carry, UNDIGESTED, were, which, their, them, them, digests))


# The Machine fields that decide how a run rounds (suite/machinetype.go),
# in the order a note names them, each with its words when empty.
MACHINE_FIELDS = [
    ("cpu", "%s", "CPU not recorded"),
    ("gemm", "GEMM %s", "GEMM not recorded"),
    ("build_tags", "tags %s", "no build tags"),
    ("goexperiment", "GOEXPERIMENT %s", "no GOEXPERIMENT"),
    ("go_version", "%s", "Go version not recorded"),
    ("arch", "%s", "GOARCH not recorded"),
    ("arch_level", "%s", "architecture level not recorded"),
]

# The level of a GOARCH a record without arch_level was built for (the
# go command's default), as suite/machinetype.go's defaultArchLevel.
DEFAULT_ARCH_LEVEL = {"amd64": "GOAMD64=v1", "arm64": "GOARM64=v8.0"}


def canonical_list(s):
    """A comma-separated list (-tags, GOEXPERIMENT; spaces also separate)
    sorted, each item once."""
    return ",".join(sorted(set(s.replace(" ", ",").split(",")) - {""}))


def split_experiments(v):
    """A runtime.Version split into the Go version and the experiments
    the linker appended after " X:" or "-X:" ("" where none)."""
    for sep in (" X:", "-X:"):
        i = v.rfind(sep)
        if i >= 0:
            return v[:i], v[i + len(sep):]
    return v, ""


def machine_note(recs, of=""):
    """gradbench's note on the records of a table trained on more than one
    machine type ("" on one): a record's types are those of its segments
    and of its machine; each type is named (CPU and GEMM, the other fields
    where the types differ) with the records trained on it alone and their
    seeds, in the order of their first seed, then of the names (a type of
    resumed records alone last); then the records resumed on another type,
    and the seeds whose records are of more than one type."""
    def mtype(m):
        # As suite/machinetype.go's typeOf: the build tags as a set, the
        # experiments those the linker appended to the Go version
        # ("go1.26.8-X:arenas,jsonv2"), not GOEXPERIMENT as it was typed,
        # and the architecture level, the GOARCH's default where a record
        # kept none.
        t = {f: m.get(f) or "" for f, _, _ in MACHINE_FIELDS}
        t["build_tags"] = canonical_list(t["build_tags"])
        if t["go_version"]:
            t["go_version"], t["goexperiment"] = split_experiments(t["go_version"])
        else:
            t["goexperiment"] = canonical_list(t["goexperiment"])
        t["arch_level"] = t["arch_level"] or DEFAULT_ARCH_LEVEL.get(t["arch"], "")
        return tuple(t[f] for f, _, _ in MACHINE_FIELDS)
    alone, resumed, of_seed, types = {}, [], {}, []
    for r in recs:
        ts = []
        for m in [g["machine"] for g in r.get("segments") or []] + [r["machine"]]:
            if mtype(m) not in ts:
                ts.append(mtype(m))
        seed = r["config"]["seed"]
        of_seed.setdefault(seed, set()).update(ts)
        types += [t for t in ts if t not in types]
        if len(ts) > 1:
            resumed.append(seed)
        else:
            alone.setdefault(ts[0], []).append(seed)
    if len(types) < 2:
        return ""
    def label(t):
        words = []
        for i, (_, fmt, none) in enumerate(MACHINE_FIELDS):
            if i < 2 or any(u[i] != t[i] for u in types):
                words.append(fmt % t[i] if t[i] else none)
        return ", ".join(words)
    def seeds_text(ss):
        ss = sorted(set(ss))
        return ("seed " if len(ss) == 1 else "seeds ") + list_seeds(ss)
    def records(n):
        return "1 record" if n == 1 else "%d records" % n
    def key(t):
        ss = alone.get(t)
        return (0, min(ss), label(t)) if ss else (1, 0, label(t))
    parts = []
    for t in sorted(types, key=key):
        if t in alone:
            parts.append("%s: %s, %s" % (label(t), records(len(alone[t])), seeds_text(alone[t])))
        else:
            parts.append(label(t) + ": parts of resumed records only")
    if resumed:
        parts.append("resumed on another type: %s, %s" % (records(len(resumed)), seeds_text(resumed)))
    mixed = [s for s, ts in of_seed.items() if len(ts) > 1]
    if mixed:
        pairing = ("The records of %s are of more than one type, so their paired comparisons set side by side "
                   "runs whose rounding may differ." % seeds_text(mixed))
    else:
        pairing = "Each seed's records are of one type, so every pair of runs compared seed by seed is of one type."
    these = records_of(len(recs), of) + (" was" if len(recs) == 1 else " were")
    return ("Note: %s trained on %d%s: a run retrained on another type need not give the same numbers. %s. %s"
            % (these, len(types), MACHINE_TYPES, "; ".join(parts), pairing))


def chosen_lr_cell(spec, best, points, header, recs):
    """The chosen lr cell of an lr table's row, as gradbench writes it: the
    learning rate and its multiplier, whether it is at an edge of the
    multipliers the estimator ran, and the multipliers beyond it that other
    rows ran and it did not, or that it is the only multiplier run."""
    if best is None:
        # Nothing chosen: no seed ran every multiplier (no point counts a
        # run), or every run there diverged (suite/lrgrid.go).
        if all(n == 0 and div == 0 for _, _, n, div in points.values()):
            return "none (no seed ran every multiplier)"
        return "none (every run diverged)"
    lr = [r["config"]["lr"] for r in recs if r["config"]["estimator"] == spec][0]
    cell = "%s (×%s)" % (go_g(lr * best, 6), go_g(best))
    ran = sorted(points)
    lo, hi = ran[0], ran[-1]
    if len(ran) >= 2 and best == hi:
        cell += ", at the grid's upper edge"
    elif len(ran) >= 2 and best == lo:
        cell += ", at the grid's lower edge"
    scales = [float(h[len("val top-1 % at lr ×"):]) for h in header if h.startswith("val top-1 % at lr ×")]
    missing = [go_g(s) for s in scales if s not in points and (s > best and best == hi or s < best and best == lo)]
    if missing:
        cell += ", without runs at ×" + ", ×".join(missing)
    elif len(ran) == 1:
        # A choice among one multiplier compared nothing (suite/lrgrid.go).
        cell += ", the only rate run"
    return cell


def table_specs(header, rows):
    """The specs whose records a table's rows show: each row's spec (the
    spec column, else the estimator column), or both specs of a row of
    the FDA paper's Table 3 ("DSQ (dsq → dsq+na)")."""
    if "without NA" in header:
        return {s for r in rows for s in unescape(r[0]).rsplit("(", 1)[1].rstrip(")").split(" → ")}
    first = "spec" if "spec" in header else "estimator"
    return {unescape(r[header.index(first)]) for r in rows}


def check_file(path, dirs):
    recs = load(dirs)
    wls = {}
    for r in recs:
        wls.setdefault(workload_key(r["config"]), []).append(r)
    selected = {k: select_lr(v) for k, v in wls.items()}
    tables = tables_of(path)
    # The specs of all the tables under each heading, in order: the notes
    # above the first are of the records of every one of them (the paper
    # table's three tables have rows of different specs, and its notes are
    # of the records of all its rows: suite's tabulatedRecords).
    under = []
    for _, index, header, rows, *_ in tables:
        if index == 0:
            under.append(set())
        under[-1] |= table_specs(header, rows)
    group = -1
    for heading, index, header, rows, seeds, note, undigested, machines in tables:
        if index == 0:
            group += 1
        if heading is None:
            fail(path + ": a table before any ### heading")
        kept, choices = selected[workload_for(heading, wls)]
        if seeds is not None:
            # gradbench table --seeds: the rows are of these seeds' runs
            # at the rates chosen on every seed, or, where the table says
            # so (the lr table), at the rates these seeds' runs choose.
            only, lr_on_seeds = seeds
            if lr_on_seeds:
                kept, choices = select_lr([r for r in wls[workload_for(heading, wls)] if r["config"]["seed"] in only])
            kept = [r for r in kept if r["config"]["seed"] in only]
        specs = {}
        for r in kept:
            specs.setdefault(r["config"]["estimator"], []).append(r)
        groups = {s: Row(rs) for s, rs in specs.items()}
        c0 = wls[workload_for(heading, wls)][0]
        where0 = "%s (recipe %s, %s)" % (path, c0.get("recipe", "?"), c0["config"]["optimizer"])
        grid = bool(c0["config"].get("lr_scale", 0))
        # On a grid with --seeds (not the lr table) the notes above the
        # choice are of the records it chose on, every seed's, and the
        # table after it has its own, of its rows' records.
        own = seeds is not None and not seeds[1] and grid
        first = "spec" if "spec" in header else "estimator"
        ests = {unescape(r[header.index(first)]) for r in rows}
        made_of, of = None, ""
        if index == 0:
            # The records the tables were made from: the workload's, of
            # the specs of the tables under the heading (--estimators, the
            # paper's fixed rows), and of --seeds where the table's rows
            # were chosen on them (not on a grid, or the lr table).
            made_of = [r for r in wls[workload_for(heading, wls)] if r["config"]["estimator"] in under[group]]
            if seeds is not None and not own:
                made_of = [r for r in made_of if r["config"]["seed"] in seeds[0]]
            if own:
                of = CHOICE_RECORDS
        elif index == 1 and own:
            made_of = [r for r in kept if r["config"]["estimator"] in ests]
        if made_of is not None:
            check_text(where0, "the note on records without a data digest", undigested_note(made_of, of), unescape(undigested))
            check_text(where0, "the note on records of several machine types", machine_note(made_of, of), unescape(machines))
        else:
            check_text(where0, "a note on records above table %d (gradbench writes none there)" % (index + 1), "", undigested + machines)
        col = {h: i for i, h in enumerate(header)}
        if any(h.startswith("val top-1 % at lr ×") for h in header):
            for row in rows:
                spec = unescape(row[0])
                where = "%s, lr table, %s" % (where0, spec)
                if spec not in choices:
                    tally.mismatches.append(where + ": no grid runs of this estimator in the records")
                    continue
                best, points = choices[spec]
                for h, i in col.items():
                    if not h.startswith("val top-1 % at lr ×"):
                        continue
                    scale = float(h[len("val top-1 % at lr ×"):])
                    cell = row[i]
                    bold = cell.startswith("**")
                    cell = cell.strip("*")
                    pt = points.get(scale)
                    if pt is None:
                        check_text(where, "×%g" % scale, DASH, cell)
                        continue
                    vt, _, n, div = pt
                    check_text(where, "×%g chosen" % scale, scale == best, bold)
                    if n == 0:
                        # A multiplier of no run on the seeds compared
                        # (none ran every multiplier) is "–", as one not run.
                        check_text(where, "×%g" % scale, "diverged (%d)" % div if div else DASH, cell)
                        continue
                    num, rest = cell.split(" ", 1)
                    check(where, "val top-1 at ×%g" % scale, vt, num, 2)
                    want = "(n=%d)" % n + (", %d diverged" % div if div else "")
                    check_text(where, "runs at ×%g" % scale, want, rest)
                check_text(where, "chosen lr", chosen_lr_cell(spec, best, points, header, wls[workload_for(heading, wls)]), row[col["chosen lr"]])
            continue
        if ("p" in col) != ("p (Holm)" in col) or ("p (Holm)" in col and col["p (Holm)"] != col["p"] + 1):
            tally.mismatches.append("%s: a table whose p column is not followed by p (Holm): %r" % (where0, header))
            continue
        if "without NA" in col:  # the FDA paper's Table 3: each spec with NA against itself without
            pairs = {}
            for row in rows:
                without, with_ = unescape(row[0]).rsplit("(", 1)[1].rstrip(")").split(" → ")
                if without in groups and with_ in groups:
                    pairs[row[0]] = paired(groups[without], groups[with_], "top1")
            adjusted = family_holm(pairs)
            check_family_note(where0, adjusted, note)
            for row in rows:
                without, with_ = unescape(row[0]).rsplit("(", 1)[1].rstrip(")").split(" → ")
                where = "%s, %s → %s" % (where0, without, with_)
                ga, gb = groups.get(without), groups.get(with_)
                if ga is None or gb is None:
                    tally.mismatches.append(where + ": no records of one of the two specs")
                    continue
                for g, c, name in ((ga, "without NA", without), (gb, "with NA", with_)):
                    check_mean_std(where, "top-1 " + name, list(g.values("top1").values()), row[col[c]], 2)
                check_text(where, "n", "%d / %d" % (len(ga.values("top1")), len(gb.values("top1"))), row[col["n"]])
                check_text(where, "diverged", "%s / %s" % (ga.diverged_cell(), gb.diverged_cell()), row[col["diverged"]])
                if "seeds" in col:
                    check_text(where, "seeds", "%s / %s" % (fmt_seeds(ga.values("top1")), fmt_seeds(gb.values("top1"))), row[col["seeds"]])
                    check_text(where, "paired seeds", fmt_seeds(set(ga.values("top1")) & set(gb.values("top1"))), row[col["paired"]])
                check_text(where, "seeds and paired columns (some pair leaves a seed out)",
                           any(set(groups[a].values("top1")) != set(groups[b].values("top1"))
                               for a, b in (unescape(r[0]).rsplit("(", 1)[1].rstrip(")").split(" → ") for r in rows)
                               if a in groups and b in groups),
                           "seeds" in col)
                i = col["Δ with − without (pp)"]
                check_pair(where, "top-1", ga, gb, "top1", 2, row[i:i + 4], adjusted.get(row[0]))
            continue
        key = "spec" if "spec" in col else "estimator"
        dheads = [h for h in header if h.startswith("Δ vs ")]
        refspec = BASELINE
        if dheads and dheads[0] != "Δ vs %s (pp)" % BASELINE:
            refspec = unescape(rows[0][col[key]])  # the paper tables compare with their first row
        ref = groups.get(refspec)
        adjusted = {}
        if "p (Holm)" in col and ref is not None:
            # The family: every row but the reference's own, with its records.
            pairs = {}
            for row in rows:
                spec = unescape(row[col[key]])
                if spec != refspec and spec in groups:
                    pairs[spec] = paired(ref, groups[spec], "top1")
            adjusted = family_holm(pairs)
        if "p (Holm)" in col:
            check_family_note(where0, adjusted, note)
        if "top-1 % (mean ± std)" in col:
            # gradbench adds the seeds and paired columns exactly when a
            # row compared with the reference finished other seeds.
            unequal = ref is not None and any(
                set(ref.values("top1")) != set(groups[unescape(r[col[key]])].values("top1"))
                for r in rows if unescape(r[col[key]]) != refspec and unescape(r[col[key]]) in groups)
            check_text(where0, "seeds and paired columns (some row finished other seeds than %s)" % refspec, unequal, "seeds" in col)
        for row in rows:
            spec = unescape(row[col[key]])
            where = "%s, %s" % (where0, spec)
            g = groups.get(spec)
            if g is None:
                tally.mismatches.append(where + ": no records of this spec at its chosen rate")
                continue
            if "top-1 % (mean ± std)" in col:
                top1 = list(g.values("top1").values())
                check_mean_std(where, "top-1", top1, row[col["top-1 % (mean ± std)"]], 2)
                check_text(where, "n", str(len(top1)), row[col["n"]])
                check_text(where, "diverged", g.diverged_cell(), row[col["diverged"]])
                check_seed_cols(where, header, row, col, ref, g, refspec, spec)
                dcol = [h for h in header if h.startswith("Δ vs ")][0]
                i = col[dcol]
                if spec == refspec or ref is None:
                    for c in row[i:i + 4]:
                        check_text(where, "Δ/CI/p/p (Holm) of the baseline", DASH, c)
                else:
                    check_pair(where, "top-1", ref, g, "top1", 2, row[i:i + 4], adjusted.get(spec))
                if "sec/epoch" in col:
                    if top1:
                        check(where, "sec/epoch", g.sec_per_epoch(), row[col["sec/epoch"]], 1)
                    else:
                        check_text(where, "sec/epoch", DASH, row[col["sec/epoch"]])
            elif "test loss (mean ± std)" in col:
                for metric, name in (("test_loss", "test loss"), ("train_loss", "train loss")):
                    xs = list(g.values(metric).values())
                    check_mean_std(where, name, xs, row[col[name + " (mean ± std)"]], 3)
                    i = col["Δ %s vs %s" % (name, BASELINE)]
                    if spec == refspec or ref is None:
                        for c in row[i:i + 2]:
                            check_text(where, "Δ/CI of the baseline", DASH, c)
                    else:
                        check_pair(where, name, ref, g, metric, 3, row[i:i + 2])
            else:
                fail("%s: a table with header %r: not one statcheck knows" % (path, header))

"""readme.py's checks of the notes of README.md's study section, on
hand-made records: the notes on the records of its tables
(check_record_notes), the note on records without a data digest for each
part (the SGD findings', the sides table's, Adam's, Bop's); the notes on
the learning rates Adam's and Bop's tables chose with a qualification
(check_lr_notes); the paragraph under the sides table, with the family its
p (Holm) corrects over (check_sides_note); and all of them on the
committed README.md. Run:
/usr/bin/python3 -m unittest discover results/statcheck"""

import os
import sys
import unittest

# discover with results/statcheck as the top directory imports this file as
# a top-level module: the package is then found from results/.
_RESULTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _RESULTS not in sys.path:
    sys.path.insert(0, _RESULTS)

from statcheck import tally  # noqa: E402
from statcheck.readme import (OPTIMIZERS_START, SIDES_START, check_lr_notes, check_record_notes, check_sides_note,  # noqa: E402
                              lr_qualified, readme_study, study_records)
from statcheck.tables import machine_note, undigested_note  # noqa: E402

MACHINE = {"cpu": "Intel(R) Xeon(R) Processor", "gemm": "avx2", "build_tags": "", "arch": "amd64", "go_version": "go1.26.8"}
DIGEST = {"train": "sha256:aa", "test": "sha256:bb"}


def recs(specs, seeds=(1, 2, 3, 4), undigested=(1, 2)):
    """A record of each spec and seed, all on one machine type; those of
    the seeds undigested without a data digest."""
    out = []
    for spec in specs:
        for s in seeds:
            r = {"config": {"estimator": spec, "seed": s}, "machine": MACHINE}
            if s not in undigested:
                r["data"] = DIGEST
            out.append(r)
    return out


def grid(spec, vals, seeds=(1, 2)):
    """spec's records of a learning-rate grid from 0.001: for each
    multiplier of vals, a finished run of each seed with that final
    validation top-1."""
    return [{"config": {"estimator": spec, "seed": s, "lr": 0.001, "lr_scale": m}, "status": "ok",
             "epochs": [{"val_top1": v, "val_loss": 1.0}], "machine": MACHINE}
            for m, v in vals.items() for s in seeds]


EDGE = ("A choice at the grid's edge says only that the best rate is there or beyond it: extend the grid that way "
        "(--lr-grid with the next multiplier, same seeds) until the choice lies inside it.")
PARTIAL = ("A choice without runs at multipliers beyond it that other estimators of the table ran is the best of the "
           "learning rates its estimator ran, not of the grid's (a sweep interrupted before those, or an estimator run at "
           "a rate set by hand): train it there too (the same --lr-grid and seeds) to choose among them.")

SINGLE = ("A choice among one multiplier, the only one the table ran, compares nothing: it is the rate given, not one "
          "chosen; give --lr-grid several (such as 0.3,1,3, the same seeds) to choose.")

UNCOMPARED = ("An estimator whose multipliers ran on different seeds, none of them at every one, has nothing to compare "
              "them on and no rate chosen: run the same seeds at each of its multipliers (the same --lr-grid and --seeds).")


class ReadmeLRNotesTest(unittest.TestCase):
    def setUp(self):
        # ste's best rate inside the grid, fda's at its upper edge; a
        # dsq record at its edge, which the README does not tabulate for
        # Adam.
        self.adam = (grid("ste", {0.3: 50, 1: 70, 3: 60}) + grid("fda", {0.3: 50, 1: 60, 3: 70}) +
                     grid("dsq", {0.3: 70, 1: 60, 3: 50}))
        self.note = "Note (Adam), on the learning rates chosen: fda 0.003 (×3), at the grid's upper edge. " + EDGE

    def test_cells(self):
        self.assertEqual(lr_qualified(self.adam, {"ste", "fda"}), ["fda 0.003 (×3), at the grid's upper edge"])
        # fda without a run at ×10, which ste ran.
        partial = grid("ste", {0.3: 50, 1: 70, 3: 60, 10: 40}) + grid("fda", {0.3: 50, 1: 60, 3: 70})
        self.assertEqual(lr_qualified(partial, {"ste", "fda"}), ["fda 0.003 (×3), at the grid's upper edge, without runs at ×10"])

    def test_note_there(self):
        self.assertEqual(tally.mismatches_of(check_lr_notes, self.note, {"adam": self.adam}), [])

    def test_note_missing(self):
        # The cells, and the sentence on the edge.
        self.assertEqual(len(tally.mismatches_of(check_lr_notes, "- Adam, top-1: ...", {"adam": self.adam})), 2)

    def test_wrong_cell(self):
        study = self.note.replace("(×3)", "(×1)")
        self.assertEqual(len(tally.mismatches_of(check_lr_notes, study, {"adam": self.adam})), 1)

    def test_wrong_sentence(self):
        study = self.note.replace(EDGE, PARTIAL)
        self.assertEqual(len(tally.mismatches_of(check_lr_notes, study, {"adam": self.adam})), 2)

    def test_note_without_a_qualified_choice(self):
        inside = grid("ste", {0.3: 50, 1: 70, 3: 60}) + grid("fda", {0.3: 50, 1: 70, 3: 60})
        self.assertEqual(tally.mismatches_of(check_lr_notes, "", {"adam": inside}), [])
        self.assertEqual(len(tally.mismatches_of(check_lr_notes, self.note, {"adam": inside})), 2)

    def test_only_rate_run(self):
        # Every estimator ran one multiplier: gradbench says the rate was
        # given, not chosen (suite/lrgrid.go), and a sentence on it.
        one = grid("ste", {1: 70}) + grid("fda", {1: 60})
        self.assertEqual(lr_qualified(one, {"ste", "fda"}), ["fda 0.001 (×1), the only rate run", "ste 0.001 (×1), the only rate run"])
        note = ("Note (Adam), on the learning rates chosen: fda 0.001 (×1), the only rate run; ste 0.001 (×1), the only rate run. "
                + SINGLE)
        self.assertEqual(tally.mismatches_of(check_lr_notes, note, {"adam": one}), [])
        self.assertEqual(len(tally.mismatches_of(check_lr_notes, note.replace(SINGLE, EDGE), {"adam": one})), 2)

    def test_no_common_seed(self):
        # fda ran ×1 on seed 1 and ×3 on seed 2 alone: no seed to compare
        # them on, so nothing chosen (suite/lrgrid.go), which is not that
        # every run diverged.
        split = grid("ste", {0.3: 50, 1: 70, 3: 60}) + grid("fda", {1: 60}, seeds=(1,)) + grid("fda", {3: 70}, seeds=(2,))
        self.assertEqual(lr_qualified(split, {"ste", "fda"}), ["fda none (no seed ran every multiplier)"])
        note = "Note (Adam), on the learning rates chosen: fda none (no seed ran every multiplier). " + UNCOMPARED
        self.assertEqual(tally.mismatches_of(check_lr_notes, note, {"adam": split}), [])
        self.assertEqual(len(tally.mismatches_of(check_lr_notes, note.replace(UNCOMPARED, EDGE), {"adam": split})), 2)

    def test_note_for_sgd(self):
        study = self.note.replace("(Adam)", "(SGD)")
        self.assertEqual(len(tally.mismatches_of(check_lr_notes, study, {"sgd": self.adam})), 1)


class ReadmeSidesNoteTest(unittest.TestCase):
    def setUp(self):
        # ste, fda and fda on one side only, seeds 1 to 3; dsq on the
        # weights only with one seed, too few for a p.
        self.sgd = [{"config": {"estimator": spec, "seed": s, "lr": 0.1}, "status": "ok", "final": {"test_top1": 70 + s * i},
                     "machine": MACHINE}
                    for i, spec in enumerate(["ste", "fda", "w=fda/a=ste", "w=ste/a=fda"]) for s in (1, 2, 3)]
        self.sgd.append({"config": {"estimator": "w=dsq/a=ste", "seed": 1, "lr": 0.1}, "status": "ok", "final": {"test_top1": 71},
                         "machine": MACHINE})

    def study(self, under):
        return SIDES_START + " ...:\n\n| estimator | p | p (Holm) |\n|:--|--:|--:|\n| ste | – | – |\n\n" + under + "\n\n" + OPTIMIZERS_START

    def test_family(self):
        note = "Δ: the mean ... p (Holm): p adjusted by Holm's step-down method over the table's 3 comparisons with a p, so that ..."
        self.assertEqual(tally.mismatches_of(check_sides_note, self.study(note), self.sgd), [])
        self.assertEqual(len(tally.mismatches_of(check_sides_note, self.study(note.replace(" 3 ", " 4 ")), self.sgd)), 1)

    def test_paragraph_missing(self):
        self.assertEqual(len(tally.mismatches_of(check_sides_note, self.study(""), self.sgd)), 1)

    def test_no_sides_table(self):
        self.assertEqual(len(tally.mismatches_of(check_sides_note, "- **Top-1 accuracy** ...", self.sgd)), 1)


def labelled(opt, note):
    """note as update-readme.sh writes an optimizer's: "Note (Adam): ..."."""
    return "Note (%s): %s" % (opt, note[len("Note: "):])


class ReadmeDigestNotesTest(unittest.TestCase):
    def mismatches(self, study, recs_of):
        return tally.mismatches_of(check_record_notes, study, recs_of)

    def setUp(self):
        # Adam's ste and fda; a dsq record, which the README does not
        # tabulate for Adam, with a digest where the others have none.
        self.adam = recs(["ste", "fda"]) + recs(["dsq"], seeds=(1,), undigested=())
        self.note = undigested_note(recs(["ste", "fda"]))
        self.assertTrue(self.note.startswith("Note: 4 of these 8 records carry no data digest"), self.note)
        # SGD's records: its estimators, and each on one side only.
        ests = ["ste", "approxsign", "dsq", "bnnplus", "ede", "fda", "fda+na"]
        sides = ["w=%s/a=ste" % e for e in ests[1:]] + ["w=ste/a=%s" % e for e in ests[1:]]
        self.sgd = recs(ests) + recs(sides, seeds=(1, 3))
        self.sgd_note = undigested_note(recs(ests))
        self.sides_note = undigested_note(self.sgd)
        self.assertNotEqual(self.sgd_note, self.sides_note)

    def test_one_record_spoken_of_as_one(self):
        # gradbench's wording for a single record without a digest
        # (suite's TestUndigestedNoteGroups, "one record").
        rs = recs(["ste"], seeds=(1, 2), undigested=(1,)) + recs(["fda"], seeds=(1,), undigested=())
        for r in rs:
            r["config"].update(optimizer="sgd", lr_scale=0)
        self.assertEqual(undigested_note(rs),
                         "Note: 1 of these 3 records carries no data digest (written before gradbench kept them), "
                         "so whether it was trained on the same data as the others could not be checked: ste seed 1. "
                         "Running its sweep again after removing it (results/study.sh for the standard study) "
                         "would train it anew, with a digest, on the data it reads.")

    def test_optimizer_note_there(self):
        study = OPTIMIZERS_START + "\n\n" + labelled("Adam", self.note) + "\n\n- Adam, top-1: ..."
        self.assertEqual(self.mismatches(study, {"adam": self.adam}), [])

    def test_optimizer_note_missing(self):
        study = OPTIMIZERS_START + "\n\n- Adam, top-1: ..."
        self.assertEqual(len(self.mismatches(study, {"adam": self.adam})), 1)

    def test_optimizer_note_wrong(self):
        study = labelled("Adam", self.note.replace("seeds 1 and 2", "seeds 1–3"))
        self.assertEqual(len(self.mismatches(study, {"adam": self.adam})), 1)

    def test_optimizer_note_twice(self):
        line = labelled("Bop", self.note)
        self.assertEqual(len(self.mismatches(line + "\n\n" + line, {"bop": self.adam})), 1)

    def test_no_note_when_every_record_lacks_a_digest(self):
        none = recs(["ste", "fda"], undigested=(1, 2, 3, 4))
        self.assertEqual(self.mismatches("- Bop, top-1: ...", {"bop": none}), [])
        self.assertEqual(len(self.mismatches(labelled("Bop", self.note), {"bop": none})), 1)

    def test_unnamed_note_under_the_optimizers(self):
        study = OPTIMIZERS_START + "\n\n" + self.note
        # The note without its optimizer's name, and Adam's missing.
        self.assertEqual(len(self.mismatches(study, {"adam": self.adam})), 2)

    def test_sgd_and_sides_notes(self):
        study = self.sgd_note + "\n\n- **Top-1 accuracy** ...\n\n" + SIDES_START + " ...:\n\n" + self.sides_note + "\n\n| table |"
        self.assertEqual(self.mismatches(study, {"sgd": self.sgd}), [])

    def test_sides_note_missing(self):
        study = self.sgd_note + "\n\n" + SIDES_START + " ...:\n\n| table |"
        self.assertEqual(len(self.mismatches(study, {"sgd": self.sgd})), 1)

    def test_sides_note_over_the_findings_records(self):
        # The findings' note, over fewer records, does not do for the
        # sides table, nor the sides table's for the findings.
        study = self.sides_note + "\n\n" + SIDES_START + " ...:\n\n" + self.sgd_note
        self.assertEqual(len(self.mismatches(study, {"sgd": self.sgd})), 2)


class CommittedReadmeTest(unittest.TestCase):
    """README.md's study section carries every note gradbench table
    writes on the records of the tables it draws on."""

    def test_committed_readme(self):
        self.assertEqual(tally.mismatches_of(check_record_notes, readme_study(), study_records()), [])

    def test_committed_readme_learning_rates(self):
        self.assertEqual(tally.mismatches_of(check_lr_notes, readme_study(), study_records()), [])

    def test_committed_readme_sides(self):
        self.assertEqual(tally.mismatches_of(check_sides_note, readme_study(), study_records()["sgd"]), [])

    def test_committed_records_need_the_notes(self):
        # Not a vacuous pass: the committed records call for both notes
        # in every part.
        rs = study_records()
        for opt in ("sgd", "adam", "bop"):
            self.assertNotEqual(undigested_note(rs[opt]), "", opt)
            self.assertNotEqual(machine_note(rs[opt]), "", opt)
        self.assertNotEqual(lr_qualified(rs["adam"], {"ste", "approxsign", "fda"}), [])


if __name__ == "__main__":
    unittest.main()

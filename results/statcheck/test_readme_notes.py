"""readme.py's check of the notes on the records of README.md's study
tables (check_record_notes), on hand-made records: the note on records
without a data digest for each part (the SGD findings', the sides
table's, Adam's, Bop's), and both notes on the committed README.md. Run:
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
from statcheck.readme import OPTIMIZERS_START, SIDES_START, check_record_notes, readme_study, study_records  # noqa: E402
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


def labelled(opt, note):
    """note as update-readme.sh writes an optimizer's: "Note (Adam): ..."."""
    return "Note (%s): %s" % (opt, note[len("Note: "):])


class ReadmeDigestNotesTest(unittest.TestCase):
    def mismatches(self, study, recs_of):
        saved, tally.mismatches = tally.mismatches, []
        try:
            check_record_notes(study, recs_of)
            return tally.mismatches
        finally:
            tally.mismatches = saved

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

    def test_optimizer_note_there(self):
        study = OPTIMIZERS_START + "\n\n" + labelled("Adam", self.note) + "\n\n- Adam, top-1: ..."
        self.assertEqual(self.mismatches(study, {"adam": self.adam}), [])

    def test_optimizer_note_missing(self):
        study = OPTIMIZERS_START + "\n\n- Adam, top-1: ..."
        self.assertEqual(len(self.mismatches(study, {"adam": self.adam})), 1)

    def test_optimizer_note_wrong(self):
        study = labelled("Adam", self.note.replace("seeds 1, 2", "seeds 1–3"))
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
        saved, tally.mismatches = tally.mismatches, []
        try:
            check_record_notes(readme_study(), study_records())
            got = tally.mismatches
        finally:
            tally.mismatches = saved
        self.assertEqual(got, [])

    def test_committed_records_need_the_notes(self):
        # Not a vacuous pass: the committed records call for both notes
        # in every part.
        rs = study_records()
        for opt in ("sgd", "adam", "bop"):
            self.assertNotEqual(undigested_note(rs[opt]), "", opt)
            self.assertNotEqual(machine_note(rs[opt]), "", opt)


if __name__ == "__main__":
    unittest.main()

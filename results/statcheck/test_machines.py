"""Hand-made records for tables.py's note on records of several machine
types (machine_note), the cases of suite/machinetype_test.go, and for
readme.py's check of that note in README.md's study section
(check_record_notes). Run:
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
from statcheck.readme import SIDES_START, check_record_notes  # noqa: E402
from statcheck.tables import machine_note  # noqa: E402

XEON = {"cpu": "Intel(R) Xeon(R) Processor", "gemm": "avx2", "build_tags": "", "arch": "amd64", "go_version": "go1.26.8",
        "os": "linux", "cores": 2, "commit": "unknown"}
EPYC = dict(XEON, cpu="AMD EPYC (family 26, model 2)", gemm="avx512")
# The same type on another host, core count, OS and commit.
XEON2 = dict(XEON, host="node7", cores=16, os="darwin", commit="0123abc")
HEAD = ("Note: these 8 records were trained on 2 machine types (CPU, GEMM, build tags, Go version, architecture), "
        "whose rounding may differ: a run retrained on another type need not give the same numbers. ")


def recs(machines):
    """The ste and fda records of seeds 1 to 4, each trained on the
    machines of its entry in turn (more than one: resumed)."""
    out = []
    for i, ms in enumerate(machines):
        out.append({"config": {"estimator": ["ste", "fda"][i % 2], "seed": i // 2 + 1},
                    "machine": ms[-1], "segments": [{"machine": m} for m in ms]})
    return out


class MachineNoteTest(unittest.TestCase):
    def test_one_type(self):
        self.assertEqual(machine_note(recs([[XEON]] * 4 + [[XEON2]] * 2 + [[XEON], [XEON, XEON2]])), "")

    def test_records_without_segments(self):
        r = recs([[XEON]] * 6 + [[EPYC]] * 2)
        for x in r:
            del x["segments"]
        self.assertIn("GEMM avx512: 2 records, seed 4. Each seed's", machine_note(r))

    def test_two_types_by_seed(self):
        self.assertEqual(machine_note(recs([[XEON]] * 6 + [[EPYC]] * 2)), HEAD +
                         "Intel(R) Xeon(R) Processor, GEMM avx2: 6 records, seeds 1–3; AMD EPYC (family 26, model 2), "
                         "GEMM avx512: 2 records, seed 4. Each seed's records are of one type, so every pair of runs "
                         "compared seed by seed is of one type.")

    def test_mixed_seeds(self):
        self.assertEqual(machine_note(recs([[EPYC]] + [[XEON]] * 6 + [[EPYC]])), HEAD +
                         "AMD EPYC (family 26, model 2), GEMM avx512: 2 records, seeds 1 and 4; Intel(R) Xeon(R) Processor, "
                         "GEMM avx2: 6 records, seeds 1–4. The records of seeds 1 and 4 are of more than one type, so their "
                         "paired comparisons set side by side runs whose rounding may differ.")

    def test_resumed_on_another_type(self):
        self.assertEqual(machine_note(recs([[XEON]] * 4 + [[XEON, EPYC]] + [[XEON]] * 3)), HEAD +
                         "Intel(R) Xeon(R) Processor, GEMM avx2: 7 records, seeds 1–4; AMD EPYC (family 26, model 2), "
                         "GEMM avx512: parts of resumed records only; resumed on another type: 1 record, seed 3. The "
                         "records of seed 3 are of more than one type, so their paired comparisons set side by side runs "
                         "whose rounding may differ.")

    def test_labels_name_the_fields_that_differ(self):
        other = dict(XEON, build_tags="purego", go_version="go1.25.1")
        note = machine_note(recs([[XEON]] * 4 + [[other]] * 4))
        self.assertIn("Intel(R) Xeon(R) Processor, GEMM avx2, no build tags, go1.26.8: 4 records, seeds 1 and 2; "
                      "Intel(R) Xeon(R) Processor, GEMM avx2, tags purego, go1.25.1: 4 records, seeds 3 and 4.", note)

    def test_spellings_of_one_type(self):
        # suite/machinetype_test.go's TestMachineTypeSpellings: -tags and
        # GOEXPERIMENT as typed, in another order, with a tag twice or a
        # default experiment named, are one type.
        for a, b in [(dict(build_tags="purego,openblas"), dict(build_tags="openblas,purego")),
                     (dict(build_tags="openblas"), dict(build_tags="openblas,openblas")),
                     (dict(goexperiment="jsonv2,arenas", go_version="go1.26.8-X:arenas,jsonv2"),
                      dict(goexperiment="arenas,jsonv2", go_version="go1.26.8-X:arenas,jsonv2")),
                     (dict(goexperiment="greenteagc"), dict())]:
            self.assertEqual(machine_note(recs([[dict(XEON, **a)]] * 4 + [[dict(XEON, **b)]] * 4)), "")
        note = machine_note(recs([[dict(XEON, goexperiment="arenas", go_version="go1.26.8-X:arenas")]] * 4 + [[XEON]] * 4))
        self.assertIn("Intel(R) Xeon(R) Processor, GEMM avx2, GOEXPERIMENT arenas: 4 records, seeds 1 and 2; "
                      "Intel(R) Xeon(R) Processor, GEMM avx2, no GOEXPERIMENT: 4 records, seeds 3 and 4.", note)


    def test_one_record(self):
        # suite/machinetype_test.go's TestMachineTypesOneRecord.
        note = machine_note(recs([[XEON, EPYC]]))
        self.assertTrue(note.startswith("Note: this record was trained on 2 machine types"), note)

    def test_arch_level(self):
        # suite/machinetype_test.go's TestMachineArchLevel: GOAMD64=v3 is
        # another type than v1, which a record without a level is.
        v3 = dict(XEON, arch_level="GOAMD64=v3")
        self.assertIn("Intel(R) Xeon(R) Processor, GEMM avx2, GOAMD64=v1: 4 records, seeds 1 and 2; "
                      "Intel(R) Xeon(R) Processor, GEMM avx2, GOAMD64=v3: 4 records, seeds 3 and 4.",
                      machine_note(recs([[XEON]] * 4 + [[v3]] * 4)))
        self.assertEqual(machine_note(recs([[XEON]] * 4 + [[dict(XEON, arch_level="GOAMD64=v1")]] * 4)), "")


class ReadmeMachineNotesTest(unittest.TestCase):
    """check_record_notes: README.md's study section must carry each
    optimizer's note (and SGD's sides table's) exactly when its records
    are of several types."""

    def mismatches(self, study, recs_of):
        return tally.mismatches_of(check_record_notes, study, recs_of)

    def setUp(self):
        # Adam's ste and fda of seeds 1 to 4, on two types; a dsq record,
        # which the README does not tabulate for Adam, on a third.
        self.two = recs([[XEON]] * 6 + [[EPYC]] * 2)
        self.note = machine_note(self.two)
        third = dict(XEON, gemm="go")
        self.adam = self.two + [{"config": {"estimator": "dsq", "seed": 1}, "machine": third}]

    def test_note_there(self):
        study = "intro\n\nNote (Adam): " + self.note[len("Note: "):] + "\n\n- Adam, top-1: ..."
        self.assertEqual(self.mismatches(study, {"adam": self.adam}), [])

    def test_sgd_note_as_gradbench_writes_it(self):
        # SGD's sides table's records are the same here, and so its note.
        study = self.note + "\n\n" + SIDES_START + " ...:\n\n" + self.note + "\n"
        self.assertEqual(self.mismatches(study, {"sgd": self.two}), [])
        self.assertEqual(len(self.mismatches(self.note + "\n", {"sgd": self.two})), 1, "the sides table's note missing")
        self.assertEqual(len(self.mismatches(self.note + "\n", {"adam": self.two})), 2, "an SGD note for Adam's records")

    def test_note_missing(self):
        self.assertEqual(len(self.mismatches("- Adam, top-1: ...", {"adam": self.adam})), 1)

    def test_note_wrong(self):
        study = "Note (Adam): " + self.note[len("Note: "):].replace("6 records", "5 records")
        self.assertEqual(len(self.mismatches(study, {"adam": self.adam})), 1)

    def test_note_twice(self):
        line = "Note (Adam): " + self.note[len("Note: "):]
        self.assertEqual(len(self.mismatches(line + "\n\n" + line, {"adam": self.adam})), 1)

    def test_note_on_one_type(self):
        one = recs([[XEON]] * 8)
        study = "Note (Bop): " + self.note[len("Note: "):]
        self.assertEqual(len(self.mismatches(study, {"bop": one})), 1)
        self.assertEqual(self.mismatches("- Bop, top-1: ...", {"bop": one}), [])


if __name__ == "__main__":
    unittest.main()

"""Independent check of the statistics in the committed result tables.

Re-run: python3 results/statcheck.py   (needs NumPy and SciPy; .ci/run
runs it). It reads the run records (*.json) directly, not gradbench's
output, recomputes every number of the tables that `gradbench table`
wrote from them, and compares with the committed markdown:

  results/study/tables.md       (records in results/study/runs and
                                 results/study/optimizers)
  results/fmnist-10/table.md, results/quick-ablation/table.md,
  results/quick-since-fda/table.md (the README's result tables)
  README.md's study findings (the sentences of gradbench table --ablation
  findings over results/study: each Δ, interval, p and n, the class the
  words put the comparison in, and the range of the intervals' widths;
  "beyond seed noise" only where the Holm-adjusted p of the line's family
  is below 0.05 too)

A table of gradbench table --seeds says under its heading which seeds it
covers ("Seeds 3–10 only (--seeds): ..."): it is recomputed from those
seeds' runs alone, at the learning rates chosen on every seed that ran the
grid (or, where the line says the rates were chosen on these seeds, as in
the lr table, chosen on them); a section "## Seeds A to B alone" must hold
only tables that say those seeds. README's line "**On seeds 3–10 alone**
..." is the top-1 findings over those seeds and is checked the same way.

The README's copies of these tables are kept equal to gradbench's output
by results/update-readme.sh --check; results/study.sh --report rebuilds
tables.md.

What it recomputes, per table row (the definitions are those of the
doc comments in suite/stats.go and suite/lrgrid.go):
  - learning-rate tables: per estimator and multiplier, the mean final
    validation top-1 over the finished runs of the seeds that ran every
    multiplier, the number of those runs and of diverged ones, and the
    choice (among the multipliers with a finished run: fewest diverged
    runs, then highest mean, ties: lower validation loss, smaller
    multiplier) and the chosen lr cell (the rate, its multiplier, an edge
    of the grid, the multipliers beyond it it did not run, or that it
    was the only one run);
  - top-1 tables (main and sides): mean and sample standard deviation
    (n-1) of the final test top-1 over finished runs, n, diverged runs,
    and against ste, over the seeds both finished: the mean paired
    difference, its Student t 95% interval (SciPy's one-sample t test's
    confidence_interval) and the two-sided sign-flip permutation p-value
    (scipy.stats.permutation_test with permutation_type='samples'): exact
    over all 2^n sign patterns for n <= 20 pairs (n_resamples=inf), from
    random sign patterns above (see Tolerances); and the * for p < 0.05;
    where rows finished different seeds, the seeds and paired columns
    (which must be there exactly then);
  - loss tables: the same mean ± std, Δ and 95% interval of the final test
    loss (last epoch's test_loss) and the final training loss;
  - p (Holm), in every table with a p: the p-values this check recomputed
    for the table's comparisons that have one (two or more pairs),
    adjusted by Holm's step-down method (holm() in stats.py, written from the
    definition: statsmodels, whose multipletests(method='holm') would do,
    is not a dependency), and its * for an adjusted p < 0.05; and the
    number of comparisons the note under the table says it corrects over;
  - under each heading, the note on the table's records without a data
    digest (how many of how many, and which), or that there is none when
    none or all lack one; a table's records are those of the rows of
    every table under its heading (the paper table's three);
  - under each heading, the note on the table's records trained on more
    than one machine type (each type with its records and seeds, the
    records resumed on another type, the seeds whose records mix types),
    or that there is none when they are of one type;
  - in the README's study section, the notes on the records of each
    table it draws on (SGD's findings, SGD's sides table, Adam's and
    Bop's findings; SGD's as gradbench writes them, Adam's and Bop's as
    "Note (Adam): ..."): on records without a data digest and on records
    trained on more than one machine type, over the records of ste and
    the specs that part tabulates (the sides table's one-sided specs
    too): each there, and as gradbench writes it, exactly when gradbench
    writes it;
  - in the README's study section, Adam's and Bop's notes on the learning
    rates their lr tables (not in the README) chose with a qualification
    ("Note (Adam), on the learning rates chosen: ..."): the rows of ste
    and the estimators the README tabulates whose chosen lr cell
    qualifies the choice (at the grid's edge, without runs beyond it, the
    only multiplier run), each with that cell, and the sentence gradbench writes under the
    table on each qualification; no note when no cell has one;
  - under the README's sides table, the paragraph gradbench writes under
    it, naming the family its p (Holm) corrects over: every comparison of
    the table with ste that has a p (recomputed from the records of its
    specs), more than the findings' Holm sentence's;
  - in the README's findings, that every estimator with two or more
    seeds paired with ste is stated with its Δ, interval, p and n (one
    left out, or garbled past reading, is a mismatch);
  - in the README's findings, the sentence on Holm's correction: the
    number K of comparisons with a p among the estimators the README
    tabulates (update-readme.sh's lists, STUDY_ESTIMATORS in readme.py), which
    of the differences called beyond seed noise stay so (adjusted p <
    0.05) and which do not, each one's adjusted p, and whether the
    sentence that no difference can survive is there exactly when
    K·2/2^n >= 0.05 (n the most paired seeds).

Tolerances: every number is formatted with the table's own decimals (a p
with three, or with more where three would round a p below 0.05 up to
0.050) and must print the same text; a value within 1e-9 (relative) of a rounding
boundary may round either way, since the last bit of a float sum decides
it (such values are listed). With n <= 20 pairs gradbench and this check
both count all 2^n sign patterns, so the p-value is exact and must print
the same. With more pairs neither is exact: gradbench estimates p from
2^20 random sign patterns and this check from 200000 SciPy resamples, and
the printed p must be within 5 Monte Carlo standard errors of each
estimate plus the printed rounding (the summary says how many p-values
were so checked); an adjusted p from such estimates, K times as far.

Exit status: 0 when every number agrees, 1 on any mismatch (each printed),
2 on bad input.

The modules, each one concern:

  records.py   reading the run records and the learning-rate choice
  stats.py     the t interval, the sign-flip p and Holm's adjustment
  markdown.py  reading gradbench's markdown tables; its lists of seeds
  compare.py   comparing a recomputed value with the printed text
  tables.py    each table's cells rebuilt from its records
  readme.py    README.md's study findings
  tally.py     the running counts and mismatches; fail on bad input
  main.py      the entry point, which results/statcheck.py runs

test_stats.py checks stats.py on hand-worked cases:
  /usr/bin/python3 -m unittest discover results/statcheck
"""

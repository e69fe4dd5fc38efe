// Package suite is the benchmark harness: what an experiment is.
//
// A run trains one network (a workload: model × dataset × recipe) with one
// gradient estimator and one seed. A sweep is a workload crossed with a list
// of estimator specs and a list of seeds; it runs cell by cell, records every
// finished run, and builds markdown tables and training curves from the
// records.
//
// # Recipes
//
// A [Recipe] fixes the training: epochs, batch size, optimizer, learning
// rate schedule, weight decay, augmentation, and the default model and
// dataset. The built-in recipes (fmnist-10, quick, study, cifar10-paper,
// imagenet-paper; see [RecipeNames]) are JSON files embedded in the binary;
// a user's JSON file with the same keys works the same way. Unknown keys and
// out-of-range values are errors.
//
// # Cells and keys
//
// [NewSweep] builds a sweep from a command line's values and checks it,
// for every command alike. [Sweep.Cells] lists a sweep's runs in a stable order (seed-major, then
// estimators in the order given), so a cell index names one run, e.g. the
// task number of a batch-system job array. Each cell has a canonical
// [Config] (every value that changes what is trained, and no paths) whose
// hash, [Config.Key], names its record and checkpoint files. Equivalent
// spec strings ("fda:omega=0.1" and "fda") give the same key; changing the
// record or training format bumps [FormatVersion], which changes every key.
//
// # Records, cache and resume
//
// A finished run is one JSON [Record] (configuration, per-epoch metrics,
// final numbers, status, machine), written atomically to <key>.json in the
// runs directory. A sweep skips cells whose record exists. A run writes a
// checkpoint after every epoch, so a run killed mid-way restarts from its
// last finished epoch and ends with the same numbers as an uninterrupted
// one. A run whose loss becomes NaN or ±Inf, or another number an epoch
// records (an estimator's indicator, a diagnostic such as a gradient
// norm), is recorded with status diverged and the epoch it diverged at;
// it is never averaged into a table and never retried. A run that does
// not diverge also leaves its final weights, <key>.weights
// ([WeightsPath]), which gradbench export and fidelity read; a diverged
// run leaves none, its network being that of the step or epoch its
// numbers were not finite at, not one after an epoch it finished. Weights files an earlier attempt left that a run does not
// continue (all of them when it trains from scratch; those after the
// epoch it resumes after otherwise) are removed before it trains, so
// that none is read as this run's. A record carries a checksum and is checked when read:
// one that was edited, or disagrees with itself (final numbers against the
// last epoch, counts, ranges), is refused by name, never averaged.
// Records and checkpoints carry the digests of the training and test
// splits they were trained and evaluated on ([DataDigest]), which a key
// does not cover: a record of other data files than those loaded now is
// refused by name, and a checkpoint of other data discarded. Records
// written before they carried them have no data digest and are reused
// unchecked.
// [WriteBench] writes the final numbers as Go benchmark
// lines that benchstat reads (`benchstat -col /est bench.txt`).
//
// # Batch systems
//
// Sweep.Plan reports the state of every cell in a runs directory (done,
// diverged, running, resumable, pending). Runner.RunCellLocked trains one
// cell, found with Sweep.CellAt or Sweep.FindCell, as a batch system's
// array task does, in a runs directory that processes on other hosts may
// share: a cell with a record returns at once (once the data agree with
// its digests, when it has them), and a lock file with a
// heartbeat (LockPath) keeps two processes from training one cell at once.
//
// # Tables
//
// [WriteTable] builds the main table (one row per estimator: mean ± std of
// the final test accuracy over seeds, its paired difference Δ from STE seed
// by seed with a Student t 95% confidence interval and a sign-flip
// permutation p-value, exact up to 20 pairs and estimated from 2^20
// random sign patterns beyond, wall time per epoch; then the final test and
// training losses with their paired Δ and interval) and the ablation tables
// of the FDA paper
// ("Learning Frequency Domain Approximation for Binary Neural Networks",
// NeurIPS 2021): Table 2 (sine-na), Table 3 (na-others), Table 4 (eta),
// each beside the paper's number. [PaperSpecs] is the set of estimator specs
// those tables need. [WriteCurves] draws the training curves as SVG.
//
// # Surrogate gradients
//
// [EvalSurrogates] evaluates the surrogate derivative g(x) that each
// estimator uses in place of d sign(x)/dx on a grid of x (a curve per side
// of a sided spec); [Surrogates.WriteTable] prints them as TSV or CSV and
// [Surrogates.WriteSVG] draws them.
package suite

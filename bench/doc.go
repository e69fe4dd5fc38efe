// Package bench holds gradbench's `go test -bench` timings of the optimized
// kernels: estimator forward and backward passes, convolutions and GEMM, the
// XNOR-popcount inference kernels and whole training steps. Benchmark names
// use key=value parts (est=fda/n=1048576/impl=fast) so that benchstat can
// pivot on any of them; results/ holds the tables generated from their runs.
//
// The package has no non-test code besides this comment.
package bench

//go:build openblas

// Package openblas holds the cgo calls into OpenBLAS that gonum's netlib
// binding does not expose. It is separate from package gemm because a
// package that uses cgo cannot also hold Go assembly (gemm's AVX2 kernels).
package openblas

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int num_threads);
int blas_thread_shutdown_(void);
*/
import "C"

// SingleThreaded makes OpenBLAS run every call on its caller's thread and
// stops the thread pool it started when it was loaded. Setting one thread
// is not enough: the idle pool keeps polling (measured: 15% of a training
// step's CPU time in sched_yield). OpenBLAS restarts the pool only for a
// call that wants more than one thread, which then never happens.
func SingleThreaded() {
	C.openblas_set_num_threads(1)
	C.blas_thread_shutdown_()
}

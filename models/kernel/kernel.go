package kernel

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Engine runs matrix multiplies and convolutions for one model. It owns its
// packing workspaces and worker goroutines (so a training step allocates
// nothing) and the number of goroutines it may use. An Engine is not safe for
// concurrent use; give each model its own. Its workers stop when the Engine
// is garbage collected.
type Engine struct {
	threads int
	st      *state
}

// New returns an Engine that uses up to threads goroutines (at least 1) and
// the micro-kernel family SelectedVariant names. It panics with
// SelectedVariant's error if $NEUROPLASTIC_KERNEL names a variant this CPU
// cannot run; commands check SelectedVariant first to report it.
func New(threads int) *Engine {
	name, err := SelectedVariant()
	if err != nil {
		panic(err.Error())
	}
	e, err := NewVariant(threads, name)
	if err != nil {
		panic(err.Error())
	}
	return e
}

// NewVariant returns an Engine that uses up to threads goroutines (at least
// 1) and the named micro-kernel family ("avx512", "avx2" or "go"), or an
// error if this CPU or build cannot run it. All variants give the same bits.
func NewVariant(threads int, name string) (*Engine, error) {
	for _, v := range supportedVariants() {
		if v.name == name {
			threads = max(threads, 1)
			return &Engine{threads: threads, st: newState(v, threads)}, nil
		}
	}
	return nil, fmt.Errorf("kernel: variant %q: %w", name, unsupported(name))
}

// EnvVariant is the environment variable that forces a micro-kernel family:
// avx512, avx2 or go. NeuroPlastic's passes follow it too (AVX-512 kernels
// under avx512, AVX2 kernels under avx2, Go loops under go), and so do
// Dropout (its AVX-512 kernel under avx512, its Go loop otherwise), Exp
// (its AVX-512 kernel under avx512, Exp64 otherwise), the packing's
// transposes and Finite (AVX-512 under avx512, AVX2 under the others where
// the CPU has it) and the data Loader's normalisation (its AVX-512 kernel
// under avx512, its Go loop otherwise).
const EnvVariant = "NEUROPLASTIC_KERNEL"

// AVX512Selected reports whether SelectedVariant is avx512, which this CPU
// offers only with AVX512F. The AVX-512 kernels outside the micro-kernel
// (packing, Dropout, Exp, Finite, the data Loader's normalisation) follow
// it, each also checking the extensions it needs beyond AVX512F.
func AVX512Selected() bool {
	name, err := SelectedVariant()
	return err == nil && name == "avx512"
}

// Variants returns the names of the micro-kernel families this CPU and
// build can run, fastest first; the last is always "go".
func Variants() []string {
	var names []string
	for _, v := range supportedVariants() {
		names = append(names, v.name)
	}
	return names
}

// SelectedVariant returns the family New uses: $NEUROPLASTIC_KERNEL when it
// is set and not empty, else the fastest this CPU runs. It returns an error
// if the variable names an unknown family or one this CPU cannot run.
func SelectedVariant() (string, error) {
	name := os.Getenv(EnvVariant)
	if name == "" {
		return Variants()[0], nil
	}
	if slices.Contains(Variants(), name) {
		return name, nil
	}
	return "", fmt.Errorf("kernel: %s=%s: %w", EnvVariant, name, unsupported(name))
}

// unsupported explains why the variant name cannot run here.
func unsupported(name string) error {
	switch name {
	case "avx512", "avx2", "go":
		return fmt.Errorf("this CPU or build cannot run it (it runs %s)", strings.Join(Variants(), ", "))
	}
	return fmt.Errorf("unknown variant (want avx512, avx2 or go)")
}

// Threads reports how many goroutines e may use.
func (e *Engine) Threads() int { return e.threads }

// Variant names the micro-kernel family in use ("avx512", "avx2" or "go"),
// recorded in each run's manifest. Results are bit-identical for any thread
// count and any family (docs/performance.md).
func (e *Engine) Variant() string { return e.st.v.name }

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where
// op(X) is X or its transpose, op(A) is m x k, op(B) is k x n and C is m x n
// with leading dimensions lda, ldb and ldc. As in BLAS, beta == 0 overwrites
// C without reading it (NaNs in C do not propagate) and alpha == 0 or k == 0
// only scales C. It panics if a dimension is negative, a leading dimension is
// smaller than its row width, or a slice is too short.
func (e *Engine) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernel: negative dimension in Sgemm %dx%dx%d", m, n, k))
	}
	s := e.st
	// The packed A operand is op(A)^T (k x m): row-major A is column-major
	// there, and transposed A is row-major.
	if transA {
		checkMatrix("a", k, m, a, lda)
		s.da.setRowMajor(a, lda)
	} else {
		checkMatrix("a", m, k, a, lda)
		s.da.setColMajor(a, lda, k, 0)
	}
	if transB {
		checkMatrix("b", n, k, b, ldb)
		s.db.setColMajor(b, ldb, k, 0)
	} else {
		checkMatrix("b", k, n, b, ldb)
		s.db.setRowMajor(b, ldb)
	}
	s.job = gemmJob{m: m, n: n, k: k, alpha: alpha, beta: beta, a: &s.da, b: &s.db}
	e.setC(c, ldc)
	s.gemm(e)
}

// GemmSource computes C = alpha*A*B + beta*C like Sgemm, with the operands
// supplied by packing functions: a represents A^T (k x m) and b represents B
// (k x n), see PanelSource. C is row-major m x n with leading dimension ldc.
// Pack runs concurrently on several goroutines when e has more than one.
func (e *Engine) GemmSource(m, n, k int, alpha float32, a, b PanelSource, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernel: negative dimension in GemmSource %dx%dx%d", m, n, k))
	}
	e.st.job = gemmJob{m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, b: b}
	e.setC(c, ldc)
	e.st.gemm(e)
}

// setC checks C (m x n, leading dimension ldc) and stores it in the job.
func (e *Engine) setC(c []float32, ldc int) {
	job := &e.st.job
	checkMatrix("c", job.m, job.n, c, ldc)
	job.c, job.out = c, plainOut(job.n, ldc)
}

// checkMatrix panics unless data can hold a rows x cols row-major matrix
// with leading dimension ld.
func checkMatrix(name string, rows, cols int, data []float32, ld int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("kernel: ld%s = %d < max(%d, 1)", name, ld, cols))
	}
	if rows > 0 && cols > 0 && len(data) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("kernel: len(%s) = %d too short for %dx%d with stride %d", name, len(data), rows, cols, ld))
	}
}

// Ranger is work over a range of indices, such as the channels of a batch
// normalisation or the elements of an activation, that can be split into
// contiguous sub-ranges run concurrently. See Engine.Parallel.
type Ranger interface {
	// Range does the work of the indices [lo, hi). Concurrent calls get
	// disjoint ranges.
	Range(lo, hi int)
}

// Parallel runs r over the indices [0, n), split into up to Threads
// contiguous ranges of at least grain indices each (one range, on the
// calling goroutine, when n < 2*grain or the Engine has one thread), and
// returns when all are done. The split depends only on n, grain and
// Threads; when r computes each index independently of the others (no sums
// across a range), its results are the same for any thread count.
// Passing a pointer as r does not allocate.
func (e *Engine) Parallel(n, grain int, r Ranger) {
	t := min(e.threads, n/max(grain, 1))
	if t <= 1 {
		if n > 0 {
			r.Range(0, n)
		}
		return
	}
	s := e.st
	s.ranger, s.rangeN, s.rangeParts = r, n, t
	defer func() { s.ranger = nil }()
	s.runParts(e, t)
}

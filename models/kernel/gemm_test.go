package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// forEachVariant runs f as a subtest for each micro-kernel family, skipping
// the ones this CPU cannot run.
func forEachVariant(t *testing.T, f func(t *testing.T, v *variant)) {
	supported := supportedVariants()
	for _, name := range []string{"avx512", "avx2", "go"} {
		t.Run(name, func(t *testing.T) {
			for _, v := range supported {
				if v.name == name {
					f(t, v)
					return
				}
			}
			t.Skipf("CPU lacks the %s variant", name)
		})
	}
}

// newEngine returns an Engine forced to run variant v.
func newEngine(threads int, v *variant) *Engine {
	e := New(threads)
	e.st = newState(v, e.threads)
	return e
}

// randSlice returns n values uniform in [-1, 1).
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// unitRoundoff is the float32 unit roundoff 2^-24.
const unitRoundoff = 0x1p-24

// sumBound returns the rounding-error bound for a float32 sum of k products
// blocked by kc, relative to the sum of the terms' magnitudes: each element
// is a sequential sum of at most kc products per block plus ceil(k/kc) block
// additions, then the alpha scaling and the beta update, and a recursive sum
// of n terms errs by at most about n*u (Higham, Accuracy and Stability of
// Numerical Algorithms, 2nd ed., eq. 3.5). The factor 2 covers the
// unfused multiply of the Go kernel and the second-order terms.
func sumBound(k, kc int) float64 {
	return 2 * float64(min(k, kc)+(k+kc-1)/kc+2) * unitRoundoff
}

// refGemm returns alpha*op(A)*op(B) + beta*C in float64 and, per element, the
// magnitude |alpha|*sum|a||b| + |beta*c| that scales its rounding error.
// beta == 0 ignores C, as BLAS does.
func refGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, sa float64
			for p := range k {
				ai, bi := i*lda+p, p*ldb+j
				if transA {
					ai = p*lda + i
				}
				if transB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				s += float64(av) * float64(bv)
				sa += math.Abs(float64(av) * float64(bv))
			}
			want[i*n+j] = float64(alpha) * s
			mag[i*n+j] = math.Abs(float64(alpha)) * sa
			if beta != 0 {
				want[i*n+j] += float64(beta) * float64(c[i*ldc+j])
				mag[i*n+j] += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
		}
	}
	return want, mag
}

type gemmCase struct {
	name           string
	m, n, k        int
	transA, transB bool
	alpha, beta    float32
	pad            int // extra columns in every leading dimension
	nanC           bool
}

// gemmCases covers tiny and prime shapes, edges around the tile sizes of all
// variants (4x4, 6x16, 8x32), k beyond kc = 256, n beyond 1.5*nc = 768
// (several B panels), all transpositions, BLAS alpha/beta special cases and
// padded leading dimensions.
func gemmCases() []gemmCase {
	shapes := [][3]int{
		{1, 1, 1}, {7, 13, 37}, {8, 32, 4}, {9, 33, 5}, {6, 16, 17}, {5, 15, 3},
		{12, 48, 64}, {17, 65, 257}, {24, 96, 512}, {31, 17, 600}, {3, 530, 20},
		{70, 40, 300}, {64, 64, 1}, {2, 100, 9}, {5, 1000, 40},
	}
	var cs []gemmCase
	for _, s := range shapes {
		for tr := range 4 {
			cs = append(cs, gemmCase{name: fmt.Sprintf("%dx%dx%d/t%d", s[0], s[1], s[2], tr),
				m: s[0], n: s[1], k: s[2], transA: tr&1 != 0, transB: tr&2 != 0, alpha: 1, beta: 0})
		}
	}
	return append(cs,
		gemmCase{name: "beta", m: 19, n: 37, k: 41, alpha: 0.5, beta: 1.5},
		gemmCase{name: "accumulate", m: 9, n: 70, k: 300, transA: true, alpha: -1, beta: 1},
		gemmCase{name: "beta0NaN", m: 17, n: 33, k: 29, alpha: 2, beta: 0, nanC: true},
		gemmCase{name: "beta0NaNedge", m: 3, n: 5, k: 7, transB: true, alpha: 1, beta: 0, nanC: true},
		gemmCase{name: "alpha0", m: 10, n: 20, k: 30, alpha: 0, beta: 0.5},
		gemmCase{name: "alpha0beta0NaN", m: 10, n: 20, k: 30, alpha: 0, beta: 0, nanC: true},
		gemmCase{name: "k0", m: 10, n: 20, k: 0, alpha: 1, beta: -2},
		gemmCase{name: "m0", m: 0, n: 20, k: 5, alpha: 1, beta: 1},
		gemmCase{name: "ld", m: 23, n: 41, k: 19, alpha: 1, beta: 0.25, pad: 3},
		gemmCase{name: "ldTT", m: 23, n: 41, k: 300, transA: true, transB: true, alpha: 0.75, beta: -1, pad: 5},
	)
}

// gemmOperands are the inputs of a gemmCase.
type gemmOperands struct {
	a, b, c       []float32
	lda, ldb, ldc int
}

// operands returns the case's random inputs, the same on every call.
func (tc gemmCase) operands() gemmOperands {
	rng := rand.New(rand.NewPCG(uint64(tc.m*1000003+tc.n*1009+tc.k), 7))
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := max(ac, 1)+tc.pad, max(bc, 1)+tc.pad, max(tc.n, 1)+tc.pad
	op := gemmOperands{a: randSlice(rng, ar*lda), b: randSlice(rng, br*ldb), c: randSlice(rng, tc.m*ldc), lda: lda, ldb: ldb, ldc: ldc}
	if tc.nanC {
		for i := range op.c {
			op.c[i] = float32(math.NaN())
		}
	}
	return op
}

// run computes the case on e and returns C.
func (tc gemmCase) run(e *Engine) []float32 {
	op := tc.operands()
	e.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, op.a, op.lda, op.b, op.ldb, tc.beta, op.c, op.ldc)
	return op.c
}

// runGemmCase runs one case on e and checks it against refGemm.
func runGemmCase(t *testing.T, e *Engine, tc gemmCase, kc int) {
	t.Helper()
	op := tc.operands()
	a, b, c, lda, ldb, ldc := op.a, op.b, op.c, op.lda, op.ldb, op.ldc
	want, mag := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	c0 := append([]float32(nil), c...)
	e.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	bound := sumBound(tc.k, kc)
	for i := range tc.m {
		for j := range tc.n {
			got := float64(c[i*ldc+j])
			if d := math.Abs(got - want[i*tc.n+j]); !(d <= bound*mag[i*tc.n+j]+1e-30) {
				t.Fatalf("C[%d,%d] = %v, want %v (|err| %g > %g)", i, j, got, want[i*tc.n+j], d, bound*mag[i*tc.n+j])
			}
		}
		// Padding columns of C must be left alone.
		for j := tc.n; j < ldc && i*ldc+j < len(c); j++ {
			if math.Float32bits(c[i*ldc+j]) != math.Float32bits(c0[i*ldc+j]) {
				t.Fatalf("C[%d,%d] in the padding changed", i, j)
			}
		}
	}
}

func TestSgemm(t *testing.T) {
	forEachVariant(t, func(t *testing.T, v *variant) {
		for _, blocked := range []bool{false, true} {
			e := newEngine(1, v)
			if blocked {
				// Pack A per mc x kc block instead of once per call.
				e.st.ws[0].packLimit = 0
			}
			for _, tc := range gemmCases() {
				t.Run(fmt.Sprintf("%s/blocked=%v", tc.name, blocked), func(t *testing.T) {
					runGemmCase(t, e, tc, v.kc)
				})
			}
		}
	})
}

// TestSgemmThreads checks that two goroutines give bit-identical results to
// one, splitting n (wide C) or m (tall C).
func TestSgemmThreads(t *testing.T) {
	shapes := [][3]int{{64, 700, 300}, {900, 40, 70}, {37, 333, 100}, {129, 130, 131}}
	forEachVariant(t, func(t *testing.T, v *variant) {
		e1, e2 := newEngine(1, v), newEngine(2, v)
		for _, s := range shapes {
			for tr := range 4 {
				m, n, k := s[0], s[1], s[2]
				rng := rand.New(rand.NewPCG(uint64(m*n*k), 9))
				a, b := randSlice(rng, m*k), randSlice(rng, k*n)
				c1, c2 := randSlice(rng, m*n), make([]float32, m*n)
				copy(c2, c1)
				lda, ldb := k, n
				if tr&1 != 0 {
					lda = m
				}
				if tr&2 != 0 {
					ldb = k
				}
				e1.Sgemm(tr&1 != 0, tr&2 != 0, m, n, k, 1.5, a, lda, b, ldb, 0.5, c1, n)
				e2.Sgemm(tr&1 != 0, tr&2 != 0, m, n, k, 1.5, a, lda, b, ldb, 0.5, c2, n)
				for i := range c1 {
					if math.Float32bits(c1[i]) != math.Float32bits(c2[i]) {
						t.Fatalf("%v t%d: C[%d] = %v with 1 thread, %v with 2", s, tr, i, c1[i], c2[i])
					}
				}
			}
		}
	})
}

// TestSgemmAllocs checks that steady-state calls allocate nothing, on one
// goroutine and on two.
func TestSgemmAllocs(t *testing.T) {
	m, n, k := 64, 256, 300
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
	for _, threads := range []int{1, 2} {
		e := New(threads)
		f := func() { e.Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n) }
		f()
		if allocs := testing.AllocsPerRun(10, f); allocs != 0 {
			t.Errorf("threads=%d: %v allocations per Sgemm, want 0", threads, allocs)
		}
	}
}

// denseSource is a PanelSource written the obvious way, to check that
// GemmSource drives user-supplied sources through the same contract.
type denseSource struct {
	v []float32 // k x n row-major
	n int
}

func (d *denseSource) Pack(dst []float32, w, k0, kc, j0, nc int) {
	for s := 0; s*w < nc; s++ {
		for p := range kc {
			for jj := range w {
				var x float32
				if j := j0 + s*w + jj; j < j0+nc {
					x = d.v[(k0+p)*d.n+j]
				}
				dst[s*kc*w+p*w+jj] = x
			}
		}
	}
}

func TestGemmSource(t *testing.T) {
	m, n, k := 21, 45, 270
	rng := rand.New(rand.NewPCG(3, 4))
	at, b, c := randSlice(rng, k*m), randSlice(rng, k*n), randSlice(rng, m*n)
	forEachVariant(t, func(t *testing.T, v *variant) {
		e := newEngine(2, v)
		got := append([]float32(nil), c...)
		e.GemmSource(m, n, k, 0.5, &denseSource{at, m}, &denseSource{b, n}, 2, got, n)
		want := append([]float32(nil), c...)
		e.Sgemm(true, false, m, n, k, 0.5, at, m, b, n, 2, want, n)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("C[%d] = %v from GemmSource, %v from Sgemm", i, got[i], want[i])
			}
		}
	})
}

func TestSgemmPanics(t *testing.T) {
	e := New(1)
	x := make([]float32, 12)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative", func() { e.Sgemm(false, false, -1, 2, 2, 1, x, 2, x, 2, 0, x, 2) }},
		{"lda", func() { e.Sgemm(false, false, 2, 2, 3, 1, x, 2, x, 2, 0, x, 2) }},
		{"short", func() { e.Sgemm(false, false, 4, 4, 4, 1, x, 4, x, 4, 0, x, 4) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.f()
		})
	}
}

// TestWorkersStop checks that an Engine's worker goroutines end once the
// Engine is unreachable.
func TestWorkersStop(t *testing.T) {
	// Let the workers of earlier tests' engines stop first, so that the
	// count does not drop below before while this test runs.
	for range 3 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	before := runtime.NumGoroutine()
	func() {
		e := New(2)
		m, n, k := 64, 256, 64
		e.Sgemm(false, false, m, n, k, 1, make([]float32, m*k), k, make([]float32, k*n), n, 0, make([]float32, m*n), n)
		if got := runtime.NumGoroutine(); got <= before {
			t.Fatalf("%d goroutines after a parallel Sgemm, want more than %d", got, before)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines remain, want %d", runtime.NumGoroutine(), before)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// rangeRecorder is a Ranger that counts how often each index is visited
// and how many ranges it was given.
type rangeRecorder struct {
	mu     sync.Mutex
	visits []int
	ranges int
}

func (r *rangeRecorder) Range(lo, hi int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ranges++
	for i := lo; i < hi; i++ {
		r.visits[i]++
	}
}

// TestParallel checks that Parallel visits every index exactly once, in
// min(Threads, n/grain) ranges (at least one when n > 0), without
// allocating.
func TestParallel(t *testing.T) {
	for _, c := range []struct{ threads, n, grain, ranges int }{
		{1, 100, 1, 1}, {2, 100, 1, 2}, {2, 100, 50, 2}, {2, 99, 50, 1},
		{2, 0, 1, 0}, {3, 10, 2, 3}, {2, 5, 0, 2},
	} {
		e := New(c.threads)
		r := &rangeRecorder{visits: make([]int, c.n)}
		e.Parallel(c.n, c.grain, r)
		if r.ranges != c.ranges {
			t.Errorf("%+v: %d ranges", c, r.ranges)
		}
		for i, v := range r.visits {
			if v != 1 {
				t.Errorf("%+v: index %d visited %d times", c, i, v)
			}
		}
		if a := testing.AllocsPerRun(10, func() { e.Parallel(c.n, c.grain, r) }); a != 0 {
			t.Errorf("%+v: %v allocations", c, a)
		}
	}
}

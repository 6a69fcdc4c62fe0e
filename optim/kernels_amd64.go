//go:build !purego

package optim

import (
	"golang.org/x/sys/cpu"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// passISA is the kernel family NeuroPlastic's passes use, set once at
// start from the models' kernel variant, which NEUROPLASTIC_KERNEL forces:
// the fastest this CPU runs by default.
var passISA = isaOf(kernel.SelectedVariant())

// isaOf returns the pass kernels of the models' kernel variant name:
// AVX-512 for "avx512", AVX2 for "avx2", provided this CPU and OS support
// them (the variants imply AVX512F, and AVX2 with FMA, which the AVX2
// kernels use), else none.
// err is SelectedVariant's: with an error, none.
func isaOf(name string, err error) isa {
	switch {
	case err != nil:
	case name == "avx512" && cpu.X86.HasAVX512F:
		return isaAVX512
	case name == "avx2" && cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return isaAVX2
	}
	return isaGo
}

// Each bulk function runs kern's kernel on the elements of its slices up
// to the last multiple of lanes and returns how many it took (none with
// isaGo); the caller's portable loop does the rest, its lanes starting
// again at 0. The kernels compute every element with the portable loop's
// float32 operations in the same order (no product fused into a sum: the
// kernels' FMAs multiply by exactly 1) and add into the lanes of the same
// sums, so the three give the same bits.

// tracesBulk is tracesGo's bulk.
func tracesBulk(kern isa, g, a, m, v []float32, s *traceLanes) int {
	n := len(g) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	switch kern {
	case isaAVX512:
		tracesAVX512(&g[0], &a[:n][0], &m[:n][0], &v[:n][0], n, s)
	case isaAVX2:
		tracesAVX2(&g[0], &a[:n][0], &m[:n][0], &v[:n][0], n, s)
	default:
		return 0
	}
	return n
}

// tracesFullBulk is tracesFullGo's bulk.
func tracesFullBulk(kern isa, g, a, m, v, r []float32, s *traceLanes) int {
	n := len(g) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	switch kern {
	case isaAVX512:
		tracesFullAVX512(&g[0], &a[:n][0], &m[:n][0], &v[:n][0], &r[:n][0], n, s)
	case isaAVX2:
		tracesFullAVX2(&g[0], &a[:n][0], &m[:n][0], &v[:n][0], &r[:n][0], n, s)
	default:
		return 0
	}
	return n
}

// alphaGradOnlyBulk is the bulk of alphaGradOnly's loop and statsRawGo.
func alphaGradOnlyBulk(kern isa, g, u []float32, ap *alphaParams, shift float64, s *statLanes) int {
	n := len(g) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	nearLo, nearHi := ap.near()
	switch kern {
	case isaAVX512:
		alphaGradOnlyAVX512(&g[0], &u[:n][0], n, ap, shift, nearLo, nearHi, s)
	case isaAVX2:
		alphaGradOnlyAVX2(&g[0], &u[:n][0], n, ap, shift, nearLo, nearHi, s)
	default:
		return 0
	}
	return n
}

// alphaFullBulk is the bulk of alphaFull's loop and statsRawGo.
func alphaFullBulk(kern isa, g, a, u []float32, ap *alphaParams, shift float64, s *statLanes) int {
	n := len(g) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	nearLo, nearHi := ap.near()
	switch kern {
	case isaAVX512:
		alphaFullAVX512(&g[0], &a[:n][0], &u[:n][0], n, ap, shift, nearLo, nearHi, s)
	case isaAVX2:
		alphaFullAVX2(&g[0], &a[:n][0], &u[:n][0], n, ap, shift, nearLo, nearHi, s)
	default:
		return 0
	}
	return n
}

// tensorSumsBulk is tensorSumsGo's bulk.
func tensorSumsBulk(kern isa, g []float32, ap *alphaParams, s *tensorLanes) int {
	n := len(g) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	switch kern {
	case isaAVX512:
		tensorSumsAVX512(&g[0], n, ap, s)
	case isaAVX2:
		tensorSumsAVX2(&g[0], n, ap, s)
	default:
		return 0
	}
	return n
}

// tensorSumsFullBulk is tensorSumsFullGo's bulk.
func tensorSumsFullBulk(kern isa, g, a, u []float32, ap *alphaParams, s *tensorLanes) int {
	n := len(g) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	switch kern {
	case isaAVX512:
		tensorSumsFullAVX512(&g[0], &a[:n][0], &u[:n][0], n, ap, s)
	case isaAVX2:
		tensorSumsFullAVX2(&g[0], &a[:n][0], &u[:n][0], n, ap, s)
	default:
		return 0
	}
	return n
}

// scaleBulk is scaleGo's bulk.
func scaleBulk(kern isa, g, u []float32, alpha float32, s *laneSums) int {
	n := len(g) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	switch kern {
	case isaAVX512:
		scaleAVX512(&g[0], &u[:n][0], n, alpha, s)
	case isaAVX2:
		scaleAVX2(&g[0], &u[:n][0], n, alpha, s)
	default:
		return 0
	}
	return n
}

// coupleDecayBulk is coupleDecayGo's bulk.
func coupleDecayBulk(kern isa, u, w []float32, wd float32, s *laneSums) int {
	n := len(u) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	switch kern {
	case isaAVX512:
		coupleDecayAVX512(&u[0], &w[:n][0], n, wd, s)
	case isaAVX2:
		coupleDecayAVX2(&u[0], &w[:n][0], n, wd, s)
	default:
		return 0
	}
	return n
}

// decayParamsBulk is decayParamsGo's bulk.
func decayParamsBulk(kern isa, w []float32, lrwd float32) int {
	n := len(w) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	switch kern {
	case isaAVX512:
		decayParamsAVX512(&w[0], n, lrwd)
	case isaAVX2:
		decayParamsAVX2(&w[0], n, lrwd)
	default:
		return 0
	}
	return n
}

// applyUpdateBulk is applyUpdateGo's bulk.
func applyUpdateBulk(kern isa, w, u []float32, sc, gain, lr float32, s *laneSums) int {
	n := len(u) &^ (lanes - 1)
	if n == 0 {
		return 0
	}
	switch kern {
	case isaAVX512:
		applyUpdateAVX512(&w[:n][0], &u[0], n, sc, gain, lr, s)
	case isaAVX2:
		applyUpdateAVX2(&w[:n][0], &u[0], n, sc, gain, lr, s)
	default:
		return 0
	}
	return n
}

//go:build !purego

package optim

import (
	"golang.org/x/sys/cpu"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// haveAVX512 reports whether the AVX-512 kernels of kernels_amd64.s run:
// this CPU and OS support them (they need AVX512F and POPCNT) and the
// models' kernel variant (kernel.SelectedVariant, which
// NEUROPLASTIC_KERNEL forces) is avx512. It is set once at start. The
// portable loops give the same bits.
var haveAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasPOPCNT && selectedAVX512()

// selectedAVX512 reports whether the selected kernel variant is avx512.
func selectedAVX512() bool {
	v, err := kernel.SelectedVariant()
	return err == nil && v == "avx512"
}

// Each bulk function runs its kernel on the elements of its slices up to the
// last multiple of lanes and returns how many it took; the caller's portable
// loop does the rest, its lanes starting again at 0. The kernels compute
// every element with the portable loop's float32 operations in the same
// order (no fused multiply-add) and add into the lanes of the same sums, so
// the two give the same bits.

// tracesBulk is tracesGo's bulk.
func tracesBulk(g, a, m, v []float32, s *traceLanes) int {
	n := len(g) &^ (lanes - 1)
	if n > 0 {
		tracesAVX512(&g[0], &a[:n][0], &m[:n][0], &v[:n][0], n, s)
	}
	return n
}

// tracesFullBulk is tracesFullGo's bulk.
func tracesFullBulk(g, a, m, v, r []float32, s *traceLanes) int {
	n := len(g) &^ (lanes - 1)
	if n > 0 {
		tracesFullAVX512(&g[0], &a[:n][0], &m[:n][0], &v[:n][0], &r[:n][0], n, s)
	}
	return n
}

// alphaGradOnlyBulk is the bulk of alphaGradOnly's loop and statsRawGo.
func alphaGradOnlyBulk(g, u []float32, ap *alphaParams, shift float64, s *statLanes) int {
	n := len(g) &^ (lanes - 1)
	if n > 0 {
		nearLo, nearHi := ap.near()
		alphaGradOnlyAVX512(&g[0], &u[:n][0], n, ap, shift, nearLo, nearHi, s)
	}
	return n
}

// alphaFullBulk is the bulk of alphaFull's loop and statsRawGo.
func alphaFullBulk(g, a, u []float32, ap *alphaParams, shift float64, s *statLanes) int {
	n := len(g) &^ (lanes - 1)
	if n > 0 {
		nearLo, nearHi := ap.near()
		alphaFullAVX512(&g[0], &a[:n][0], &u[:n][0], n, ap, shift, nearLo, nearHi, s)
	}
	return n
}

// tensorSumsBulk is tensorSumsGo's bulk.
func tensorSumsBulk(g []float32, ap *alphaParams, s *tensorLanes) int {
	n := len(g) &^ (lanes - 1)
	if n > 0 {
		tensorSumsAVX512(&g[0], n, ap, s)
	}
	return n
}

// tensorSumsFullBulk is tensorSumsFullGo's bulk.
func tensorSumsFullBulk(g, a, u []float32, ap *alphaParams, s *tensorLanes) int {
	n := len(g) &^ (lanes - 1)
	if n > 0 {
		tensorSumsFullAVX512(&g[0], &a[:n][0], &u[:n][0], n, ap, s)
	}
	return n
}

// scaleBulk is scaleGo's bulk.
func scaleBulk(g, u []float32, alpha float32, s *laneSums) int {
	n := len(g) &^ (lanes - 1)
	if n > 0 {
		scaleAVX512(&g[0], &u[:n][0], n, alpha, s)
	}
	return n
}

// coupleDecayBulk is coupleDecayGo's bulk.
func coupleDecayBulk(u, w []float32, wd float32, s *laneSums) int {
	n := len(u) &^ (lanes - 1)
	if n > 0 {
		coupleDecayAVX512(&u[0], &w[:n][0], n, wd, s)
	}
	return n
}

// decayParamsBulk is decayParamsGo's bulk.
func decayParamsBulk(w []float32, lrwd float32) int {
	n := len(w) &^ (lanes - 1)
	if n > 0 {
		decayParamsAVX512(&w[0], n, lrwd)
	}
	return n
}

// applyUpdateBulk is applyUpdateGo's bulk.
func applyUpdateBulk(w, u []float32, sc, gain, lr float32, s *laneSums) int {
	n := len(u) &^ (lanes - 1)
	if n > 0 {
		applyUpdateAVX512(&w[:n][0], &u[0], n, sc, gain, lr, s)
	}
	return n
}

// The kernels take n > 0, a multiple of lanes, and slices of at least n
// elements.

//go:noescape
func tracesAVX512(grad, a, m, v *float32, n int, s *traceLanes)

//go:noescape
func tracesFullAVX512(grad, a, m, v, r *float32, n int, s *traceLanes)

//go:noescape
func alphaGradOnlyAVX512(grad, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)

//go:noescape
func alphaFullAVX512(grad, a, u *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, s *statLanes)

//go:noescape
func tensorSumsAVX512(grad *float32, n int, ap *alphaParams, s *tensorLanes)

//go:noescape
func tensorSumsFullAVX512(grad, a, u *float32, n int, ap *alphaParams, s *tensorLanes)

//go:noescape
func scaleAVX512(grad, u *float32, n int, alpha float32, s *laneSums)

//go:noescape
func coupleDecayAVX512(u, w *float32, n int, wd float32, s *laneSums)

//go:noescape
func decayParamsAVX512(w *float32, n int, lrwd float32)

//go:noescape
func applyUpdateAVX512(w, u *float32, n int, sc, gain, lr float32, s *laneSums)

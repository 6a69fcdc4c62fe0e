//go:build !purego

package optim

// The vector kernels of the variant options' paths, for AVX-512 only
// (adamwBaseAVX512 in basic_amd64.s, alphaElemsAVX512 in kernels_amd64.s,
// logRatiosAVX512 in controller_amd64.s): with other kernels the Go loops do
// all the work.

// adamwBaseBulk runs the vector kernel of the hybrid adamw base on the
// elements of g up to the last multiple of lanes and returns how many it
// took (none unless kern is isaAVX512); adamwBaseGo does the rest. mref
// may be u.
func adamwBaseBulk(kern isa, u, mref, g, bm, bv []float32, k *adamwBaseScalars) int {
	n := len(g) &^ (lanes - 1)
	if kern != isaAVX512 {
		return 0
	}
	if n > 0 {
		adamwBaseAVX512(&u[:n][0], &mref[:n][0], &g[0], &bm[:n][0], &bv[:n][0], n, k)
	}
	return n
}

// adamwBaseAVX512 takes n > 0, a multiple of lanes, and slices of at least
// n elements; mref may equal u.
//
//go:noescape
func adamwBaseAVX512(u, mref, grad, bm, bv *float32, n int, k *adamwBaseScalars)

// alphaElemsBulk is the bulk of alphaElemsStats: alphaElems, the copy of
// alpha into u and statsRawGo on the elements up to the last multiple of
// lanes; it returns how many it took (none unless kern is isaAVX512).
func alphaElemsBulk(kern isa, alpha, aGo, g, a, u []float32, ap *alphaParams, full bool, shift float64, nearLo, nearHi float32, s *statLanes) int {
	n := len(g) &^ (lanes - 1)
	if kern != isaAVX512 {
		return 0
	}
	if n > 0 {
		ap0 := &g[0] // A is read only when full
		if full {
			ap0 = &a[:n][0]
		}
		alphaElemsAVX512(&g[0], ap0, &u[:n][0], &alpha[:n][0], &aGo[:n][0], n, ap, shift, nearLo, nearHi, full, s)
	}
	return n
}

// alphaElemsAVX512 takes n > 0, a multiple of lanes, and slices of at least
// n elements.
//
//go:noescape
func alphaElemsAVX512(grad, a, u, alpha, aGo *float32, n int, ap *alphaParams, shift float64, nearLo, nearHi float32, full bool, s *statLanes)

// logRatiosBulk stores log32(max32(alpha, eps)/max32(aGo, eps)) of the
// elements up to the last multiple of lanes in logs and returns how many it
// took, or 0, leaving the work to the caller's loop, if any of their ratios
// is not a normal positive float32 or kern is not isaAVX512.
func logRatiosBulk(kern isa, logs, alpha, aGo []float32) int {
	n := len(alpha) &^ (lanes - 1)
	if kern == isaAVX512 && n > 0 && logRatiosAVX512(&logs[:n][0], &alpha[0], &aGo[:n][0], n, &logCoef) {
		return n
	}
	return 0
}

// logRatiosAVX512 takes n > 0, a multiple of lanes, and slices of at least
// n elements. It reports false if a ratio is not a normal positive float32
// (logs then holds garbage).
//
//go:noescape
func logRatiosAVX512(logs, alpha, aGo *float32, n int, coef *[8]float64) bool

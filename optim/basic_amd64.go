//go:build !purego

package optim

// The vector kernels of the SGD and Adam updates, for AVX-512 only
// (basic_amd64.s): with other kernels the Go loops do all the work.

// adamBulk runs the vector kernel of an Adam step on the elements of w up to
// the last multiple of lanes and returns how many it took; adamGo does the
// rest (all of it unless kern is isaAVX512). The elements are independent,
// so the split changes no bits.
func adamBulk(kern isa, w, g, m, v []float32, k *adamScalars) int {
	n := len(w) &^ (lanes - 1)
	if kern != isaAVX512 {
		return 0
	}
	if n > 0 {
		adamAVX512(&w[0], &g[:n][0], &m[:n][0], &v[:n][0], n, k)
	}
	return n
}

// adamAVX512 takes n > 0, a multiple of lanes, and slices of at least n
// elements.
//
//go:noescape
func adamAVX512(w, grad, mom, sq *float32, n int, k *adamScalars)

// sgdBulk runs the vector kernel of an SGD step on the elements of w up to
// the last multiple of lanes and returns how many it took; sgdGo does the
// rest (all of it unless kern is isaAVX512). b is unused (and may be empty)
// in the sgdPlain mode.
func sgdBulk(kern isa, w, g, b []float32, k *sgdScalars) int {
	n := len(w) &^ (lanes - 1)
	if kern != isaAVX512 {
		return 0
	}
	if n > 0 {
		bp := &w[0] // never read or written in the sgdPlain mode
		if k.momentumMode != sgdPlain {
			bp = &b[:n][0]
		}
		sgdAVX512(&w[0], &g[:n][0], bp, n, k)
	}
	return n
}

// sgdAVX512 takes n > 0, a multiple of lanes, and slices of at least n
// elements.
//
//go:noescape
func sgdAVX512(w, grad, buf *float32, n int, k *sgdScalars)

//go:build !purego

package optim

// adamBulk runs the vector kernel of an Adam step on the elements of w up to
// the last multiple of lanes and returns how many it took; adamGo does the
// rest. The elements are independent, so the split changes no bits.
func adamBulk(w, g, m, v []float32, k *adamScalars) int {
	n := len(w) &^ (lanes - 1)
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

//go:build !purego

package optim

// nonFiniteBulk reports whether any of the elements of x up to the last
// multiple of 32 is NaN or infinite, and how many it looked at: none with
// kern isaGo, where checkGrads' loop checks them all.
func nonFiniteBulk(kern isa, x []float32) (bad bool, n int) {
	n = len(x) &^ 31
	if n == 0 || kern == isaGo {
		return false, 0
	}
	return nonFiniteAVX2(&x[0], n), n
}

// nonFiniteAVX2 takes n > 0, a multiple of 32, and a slice of at least n
// elements.
//
//go:noescape
func nonFiniteAVX2(x *float32, n int) bool

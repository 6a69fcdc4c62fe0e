//go:build !amd64 || purego

package kernel

// copyRows8 is copyRows for widths that are multiples of 8, once copyRows
// has checked both slices: copyRowsGo on this architecture.
func copyRows8(dst []float32, w int, src []float32, ld, cols, n int) {
	copyRowsGo(dst, w, src, ld, cols, n)
}

// transpose8 writes dst[t*w+j] = src[j*ld+t] for j < 8 and t < n, n a
// multiple of 8, once transposeCols has checked both slices: transpose8Go
// on this architecture.
func transpose8(dst []float32, w int, src []float32, ld, n int) {
	transpose8Go(dst, w, src, ld, n)
}

// transpose16 writes dst[t*w+j] = src[j*ld+t] for j < 16 and t < n, n a
// multiple of 8, once transposeCols has checked both slices:
// transpose16Halves on this architecture.
func transpose16(dst []float32, w int, src []float32, ld, n int) {
	transpose16Halves(dst, w, src, ld, n)
}

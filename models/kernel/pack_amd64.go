//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// transpose8AVX2 is transpose8 with AVX2 shuffles, 8 x 8 values at a time.
//
//go:noescape
func transpose8AVX2(dst []float32, w int, src []float32, ld, n int)

// transpose8W8AVX512 is transpose8 for w = 8 (destination rows back to
// back) with AVX-512 shuffles, 8 x 8 values at a time.
//
//go:noescape
func transpose8W8AVX512(dst []float32, src []float32, ld, n int)

// transpose16AVX512 is transpose16 with AVX-512 shuffles, 16 x 8 values at a
// time.
//
//go:noescape
func transpose16AVX512(dst []float32, w int, src []float32, ld, n int)

// copyRowsAVX2 is copyRows8 with 32-byte moves.
//
//go:noescape
func copyRowsAVX2(dst []float32, w int, src []float32, ld, cols, n int)

func init() {
	switch {
	case AVX512Selected():
		packISA = packAVX512
	case cpu.X86.HasAVX2:
		packISA = packAVX2
	}
}

// copyRows8 is copyRows for widths that are multiples of 8, once copyRows
// has checked both slices: copyRowsAVX2 where packISA allows AVX2, else
// copyRowsGo.
func copyRows8(dst []float32, w int, src []float32, ld, cols, n int) {
	if packISA >= packAVX2 {
		copyRowsAVX2(dst, w, src, ld, cols, n)
		return
	}
	copyRowsGo(dst, w, src, ld, cols, n)
}

// transpose8 writes dst[t*w+j] = src[j*ld+t] for j < 8 and t < n, n a
// multiple of 8, once transposeCols has checked both slices:
// transpose8W8AVX512 for w = 8 where packISA allows AVX-512, else
// transpose8AVX2 where it allows AVX2, else transpose8Go.
func transpose8(dst []float32, w int, src []float32, ld, n int) {
	switch {
	case packISA >= packAVX512 && w == 8:
		transpose8W8AVX512(dst, src, ld, n)
	case packISA >= packAVX2:
		transpose8AVX2(dst, w, src, ld, n)
	default:
		transpose8Go(dst, w, src, ld, n)
	}
}

// transpose16 writes dst[t*w+j] = src[j*ld+t] for j < 16 and t < n, n a
// multiple of 8, once transposeCols has checked both slices:
// transpose16AVX512 where packISA allows AVX-512, else transpose16Halves.
func transpose16(dst []float32, w int, src []float32, ld, n int) {
	if packISA >= packAVX512 {
		transpose16AVX512(dst, w, src, ld, n)
		return
	}
	transpose16Halves(dst, w, src, ld, n)
}

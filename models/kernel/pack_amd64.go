//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// transpose8AVX2 is transpose8 with AVX2 shuffles, 8 x 8 values at a time.
//
//go:noescape
func transpose8AVX2(dst []float32, w int, src []float32, ld, n int)

// copyRowsAVX2 is copyRows8 with 32-byte moves.
//
//go:noescape
func copyRowsAVX2(dst []float32, w int, src []float32, ld, cols, n int)

func init() { packAsm = cpu.X86.HasAVX2 }

// copyRows8 is copyRows for widths that are multiples of 8, once copyRows
// has checked both slices: copyRowsAVX2 where packAsm is set, else
// copyRowsGo.
func copyRows8(dst []float32, w int, src []float32, ld, cols, n int) {
	if packAsm {
		copyRowsAVX2(dst, w, src, ld, cols, n)
		return
	}
	copyRowsGo(dst, w, src, ld, cols, n)
}

// transpose8 writes dst[t*w+j] = src[j*ld+t] for j < 8 and t < n, n a
// multiple of 8, once transposeCols has checked both slices:
// transpose8AVX2 where packAsm is set, else transpose8Go.
func transpose8(dst []float32, w int, src []float32, ld, n int) {
	if packAsm {
		transpose8AVX2(dst, w, src, ld, n)
		return
	}
	transpose8Go(dst, w, src, ld, n)
}

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

func init() {
	if cpu.X86.HasAVX2 {
		transpose8, copyRows8 = transpose8AVX2, copyRowsAVX2
	}
}

//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// sum64AVX2 is sum64Go's loop of blocks of four from zero, the four
// accumulators in the lanes of one register.
//
//go:noescape
func sum64AVX2(v []float32) [4]float64

// sum32AVX2 is sum32Go, the eight accumulators in the lanes of one
// register.
//
//go:noescape
func sum32AVX2(v []float32) [8]float32

// sumSquares64AVX2 is sumSquares64Go's loop of blocks of four from zero,
// the four accumulators in the lanes of one register.
//
//go:noescape
func sumSquares64AVX2(v []float32, mean float64) [4]float64

// sumProducts64AVX2 is sumProducts64Go's loop of blocks of four from zero,
// on the values g or (y not nil) their ReLU gradients, each set of four
// accumulators in the lanes of one register.
//
//go:noescape
func sumProducts64AVX2(g, y, x []float32, mean float64) [8]float64

// normalizeAVX2 is Normalize on 8 values per instruction.
//
//go:noescape
func normalizeAVX2(dst, src []float32, mean, scale, beta float32, relu bool)

// normalizeAddReLUAVX2 is NormalizeAddReLU on 8 values per instruction.
//
//go:noescape
func normalizeAddReLUAVX2(dst, src, res []float32, mean, scale, beta float32)

// normalizeGradAVX2 is NormalizeGrad on 8 values per instruction; y is nil
// or as long as g.
//
//go:noescape
func normalizeGradAVX2(dx, g, y, x []float32, k, a, b, mean float32)

func init() {
	if cpu.X86.HasAVX2 {
		normAVX2 = true
	}
}

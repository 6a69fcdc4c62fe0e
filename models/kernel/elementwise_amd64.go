//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// reluAVX2 is ReLU on 8 values per instruction, with Go's own sequence for
// max (see elementwise_amd64.s).
//
//go:noescape
func reluAVX2(dst, src []float32)

// reluGradAVX2 is ReLUGrad's mask on 8 values per instruction.
//
//go:noescape
func reluGradAVX2(dst, g, y []float32)

// mulAVX2 is Mul on 8 values per instruction, with ReLUGrad's mask where
// y is not nil.
//
//go:noescape
func mulAVX2(dst, a, b, y []float32)

// addAVX2 is Add on 8 values per instruction, with ReLUGrad's mask where
// y is not nil.
//
//go:noescape
func addAVX2(dst, a, b, y []float32)

// finiteAVX2 is Finite: it compares the exponent fields of 8 values at a
// time with all ones.
//
//go:noescape
func finiteAVX2(x []float32) bool

// finiteAVX512 is Finite under the avx512 variant: it takes the largest
// magnitude of the values, 16 at a time, and compares it with the
// exponent field's all ones once.
//
//go:noescape
func finiteAVX512(x []float32) bool

func init() {
	if cpu.X86.HasAVX2 {
		vec8.relu, vec8.reluGrad, vec8.mul, vec8.finite = reluAVX2, reluGradAVX2, mulAVX2, finiteAVX2
		vec8.add = addAVX2
	}
	if AVX512Selected() {
		vec8.finite = finiteAVX512
	}
}

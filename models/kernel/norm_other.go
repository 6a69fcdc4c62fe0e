//go:build !amd64 || purego

package kernel

// The assembly versions of norm.go's loops exist on amd64 only; normAVX2
// stays false elsewhere, so these stand-ins are never called.

func sum64AVX2([]float32) [4]float64                            { panic(noAVX2) }
func sum32AVX2([]float32) [8]float32                            { panic(noAVX2) }
func sumSquares64AVX2([]float32, float64) [4]float64            { panic(noAVX2) }
func sumProducts64AVX2(_, _, _ []float32, _ float64) [8]float64 { panic(noAVX2) }
func normalizeAVX2(_, _ []float32, _, _, _ float32, _ bool)     { panic(noAVX2) }
func normalizeAddReLUAVX2(_, _, _ []float32, _, _, _ float32)   { panic(noAVX2) }
func normalizeGradAVX2(_, _, _, _ []float32, _, _, _, _ float32) {
	panic(noAVX2)
}

// noAVX2 is the message of the stand-ins' panic.
const noAVX2 = "kernel: AVX2 loop called in a build without it"

//go:build !amd64 || purego

package kernel

// expAVX512 exists on amd64 only; expAsm stays false elsewhere, so this
// stand-in is never called.
func expAVX512([]float64, *[8]float64) int {
	panic("kernel: AVX-512 exp called in a build without it")
}

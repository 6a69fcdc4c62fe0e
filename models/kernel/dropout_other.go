//go:build !amd64 || purego

package kernel

// dropoutAVX512 exists on amd64 only; dropoutAsm stays false elsewhere, so
// this stand-in is never called.
func dropoutAVX512(_, _, _ []float32, _ *[2]uint64, _ uint32, _ float32, _ *jumpTable) {
	panic("kernel: AVX-512 dropout called in a build without it")
}

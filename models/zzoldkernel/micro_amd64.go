//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// kernelAVX512 computes one 8 x 32 tile with zmm registers; it follows the
// contract of goKernel.
//
//go:noescape
func kernelAVX512(kc int, a, b, c []float32, ldc int, alpha, beta float32)

// kernelAVX2 computes one 6 x 16 tile with ymm registers and FMA; it follows
// the contract of goKernel.
//
//go:noescape
func kernelAVX2(kc int, a, b, c []float32, ldc int, alpha, beta float32)

var (
	// avx512Variant streams 256 x 32 B strips (32 KiB) from L2 against an
	// 8 x 256 A strip (8 KiB) kept in L1; a 256 x 512 B panel is 512 KiB,
	// half of the 1 MiB L2 of a Zen 5 core.
	avx512Variant = variant{name: "avx512", mr: 8, nr: 32, kc: 256, nc: 512, mc: 512, kernel: kernelAVX512}
	// avx2Variant is the classic 6 x 16 ymm tile with the same blocking.
	avx2Variant = variant{name: "avx2", mr: 6, nr: 16, kc: 256, nc: 512, mc: 516, kernel: kernelAVX2}
)

// supportedVariants lists the variants this CPU can run, fastest first.
func supportedVariants() []*variant {
	var vs []*variant
	if cpu.X86.HasAVX512F {
		vs = append(vs, &avx512Variant)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		vs = append(vs, &avx2Variant)
	}
	return append(vs, &goVariant)
}

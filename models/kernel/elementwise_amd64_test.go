//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// finiteKernels returns Finite with each assembly version this CPU runs,
// whichever the variant selects, taking the multiples of 8 as Finite
// gives them, by name, for TestFinite.
func finiteKernels() map[string]func([]float32) bool {
	asm := map[string]func([]float32) bool{}
	if cpu.X86.HasAVX2 {
		asm["finiteAVX2"] = finiteAVX2
	}
	if cpu.X86.HasAVX512F {
		asm["finiteAVX512"] = finiteAVX512
	}
	ks := map[string]func([]float32) bool{}
	for name, k := range asm {
		ks[name] = func(x []float32) bool {
			i := len(x) &^ 7
			return k(x[:i]) && finiteGo(x[i:])
		}
	}
	return ks
}

//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// dropoutAVX512 is Dropout on the first len(x) values, a positive multiple
// of 16, with j pointing to dropoutJumps.
//
//go:noescape
func dropoutAVX512(y, mask, x []float32, state *[2]uint64, t uint32, scale float32, j *jumpTable)

func init() {
	name, err := SelectedVariant()
	dropoutAsm = err == nil && name == "avx512" && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ
}

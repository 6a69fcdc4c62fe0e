//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// dropoutAVX512 is Dropout on the first len(x) values, a positive multiple
// of 16, with j pointing to dropoutJumps.
//
//go:noescape
func dropoutAVX512(y, mask, x []float32, state *[2]uint64, t uint32, scale float32, j *jumpTable)

func init() {
	dropoutAsm = AVX512Selected() && cpu.X86.HasAVX512DQ
}

//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// maxPool2x2AVX2 is maxPool2x2Go on 8 outputs per instruction, for the
// first len(y) outputs (a multiple of 8).
//
//go:noescape
func maxPool2x2AVX2(y []float32, am []int32, x []float32, w int, idx0 int32, keep uint32)

// poolAVX2 reports whether MaxPool2x2Row runs maxPool2x2AVX2 (CPUs with
// AVX2); tests clear it to run the Go loop alone.
var poolAVX2 = cpu.X86.HasAVX2

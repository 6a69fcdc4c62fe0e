//go:build !purego

package data

import (
	"golang.org/x/sys/cpu"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// mapTableAVX512 is mapTableGo on the first len(s) bytes, a positive
// multiple of 64, 64 at a time, looking the bytes up in the table's byte
// planes p (bytePlanes) with VPERMI2B.
//
//go:noescape
func mapTableAVX512(d []float32, s []uint8, p *[4][256]byte)

// mapTableAsm reports whether mapTable runs mapTableAVX512: under the
// models' avx512 kernel variant (which NEUROPLASTIC_KERNEL forces, as it
// does for the optimizer's passes) on CPUs with AVX512F, AVX512BW and
// AVX512VBMI. Tests clear it to run the Go loop alone.
var mapTableAsm = kernel.AVX512Selected() && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI

// mapTableBulk runs mapTableAVX512 on the bytes of s up to the last
// multiple of 64 when mapTableAsm is set and returns how many it took
// (none otherwise).
func mapTableBulk(d []float32, s []uint8, p *[4][256]byte) int {
	n := len(s) &^ 63
	if !mapTableAsm || n == 0 {
		return 0
	}
	mapTableAVX512(d[:n], s[:n], p)
	return n
}

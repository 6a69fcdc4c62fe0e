//go:build !purego

package kernel

// expAVX512 is Exp on x, 8 values at a time (the last block masked), with
// c pointing to expCoef. It stops at the first block holding a value
// outside its range (see Exp), which it leaves as it is, and returns how
// many values it computed: len(x), or the start of that block.
//
//go:noescape
func expAVX512(x []float64, c *[8]float64) int

func init() {
	expAsm = AVX512Selected()
}

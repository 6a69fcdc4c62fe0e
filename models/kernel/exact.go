package kernel

import (
	"math"
	"math/bits"
)

// This file holds the arithmetic that every variant and architecture must
// compute to the same bits (docs/performance.md, "Numerics"). Go lets the
// compiler fuse x*y + z into one fused multiply-add (it does on arm64 and on
// amd64 from GOAMD64=v3 on), so a separate rounding is written with an
// explicit conversion, float32(x*y) + z, and a fused one with fma32.

// fma32 returns x*y + z rounded once to float32, as the FMA instructions of
// the assembly micro-kernels compute it: float32(s) for the float64 sum s of
// fmaSum unless roundsTwice(s) says otherwise, else fma32Odd.
func fma32(x, y, z float32) float32 {
	s := fmaSum(x, y, z)
	if roundsTwice(s) != 0 {
		return fma32Odd(x, y, z)
	}
	return float32(s)
}

// fmaSum returns x*y + z in float64: the product of two float32 values is
// exact in float64, so this is the float64 rounding of the exact result,
// whether or not the compiler fuses it.
func fmaSum(x, y, z float32) float64 { return float64(x)*float64(y) + float64(z) }

// roundsTwice returns a non-zero value if rounding s, the float64 rounding
// of an exact x*y + z (see fmaSum), to float32 might differ from rounding
// the exact value once. It can only when s lies exactly on a midpoint
// between two float32 values, where the float64 bits below the float32
// significand are 1 followed by 28 zeros, or when s is below the smallest
// normal float32, whose significand is shorter (zero is exact). It has no
// branches, so that a kernel can OR the results of many sums and test once.
func roundsTwice(s float64) uint64 {
	b := math.Float64bits(s)
	mid := b&(1<<29-1) ^ 1<<28 // zero on a midpoint
	_, tiny := bits.Sub64(b<<1-1, minNormal32Bits<<1-1, 0)
	return (mid-1)>>63 | tiny
}

// minNormal32Bits is the float64 encoding of 2^-126, the smallest normal
// float32.
const minNormal32Bits = (1023 - 126) << 52

// fma32Odd is fma32 for every input: it rounds the float64 sum to odd (its
// exact error, from TwoSum, decides the last bit), and rounding that to
// float32 gives the correctly rounded result, as float64 has more than two
// bits beyond float32's significand.
func fma32Odd(x, y, z float32) float32 {
	p := float64(float64(x) * float64(y))
	zf := float64(z)
	s := p + zf
	bv := s - p
	e := (p - (s - bv)) + (zf - bv)
	b := math.Float64bits(s)
	// e is NaN only when s is infinite or NaN, which need no correction.
	if e != 0 && !math.IsNaN(e) {
		// Truncate towards zero (one step down in magnitude when s rounded
		// away from the exact sum, that is when e's sign differs), then
		// make the last bit odd.
		b = (b - (b^math.Float64bits(e))>>63) | 1
	}
	return float32(math.Float64frombits(b))
}

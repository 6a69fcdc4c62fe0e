package kernel

import (
	"fmt"
	"math"
	"math/bits"
)

// Dropout draws len(x) numbers from the PCG-DXSM generator of math/rand/v2
// whose 128-bit state is state[0] (high half) and state[1] (low half), the
// numbers rand.NewPCG(state[0], state[1]).Uint64 returns, and applies
// inverted dropout with them: for each i, with u the bits 32 to 55 of the
// i-th draw, it sets mask[i] to +0 when u < t and to scale otherwise, and
// y[i] = x[i] * mask[i]. A dropped value is thus x[i] * +0: -0 for a
// negative x[i], NaN for an infinite or NaN one. With a NaN scale a kept
// value is the scale's NaN, quieted, even where x[i] is a NaN too. t is at
// most 2^24, which drops every value; a larger t panics. Dropout leaves
// the state after the len(x) draws in *state, so consecutive calls
// continue one stream. y and mask must be at least as long as x.
//
// Where the CPU has AVX512F and AVX512DQ and the avx512 variant is selected
// (see SelectedVariant), the first multiple of 16 values run in an AVX-512
// kernel that computes 16 draws at a time (dropout_amd64.s); the rest, and
// everything on other CPUs (AVX2 ones included), run dropoutGo. Both give
// the same bits and the same final state.
func Dropout(y, mask, x []float32, state *[2]uint64, t uint32, scale float32) {
	if t > 1<<24 {
		panic(fmt.Sprintf("kernel: Dropout: threshold %d above 2^24", t))
	}
	y, mask = y[:len(x)], mask[:len(x)]
	i := 0
	if dropoutAsm {
		if i = len(x) &^ (dropoutLanes - 1); i > 0 {
			dropoutAVX512(y[:i], mask[:i], x[:i], state, t, scale, &dropoutJumps)
		}
	}
	dropoutGo(y[i:], mask[i:], x[i:], state, t, scale)
}

// dropoutGo is the portable Dropout, the generator's state in locals.
func dropoutGo(y, mask, x []float32, state *[2]uint64, t uint32, scale float32) {
	y, mask = y[:len(x)], mask[:len(x)]
	hi, lo := state[0], state[1]
	keep := math.Float32bits(scale)
	for i, v := range x {
		hi, lo = pcgStep().apply(hi, lo)
		u := uint32(dxsm(hi, lo)>>32) & (1<<24 - 1)
		// u and t are at most 2^24, so u-t as an int32 is negative exactly
		// when u < t: drop is then all ones and clears the scale to +0,
		// without a branch that would mispredict on every dropped value.
		drop := uint32(int32(u-t) >> 31)
		m := math.Float32frombits(keep &^ drop)
		mask[i] = m
		y[i] = v * m
	}
	state[0], state[1] = hi, lo
	if scale != scale {
		nanScale(y, mask)
	}
}

// nanScale sets y[i] to mask[i], quieted, where mask[i] is a NaN (a NaN
// scale, values kept). The product v * m of dropoutGo's loop is that NaN
// already unless v is a NaN too: then which operand's NaN the multiply
// returns depends on the order the compiler gives the operands (it differs
// under -race) and on the architecture. This makes it the mask's, as
// VMULPS gives with the mask as its first operand in the AVX-512 kernel.
func nanScale(y, mask []float32) {
	for i, m := range mask {
		if m != m {
			y[i] = math.Float32frombits(math.Float32bits(m) | 0x00400000)
		}
	}
}

// dxsm is the output function of math/rand/v2's PCG.Uint64 (DXSM, "double
// xorshift multiply") on the state hi, lo it has just stepped to.
func dxsm(hi, lo uint64) uint64 {
	hi ^= hi >> 32
	hi *= dxsmMul
	hi ^= hi >> 48
	return hi * (lo | 1)
}

// dxsmMul is DXSM's multiplier (cheapMul in math/rand/v2's pcg.go).
const dxsmMul = 0xda942042e4dd58b5

// lcg is an affine map s -> s*mul + inc on 128-bit states modulo 2^128,
// each number as its high and low 64-bit halves.
type lcg struct{ mulHi, mulLo, incHi, incLo uint64 }

// pcgStep returns the step of math/rand/v2's PCG (the constants of
// PCG.next). A function, not a variable, so that inlined its constants are
// immediates.
func pcgStep() lcg {
	return lcg{
		mulHi: 2549297995355413924, mulLo: 4865540595714422341,
		incHi: 6364136223846793005, incLo: 1442695040888963407,
	}
}

// apply returns g's image of the state hi, lo.
func (g lcg) apply(hi, lo uint64) (uint64, uint64) {
	h, l := bits.Mul64(lo, g.mulLo)
	h += hi*g.mulLo + lo*g.mulHi
	l, c := bits.Add64(l, g.incLo, 0)
	return h + g.incHi + c, l
}

// then returns the map that applies g, then h.
func (g lcg) then(h lcg) lcg {
	// h(g(s)) = (s*g.mul + g.inc)*h.mul + h.inc
	//         = s*(g.mul*h.mul) + h(g.inc),
	// and g.mul*h.mul is h's multiplication applied to g.mul.
	mulHi, mulLo := lcg{mulHi: h.mulHi, mulLo: h.mulLo}.apply(g.mulHi, g.mulLo)
	incHi, incLo := h.apply(g.incHi, g.incLo)
	return lcg{mulHi: mulHi, mulLo: mulLo, incHi: incHi, incLo: incLo}
}

// dropoutLanes is how many draws the AVX-512 kernel computes per
// iteration: two vectors of 8 64-bit states.
const dropoutLanes = 16

// jumps8 holds 8 affine maps lane by lane, as the AVX-512 kernel loads
// them into vectors.
type jumps8 struct{ mulHi, mulLo, incHi, incLo [8]uint64 }

// set stores g in lane j.
func (v *jumps8) set(j int, g lcg) {
	v.mulHi[j], v.mulLo[j], v.incHi[j], v.incLo[j] = g.mulHi, g.mulLo, g.incHi, g.incLo
}

// jumpTable holds the AVX-512 kernel's maps, powers of pcgStep:
// first[0] holds steps 1 to 8 and first[1] steps 9 to 16 (lane j of
// first[k] is pcgStep applied 8k+j+1 times), which take the incoming state
// to the states of the first 16 draws; every lane of next is pcgStep
// applied 16 times, which takes each lane on to its draw in the next 16.
// The assembly reads the fields at their offsets: first[k] at 256k, next
// at 512, and in a jumps8 the four arrays 64 bytes apart.
type jumpTable struct {
	first [2]jumps8
	next  jumps8
}

// dropoutJumps is the kernel's jumpTable, set at start.
var dropoutJumps jumpTable

// dropoutAsm reports whether Dropout runs dropoutAVX512, set where the CPU
// has AVX512F and AVX512DQ (VPMULLQ) and the avx512 variant is selected;
// tests clear it to run the Go loop alone.
var dropoutAsm bool

func init() {
	g := lcg{mulLo: 1} // the identity
	for k := range dropoutLanes {
		g = g.then(pcgStep())
		dropoutJumps.first[k/8].set(k%8, g)
	}
	for j := range 8 {
		dropoutJumps.next.set(j, g)
	}
}

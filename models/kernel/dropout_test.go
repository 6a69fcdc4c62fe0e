package kernel

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// dropoutRef is Dropout as its contract states it, drawing from the
// math/rand/v2 generator pcg itself.
func dropoutRef(y, mask, x []float32, pcg *rand.PCG, t uint32, scale float32) {
	for i, v := range x {
		m := scale
		if uint32(pcg.Uint64()>>32)&(1<<24-1) < t {
			m = 0
		}
		mask[i], y[i] = m, v*m
		if v != v && m != m {
			y[i] = math.Float32frombits(math.Float32bits(m) | quietBit)
		}
	}
}

// quietBit is the bit that makes a float32 NaN quiet.
const quietBit = 0x00400000

// pcgState returns the state of pcg as Dropout holds it: high and low halves.
func pcgState(t *testing.T, pcg *rand.PCG) [2]uint64 {
	b, err := pcg.MarshalBinary() // "pcg:", then the halves big-endian
	if err != nil {
		t.Fatal(err)
	}
	return [2]uint64{binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:])}
}

// dropoutImpls runs f with Dropout as this CPU runs it and, where that is
// the AVX-512 kernel, again with the Go loop alone.
func dropoutImpls(f func(impl string)) {
	asm := dropoutAsm
	defer func() { dropoutAsm = asm }()
	if asm {
		f("avx512")
	}
	dropoutAsm = false
	f("go")
}

// dropoutParams are the thresholds and scales Dropout is tried with: none
// dropped (with the scale of a NaN p, and a signalling NaN), all dropped (with the +Inf scale
// of p = 1), one or all but one of the 2^24 values of u, and the
// thresholds of p = 0.1, 0.2 and 0.5 (models.dropThreshold).
var dropoutParams = []struct {
	t     uint32
	scale float32
}{
	{0, 1}, {0, float32(math.NaN())}, {0, math.Float32frombits(0xff800001)}, {1 << 24, float32(math.Inf(1))}, {1, 1 / (1 - 0x1p-24)},
	{1<<24 - 1, 1 << 24}, {1677722, 1 / (1 - float32(0.1))}, {3355444, 1 / (1 - float32(0.2))}, {1 << 23, 2},
}

// dropoutSeeds are the generator states the tests start from.
var dropoutSeeds = [][2]uint64{{0, 0}, {1, 2}, {math.MaxUint64, math.MaxUint64}, {0x9e3779b97f4a7c15, 0xda942042e4dd58b5}}

// checkDropout fails t unless y, mask and state are ref's.
func checkDropout(t *testing.T, name string, y, mask, wantY, wantMask []float32, state, wantState [2]uint64) {
	t.Helper()
	for i := range wantY {
		if math.Float32bits(y[i]) != math.Float32bits(wantY[i]) || math.Float32bits(mask[i]) != math.Float32bits(wantMask[i]) {
			t.Fatalf("%s: element %d: mask %#08x, output %#08x, want %#08x, %#08x", name, i,
				math.Float32bits(mask[i]), math.Float32bits(y[i]), math.Float32bits(wantMask[i]), math.Float32bits(wantY[i]))
		}
	}
	if state != wantState {
		t.Fatalf("%s: state %#x after, want %#x", name, state, wantState)
	}
}

// TestDropout checks Dropout, its AVX-512 kernel where the CPU runs it and
// its Go loop, bit for bit against math/rand/v2's PCG drawn directly: the
// masks, the outputs and the state left, for lengths around the kernel's
// 16 lanes and long ones, from several states, with every threshold and
// scale of dropoutParams, on values of every class (NaNs with payloads,
// infinities and zeros of both signs, negative and subnormal values) at
// several offsets, so that each class meets every lane.
func TestDropout(t *testing.T) {
	in, _ := elementwiseInputs()
	lengths := []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 1000, 1001, 4099, len(in) - 3}
	want, wantMask := make([]float32, len(in)), make([]float32, len(in))
	y, mask := make([]float32, len(in)), make([]float32, len(in))
	dropoutImpls(func(impl string) {
		for _, n := range lengths {
			for _, off := range []int{0, 3} {
				x := in[off : off+n]
				for _, p := range dropoutParams {
					for _, seed := range dropoutSeeds {
						name := fmt.Sprintf("%s: n = %d at %d, t = %d, scale %v, state %#x", impl, n, off, p.t, p.scale, seed)
						pcg := rand.NewPCG(seed[0], seed[1])
						dropoutRef(want, wantMask, x, pcg, p.t, p.scale)
						state := seed
						Dropout(y, mask, x, &state, p.t, p.scale)
						checkDropout(t, name, y[:n], mask[:n], want[:n], wantMask[:n], state, pcgState(t, pcg))
					}
				}
			}
		}
	})
}

// TestDropoutChained checks that consecutive calls continue one stream:
// a slice cut into pieces of every length around the kernel's lanes gives
// the masks, outputs and final state of one pass over it by the reference.
func TestDropoutChained(t *testing.T) {
	in, _ := elementwiseInputs()
	pieces := []int{5, 16, 3, 40, 1, 100, 0, 17, 33, 1024, 15, 7, 9, 64, 2}
	total := 0
	for _, n := range pieces {
		total += n
	}
	x := in[:total]
	want, wantMask := make([]float32, total), make([]float32, total)
	y, mask := make([]float32, total), make([]float32, total)
	dropoutImpls(func(impl string) {
		for _, p := range dropoutParams {
			for _, seed := range dropoutSeeds {
				pcg := rand.NewPCG(seed[0], seed[1])
				dropoutRef(want, wantMask, x, pcg, p.t, p.scale)
				state, at := seed, 0
				for _, n := range pieces {
					Dropout(y[at:], mask[at:], x[at:at+n], &state, p.t, p.scale)
					at += n
				}
				name := fmt.Sprintf("%s: t = %d, scale %v, state %#x", impl, p.t, p.scale, seed)
				checkDropout(t, name, y, mask, want, wantMask, state, pcgState(t, pcg))
			}
		}
	})
}

// TestDropoutThresholdEdges checks the comparison u < t where it flips:
// with t equal to a draw's u (kept) and to u+1 (dropped), for draws in
// every lane of the AVX-512 kernel's two vectors and in the Go tail.
func TestDropoutThresholdEdges(t *testing.T) {
	const n = 40
	in, _ := elementwiseInputs()
	x := in[:n]
	want, wantMask := make([]float32, n), make([]float32, n)
	y, mask := make([]float32, n), make([]float32, n)
	seed := dropoutSeeds[1]
	pcg := rand.NewPCG(seed[0], seed[1])
	var us [n]uint32
	for i := range us {
		us[i] = uint32(pcg.Uint64()>>32) & (1<<24 - 1)
	}
	dropoutImpls(func(impl string) {
		for i, u := range us {
			for _, th := range []uint32{u, u + 1} {
				pcg := rand.NewPCG(seed[0], seed[1])
				dropoutRef(want, wantMask, x, pcg, th, 2)
				state := seed
				Dropout(y, mask, x, &state, th, 2)
				name := fmt.Sprintf("%s: t = %d, the u of draw %d", impl, th, i)
				checkDropout(t, name, y, mask, want, wantMask, state, pcgState(t, pcg))
			}
		}
	})
}

// TestDropoutThresholdAbove2To24 checks that a threshold no 24-bit draw
// can reach, where the Go loop and the AVX-512 kernel would disagree,
// panics instead.
func TestDropoutThresholdAbove2To24(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Dropout with t = 2^24+1 did not panic")
		}
	}()
	var state [2]uint64
	x := make([]float32, 16)
	Dropout(make([]float32, 16), make([]float32, 16), x, &state, 1<<24+1, 1)
}

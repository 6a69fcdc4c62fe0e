package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neuroplastic/neuroplastic/rng"
)

// dropoutProbabilities are the drop probabilities the dropout tests try:
// the edges (0, -0, 1, NaN, beyond [0, 1]), the smallest float32s and those
// around 2^-24 (one step of Float32), the models' values and values next
// to thresholds.
func dropoutProbabilities() []float32 {
	ps := []float32{0, float32(math.Copysign(0, -1)), -0.5, 1, 1.5, float32(math.NaN()), float32(math.Inf(1)),
		math.SmallestNonzeroFloat32, 0x1p-30, 0x1p-24, 0x1.8p-24, 0x1p-23, 0.1, 0.2, 0.3, 0.5, 0.9, 1 - 0x1p-24}
	for _, p := range []float32{0x1p-24, 0.1, 0.5, 1 - 0x1p-24} {
		ps = append(ps, math.Nextafter32(p, 0), math.Nextafter32(p, 1))
	}
	return ps
}

// TestDropThresholdExhaustive checks u < dropThreshold(p) against
// float32(u)/(1<<24) < p, what rand.Rand.Float32 computes from the same
// draw, for every 24-bit u and a range of p, random ones included.
func TestDropThresholdExhaustive(t *testing.T) {
	ps := dropoutProbabilities()
	r := rng.Stream(1, "test", 0)
	for range 8 {
		ps = append(ps, r.Float32())
	}
	for _, p := range ps {
		th := dropThreshold(p)
		for u := range uint32(1 << 24) {
			if want := float32(u)/(1<<24) < p; (u < th) != want {
				t.Fatalf("p = %v (threshold %d): u = %d drops %v, want %v", p, th, u, !want, want)
			}
		}
	}
}

// TestDropoutMatchesFloat32 checks that the forward pass gives the masks,
// outputs and following stream state of the reference it replaces, which
// drew r.Float32() < p from a rand.Rand over the same generator, over many
// seeds and probabilities and across consecutive calls.
func TestDropoutMatchesFloat32(t *testing.T) {
	in := shape{37, 1, 1}
	for _, p := range dropoutProbabilities() {
		for seed := range uint64(20) {
			b := testBuilder(3)
			b.drop.reset(seed, 1)
			d := b.dropout("drop", in, p)
			ref := rand.New(rng.Source(seed, "dropout", 1))
			x := randTensor(b.rng, 3, in, -1, 1)
			x.data[0], x.data[1] = float32(math.Inf(1)), float32(math.NaN())
			for call := range 3 {
				y := d.forward(x, true)
				scale := 1 / (1 - p)
				for i, v := range x.data {
					m := scale
					if ref.Float32() < p {
						m = 0
					}
					if math.Float32bits(d.mask[i]) != math.Float32bits(m) || math.Float32bits(y.data[i]) != math.Float32bits(v*m) {
						t.Fatalf("p = %v, seed %d, call %d, value %d: mask %v, output %v, want %v, %v", p, seed, call, i, d.mask[i], y.data[i], m, v*m)
					}
				}
			}
			if got, want := rand.NewPCG(b.drop.state[0], b.drop.state[1]).Uint64(), ref.Uint64(); got != want {
				t.Fatalf("p = %v, seed %d: next draw %#x, want %#x", p, seed, got, want)
			}
		}
	}
}

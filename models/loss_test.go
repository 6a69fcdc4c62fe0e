package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// crossEntropyRef is crossEntropy.forward as a loop over the samples that
// calls kernel.Exp64 on each logit in turn, returning the gradient.
func crossEntropyRef(z *tensor, y []uint8) (loss float64, correct int, dz []float32) {
	inv := 1 / float64(z.n)
	for i, label := range y {
		zs := z.sample(i)
		best := 0
		for j, v := range zs {
			if v > zs[best] {
				best = j
			}
		}
		if best == int(label) {
			correct++
		}
		m := float64(zs[best])
		var sum float64
		exps := make([]float64, len(zs))
		for j, v := range zs {
			exps[j] = kernel.Exp64(float64(v) - m)
			sum += exps[j]
		}
		loss += log64(sum) + m - float64(zs[label])
		for j, e := range exps {
			p := e / sum
			if j == int(label) {
				p--
			}
			dz = append(dz, float32(p*inv))
		}
	}
	return loss * inv, correct, dz
}

// TestCrossEntropyMatchesPerLogit checks the loss, the count of correct
// samples and the gradient bit for bit against crossEntropyRef, with
// batches of 1 to 128 samples of 3 and 10 classes (rows that do not align
// with the exp kernel's blocks) and logits of every kind: ordinary, spread
// so widely that some exps are subnormal or 0, equal, and infinite or NaN.
// A NaN may be any NaN: which operand's NaN an addition or division keeps
// when both are NaNs depends on the order the compiler gives them (it
// differs under the race detector and between architectures).
func TestCrossEntropyMatchesPerLogit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32, 0}
	kinds := []struct {
		name string
		draw func() float32
	}{
		{"normal", func() float32 { return float32(rng.NormFloat64() * 3) }},
		{"wide", func() float32 { return float32(rng.Float64()*1600 - 800) }},
		{"equal", func() float32 { return 1.5 }},
		{"special", func() float32 {
			if rng.IntN(4) == 0 {
				return special[rng.IntN(len(special))]
			}
			return float32(rng.NormFloat64() * 300)
		}},
	}
	for _, classes := range []int{3, 10} {
		ce := newCrossEntropy(classes, 128)
		for _, kind := range kinds {
			for _, n := range []int{1, 7, 128, 128, 128, 128} {
				z := newTensor(n, shape{classes, 1, 1})
				y := make([]uint8, n)
				for i := range z.data {
					z.data[i] = kind.draw()
				}
				for i := range y {
					y[i] = uint8(rng.IntN(classes))
				}
				what := fmt.Sprintf("%d classes, %d %s samples", classes, n, kind.name)
				wantLoss, wantCorrect, wantDz := crossEntropyRef(&z, y)
				loss, correct := ce.forward(&z, y, true)
				if !sameOrNaN(loss, wantLoss) || correct != wantCorrect {
					t.Fatalf("%s: loss %v (%#x), %d correct, want %v (%#x), %d", what, loss, math.Float64bits(loss), correct,
						wantLoss, math.Float64bits(wantLoss), wantCorrect)
				}
				for i, d := range ce.dz.data {
					if !sameOrNaN(float64(d), float64(wantDz[i])) {
						t.Fatalf("%s: dz[%d] = %v (%#x), want %v (%#x)", what, i, d, math.Float32bits(d), wantDz[i], math.Float32bits(wantDz[i]))
					}
				}
			}
		}
	}
}

// sameOrNaN reports whether x and y have the same bits or are both NaNs.
func sameOrNaN(x, y float64) bool {
	return math.Float64bits(x) == math.Float64bits(y) || x != x && y != y
}

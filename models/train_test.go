package models

import (
	"testing"

	"github.com/neuroplastic/neuroplastic/rng"
)

// TestMLPLearns trains the mlp with plain SGD on a fixed synthetic problem:
// 512 samples of 784 standard-normal features labelled by a random linear
// teacher (argmax of 10 scores), batches of 64 in order, learning rate 0.1,
// 20 epochs (160 steps). Measured: the mean training loss of the first
// epoch is 2.309 and that of the last 0.051 (a ratio of 0.022); Evaluate on
// the whole set gives 0.034 with all 512 correct. The test asserts a drop to
// under a tenth and at least 95% correct in evaluation mode.
func TestMLPLearns(t *testing.T) {
	const (
		samples, batch, epochs = 512, 64, 20
		lr                     = 0.1
	)
	rng := rng.Stream(9, "data", 0)
	teacher := make([]float64, 10*784)
	for i := range teacher {
		teacher[i] = rng.NormFloat64()
	}
	x := make([]float32, samples*784)
	y := make([]uint8, samples)
	for s := range samples {
		best, bestScore := 0, 0.0
		for c := range 10 {
			var score float64
			for j := range 784 {
				if c == 0 {
					x[s*784+j] = float32(rng.NormFloat64())
				}
				score += teacher[c*784+j] * float64(x[s*784+j])
			}
			if c == 0 || score > bestScore {
				best, bestScore = c, score
			}
		}
		y[s] = uint8(best)
	}
	n := newTestNet(t, "mlp", batch, 1)
	var first, last float64
	for epoch := 1; epoch <= epochs; epoch++ {
		n.BeginEpoch(epoch)
		var sum float64
		for b := 0; b < samples; b += batch {
			loss, _ := n.TrainStep(x[b*784:(b+batch)*784], y[b:b+batch])
			sum += loss
			for _, p := range n.Params() {
				for i, g := range p.Grad {
					p.Data[i] -= lr * g
				}
			}
		}
		sum /= samples / batch
		if epoch == 1 {
			first = sum
		}
		last = sum
	}
	var evalLoss float64
	correct := 0
	for b := 0; b < samples; b += batch {
		l, c := n.Evaluate(x[b*784:(b+batch)*784], y[b:b+batch])
		evalLoss += l / (samples / batch)
		correct += c
	}
	t.Logf("training loss: first epoch %.4f, last epoch %.4f; evaluation loss %.4f, %d/%d correct", first, last, evalLoss, correct, samples)
	if last > 0.1*first || correct < samples*95/100 {
		t.Errorf("training loss %.4f -> %.4f, %d/%d correct: the mlp does not learn", first, last, correct, samples)
	}
}

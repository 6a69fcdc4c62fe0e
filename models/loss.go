package models

import (
	"fmt"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// crossEntropy is softmax cross-entropy with mean reduction over the batch,
// computed stably through the log-sum-exp of the logits:
//
//	loss_i = log(sum_j exp(z_ij - max_j z_ij)) + max_j z_ij - z_i,y_i
//	dL/dz_ij = (softmax(z_i)_j - [j == y_i]) / n
type crossEntropy struct {
	classes  int
	maxBatch int
	dz       tensor
	maxes    []float64 // max_j z_ij of each sample
	exps     []float64 // exp(z_ij - max_j z_ij) of the batch, sample by sample
}

func newCrossEntropy(classes, maxBatch int) *crossEntropy {
	return &crossEntropy{classes: classes, maxBatch: maxBatch, dz: newTensor(maxBatch, shape{classes, 1, 1}),
		maxes: make([]float64, maxBatch), exps: make([]float64, maxBatch*classes)}
}

// forward returns the mean loss of the logits z for labels y and the number
// of samples whose first largest logit is the label. With grad it also
// stores the gradient of the mean loss for backward.
//
// It finds each sample's largest logit and writes the differences from it
// for the whole batch first, so that one call of kernel.Exp (8 values per
// instruction where it can) takes all of them; the sums, the loss and the
// gradient then run sample by sample, in the order of a loop that calls
// kernel.Exp64 on each logit, with the same bits.
func (ce *crossEntropy) forward(z *tensor, y []uint8, grad bool) (loss float64, correct int) {
	checkInput("loss", z, shape{ce.classes, 1, 1}, ce.maxBatch)
	if len(y) != z.n {
		panic(fmt.Sprintf("models: loss: %d labels for %d samples", len(y), z.n))
	}
	if grad {
		ce.dz.resize(z.n)
	}
	exps := ce.exps[:z.n*ce.classes]
	for i, label := range y {
		if int(label) >= ce.classes {
			panic(fmt.Sprintf("models: loss: label %d of sample %d out of range [0, %d)", label, i, ce.classes))
		}
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
		ce.maxes[i] = m
		for j, v := range zs {
			exps[i*ce.classes+j] = float64(v) - m
		}
	}
	kernel.Exp(exps)
	inv := 1 / float64(z.n)
	for i, label := range y {
		es := exps[i*ce.classes : (i+1)*ce.classes]
		var sum float64
		for _, e := range es {
			sum += e
		}
		loss += log64(sum) + ce.maxes[i] - float64(z.sample(i)[label])
		if grad {
			dzs := ce.dz.sample(i)
			for j, e := range es {
				p := e / sum
				if j == int(label) {
					p--
				}
				dzs[j] = float32(p * inv)
			}
		}
	}
	return loss * inv, correct
}

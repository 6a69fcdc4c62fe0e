package models

import (
	"fmt"
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
	exps     []float64 // exp(z_ij - max_j z_ij) of the sample being computed
}

func newCrossEntropy(classes, maxBatch int) *crossEntropy {
	return &crossEntropy{classes: classes, maxBatch: maxBatch, dz: newTensor(maxBatch, shape{classes, 1, 1}),
		exps: make([]float64, classes)}
}

// forward returns the mean loss of the logits z for labels y and the number
// of samples whose first largest logit is the label. With grad it also
// stores the gradient of the mean loss for backward.
func (ce *crossEntropy) forward(z *tensor, y []uint8, grad bool) (loss float64, correct int) {
	checkInput("loss", z, shape{ce.classes, 1, 1}, ce.maxBatch)
	if len(y) != z.n {
		panic(fmt.Sprintf("models: loss: %d labels for %d samples", len(y), z.n))
	}
	if grad {
		ce.dz.resize(z.n)
	}
	inv := 1 / float64(z.n)
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
		var sum float64
		exps := ce.exps[:len(zs)]
		for j, v := range zs {
			exps[j] = exp64(float64(v) - m)
			sum += exps[j]
		}
		loss += log64(sum) + m - float64(zs[label])
		if grad {
			dzs := ce.dz.sample(i)
			for j, e := range exps {
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

package models

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// BenchmarkTrainStep measures one training step (forward, loss, backward)
// of each model at batch 128 on a one-thread and a two-thread engine.
func BenchmarkTrainStep(b *testing.B) {
	const batch = 128
	for _, model := range Names() {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", model, threads), func(b *testing.B) {
				n, err := New(model, batch, 1, kernel.New(threads))
				if err != nil {
					b.Fatal(err)
				}
				x, y := testBatch(n, batch, 1)
				n.TrainStep(x, y) // touch every buffer once
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					n.TrainStep(x, y)
				}
			})
		}
	}
}

// BenchmarkBatchNorm measures BatchNorm2d's passes on ResNet-18's layer1
// and layer4 activations (batch 128, 64 channels of 32 x 32 and 512 of
// 4 x 4) on a one-thread and a two-thread engine: a training forward pass
// and a backward pass with the input gradient, alone, with the ReLU that
// follows bn1 and with a BasicBlock's residual and ReLU (bn2), and the sum
// of a BasicBlock's input gradients through the identity shortcut's ReLU
// mask on the same shape.
func BenchmarkBatchNorm(b *testing.B) {
	const batch = 128
	for _, layer := range []struct {
		name string
		in   shape
	}{{"layer1", shape{64, 32, 32}}, {"layer4", shape{512, 4, 4}}} {
		in := layer.in
		rng := rand.New(rand.NewPCG(1, 2))
		x, dy, dst := newTensor(batch, in), newTensor(batch, in), newTensor(batch, in)
		for i := range x.data {
			x.data[i], dy.data[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		for _, threads := range []int{1, 2} {
			bld := &builder{maxBatch: batch, eng: kernel.New(threads)}
			for _, mode := range []string{"plain", "relu", "residual"} {
				bn := bld.batchNorm("bn", in)
				if mode != "plain" {
					bn = bld.batchNormReLU("bn", in)
				}
				if mode == "residual" {
					bn.res = &dy
				}
				b.Run(fmt.Sprintf("%s/forward/%s/threads=%d", layer.name, mode, threads), func(b *testing.B) {
					for b.Loop() {
						bn.forward(&x, true)
					}
				})
				b.Run(fmt.Sprintf("%s/backward/%s/threads=%d", layer.name, mode, threads), func(b *testing.B) {
					bn.forward(&x, true)
					for b.Loop() {
						bn.backward(&dy, true)
					}
				})
			}
			b.Run(fmt.Sprintf("%s/add/mask/threads=%d", layer.name, threads), func(b *testing.B) {
				add := addition{dst.data, x.data, dy.data, x.data}
				for b.Loop() {
					bld.eng.Parallel(len(dst.data), elementGrain, &add)
				}
			})
		}
	}
}

// BenchmarkLoss measures the cross-entropy loss's forward pass with the
// gradient on the MLP's logits at batch 128 (10 classes, N(0, 3) logits).
func BenchmarkLoss(b *testing.B) {
	const batch, classes = 128, 10
	rng := rand.New(rand.NewPCG(1, 2))
	ce := newCrossEntropy(classes, batch)
	z := newTensor(batch, shape{classes, 1, 1})
	y := make([]uint8, batch)
	for i := range z.data {
		z.data[i] = float32(rng.NormFloat64() * 3)
	}
	for i := range y {
		y[i] = uint8(rng.IntN(classes))
	}
	for b.Loop() {
		ce.forward(&z, y, true)
	}
}

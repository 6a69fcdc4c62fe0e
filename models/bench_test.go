package models

import (
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// BenchmarkTrainStep measures one training step (forward, loss, backward)
// of each model at batch 128 on a one-thread engine.
func BenchmarkTrainStep(b *testing.B) {
	const batch = 128
	for _, model := range Names() {
		b.Run(model, func(b *testing.B) {
			n, err := New(model, batch, 1, kernel.New(1))
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

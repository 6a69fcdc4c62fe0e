package models

import (
	"fmt"
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

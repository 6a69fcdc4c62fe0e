package spec_test

import (
	"fmt"

	"github.com/neuroplastic/neuroplastic/harness/spec"
)

// ExampleParse parses a small spec with a two-point grid, applies a --set
// override and expands it into runs.
func ExampleParse() {
	src := []byte(`study: demo
dataset: fashion_mnist
model: mlp
epochs: 10
batch_size: 128
seeds: [41, 42]
fractions: [1.0]
arms:
  - name: grad_only
    optimizer: {name: neuroplastic, mode: ablation_grad_only, lr: 0.1, min_alpha: 0.5, max_alpha: 1.5}
  - name: full
    optimizer: {name: neuroplastic, from: paper, warmup_epochs: [0, 2]}
`)
	s, err := spec.Parse("demo.yaml", src, spec.Options{Set: []string{"epochs=3"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, j := range s.Expand() {
		c := j.Config
		fmt.Printf("%d %-30s epochs %d seed %d lr %g\n", j.Index, c.Label, c.Epochs, c.Seed, j.Optimizer.NeuroPlastic.LR)
	}

	// Errors name the file, the line and the field.
	_, err = spec.Parse("demo.yaml", src, spec.Options{Set: []string{"full.lr=-1"}})
	fmt.Println(err)
	// Output:
	// 0 grad_only                      epochs 3 seed 41 lr 0.1
	// 1 grad_only                      epochs 3 seed 42 lr 0.1
	// 2 full warmup_epochs=0           epochs 3 seed 41 lr 0.1
	// 3 full warmup_epochs=0           epochs 3 seed 42 lr 0.1
	// 4 full warmup_epochs=2           epochs 3 seed 41 lr 0.1
	// 5 full warmup_epochs=2           epochs 3 seed 42 lr 0.1
	// spec: --set full.lr=-1: arms[1].optimizer.lr: optim: neuroplastic: lr -1 < 0
}

// Package param holds the one type shared by the models, the optimizers and
// the harness: a named trainable tensor with its gradient, plus the seeded
// random streams every run derives from its seed.
package param

import (
	"hash/fnv"
	"math/rand/v2"
)

// Param is a trainable tensor: its values and the gradient of the loss with
// respect to them. Data and Grad have the same length, the product of Shape.
// Models own the slices; optimizers update Data in place and only read Grad.
type Param struct {
	Name  string    // stable name such as "fc1.weight"; part of the checkpoint format
	Shape []int     // logical shape, e.g. [out, in] or [out, in, kh, kw]
	Data  []float32 // values
	Grad  []float32 // gradient, written by the model's backward pass
}

// Numel returns the number of elements of p.
func (p *Param) Numel() int { return len(p.Data) }

// Stream returns a generator seeded from the run seed, a purpose (such as
// "init", "shuffle", "dropout", "augment") and an epoch (0 when the purpose is
// not per epoch). The stream depends on nothing else, so a run's random draws
// are the same whatever the worker count, run order, shard or resume point,
// and two optimizer arms with the same seed see the same weights and batches.
func Stream(seed uint64, purpose string, epoch int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return rand.New(rand.NewPCG(seed, h.Sum64()^uint64(epoch)*0x9e3779b97f4a7c15))
}

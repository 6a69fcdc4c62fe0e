// Package rng derives the seeded random streams of a run. Every random draw
// of a run (weight initialisation, shuffling, dropout, augmentation, the
// synthetic test data) comes from a stream named by the run's seed, a
// purpose and an epoch, so the numbers of a run depend on its configuration
// alone (docs/design.md, "Determinism").
package rng

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream returns a generator seeded from the run seed, a purpose (such as
// "init", "shuffle", "dropout", "augment") and an epoch (0 when the purpose is
// not per epoch). The stream depends on nothing else, so a run's random draws
// are the same whatever the worker count, run order, shard or resume point,
// and two optimizer arms with the same seed see the same weights and batches.
func Stream(seed uint64, purpose string, epoch int) *rand.Rand {
	return rand.New(Source(seed, purpose, epoch))
}

// Source returns the generator underneath Stream(seed, purpose, epoch):
// drawing Uint64 from it advances it exactly as one draw of the stream's
// Float32, Float64, Uint32 or Uint64 does, so a hot loop can draw from the
// concrete PCG without the rand.Rand interface and get the same stream.
func Source(seed uint64, purpose string, epoch int) *rand.PCG {
	return rand.NewPCG(Seeds(seed, purpose, epoch))
}

// Seeds returns the pair rand.NewPCG(seed1, seed2) seeds Source(seed,
// purpose, epoch) with, which is also the PCG's initial 128-bit state (high
// and low halves), for code that runs the generator's arithmetic itself
// (the dropout kernel, kernel.Dropout).
func Seeds(seed uint64, purpose string, epoch int) (seed1, seed2 uint64) {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return seed, h.Sum64() ^ uint64(epoch)*0x9e3779b97f4a7c15
}

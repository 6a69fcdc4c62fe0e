package models

import (
	"testing"
	"time"

	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/optim"
)

// epochCase is one BenchmarkEpoch configuration: a model on a data set's
// split sizes with an engine of threads goroutines. With sampled, only a few
// batches are timed and the epoch is extrapolated from them.
type epochCase struct {
	name        string
	model       string
	threads     int
	train, test int
	sampled     bool
}

// epochBatch is the batch size of the epoch benchmarks (docs/performance.md).
const epochBatch = 128

// epochOptimizer is the optimizer configuration every epoch benchmark
// updates the parameters with after each training step.
const epochOptimizer = `{"name":"neuroplastic","lr":0.1,"warmup_epochs":2,"plasticity_scale":2}`

// BenchmarkEpoch reports the wall time of one training epoch plus the test
// pass, in s/epoch, at batch 128 with the neuroplastic optimizer stepping
// after every TrainStep, on synthetic inputs (the cost does not depend on
// the values):
//
//   - mlp_mnist/threads=1 runs a whole MNIST epoch: 469 TrainSteps over
//     60,000 samples (the last batch has 96) and Evaluate over 10,000.
//   - small_cnn_cifar and resnet18_cifar, on one and on two threads, are
//     CIFAR-10 epochs (50,000 training and 10,000 test samples),
//     extrapolated: after one warm-up step, 3 TrainSteps and 2 Evaluate
//     batches are timed and the epoch is their time per sample times the
//     split sizes.
func BenchmarkEpoch(b *testing.B) {
	for _, c := range []epochCase{
		{name: "mlp_mnist/threads=1", model: "mlp", threads: 1, train: 60000, test: 10000},
		{name: "small_cnn_cifar/threads=1", model: "small_cnn", threads: 1, train: 50000, test: 10000, sampled: true},
		{name: "small_cnn_cifar/threads=2", model: "small_cnn", threads: 2, train: 50000, test: 10000, sampled: true},
		{name: "resnet18_cifar/threads=1", model: "resnet18", threads: 1, train: 50000, test: 10000, sampled: true},
		{name: "resnet18_cifar/threads=2", model: "resnet18", threads: 2, train: 50000, test: 10000, sampled: true},
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkEpoch(b, c) })
	}
}

func benchmarkEpoch(b *testing.B, c epochCase) {
	net, err := New(c.model, epochBatch, 1, kernel.New(c.threads))
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := optim.DecodeConfig([]byte(epochOptimizer))
	if err != nil {
		b.Fatal(err)
	}
	opt, err := optim.New(net.Params(), cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	// A few distinct batches, used in turn, stand in for the data set.
	const pool = 4
	xs := make([][]float32, pool)
	ys := make([][]uint8, pool)
	for i := range pool {
		xs[i], ys[i] = testBatch(net, epochBatch, uint64(i))
	}
	size := net.in.size()
	// batch returns the i-th batch of a split of total samples: the pool
	// batch i%pool cut to the samples left.
	batch := func(i, total int) ([]float32, []uint8) {
		n := min(epochBatch, total-i*epochBatch)
		return xs[i%pool][:n*size], ys[i%pool][:n]
	}
	train := func(i, total int) {
		x, y := batch(i, total)
		net.TrainStep(x, y)
		if err := opt.Step(1); err != nil {
			b.Fatal(err)
		}
	}
	evaluate := func(i, total int) {
		x, y := batch(i, total)
		net.Evaluate(x, y)
	}
	batches := func(total int) int { return (total + epochBatch - 1) / epochBatch }

	// Warm-up: touch every buffer and size every workspace once.
	train(0, c.train)
	evaluate(0, c.test)
	b.ReportAllocs()
	var seconds float64
	for b.Loop() {
		if !c.sampled {
			start := time.Now()
			for i := range batches(c.train) {
				train(i, c.train)
			}
			for i := range batches(c.test) {
				evaluate(i, c.test)
			}
			seconds += time.Since(start).Seconds()
			continue
		}
		const trainSteps, evalSteps = 3, 2
		start := time.Now()
		for i := range trainSteps {
			train(i, c.train)
		}
		mid := time.Now()
		for i := range evalSteps {
			evaluate(i, c.test)
		}
		perTrain := mid.Sub(start).Seconds() / (trainSteps * epochBatch)
		perTest := time.Since(mid).Seconds() / (evalSteps * epochBatch)
		seconds += perTrain*float64(c.train) + perTest*float64(c.test)
	}
	b.ReportMetric(seconds/float64(b.N), "s/epoch")
}

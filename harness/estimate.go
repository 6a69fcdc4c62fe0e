package harness

import (
	"fmt"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/spec"
)

// forwardFLOPs is the approximate forward-pass cost of one example per
// model: 2 floating-point operations per multiply-add of its convolutions
// and linear layers (activations, pooling and normalisation are left out).
//   - mlp: 784*256 + 256*256 + 256*10 = 268,800 multiply-adds.
//   - small_cnn: convs 884,736, 18,874,368 and 18,874,368, linears
//     2,097,152 and 2,560: 40,733,184 in all.
//   - resnet18 (CIFAR variant): stem 1,769,472, stage 1 150,994,944, stages
//     2-4 134,217,728 each (including the 1x1 shortcuts), linear 5,120 =
//     555,422,720.
var forwardFLOPs = map[string]float64{
	"mlp":       2 * 268_800,
	"small_cnn": 2 * 40_733_184,
	"resnet18":  2 * 555_422_720,
}

// trainPassCost is the cost of a training example relative to a forward
// pass: the forward pass, the backward pass to the inputs and the one to
// the weights, each about one forward's multiply-adds.
const trainPassCost = 3

// DefaultGFLOPS is the sustained whole-machine training throughput that time
// estimates assume unless told otherwise, measured on this project's 2-core
// machines (make bench): a ResNet-18 CIFAR-10 epoch (about 178 TFLOP) takes
// about 700 s on 2 threads, and two mlp runs at once each train an MNIST
// epoch (about 0.1 TFLOP) in about 0.84 s; both come to about 250 GFLOP/s.
const DefaultGFLOPS = 250.0

// Work estimates the compute of a set of runs.
type Work struct {
	Runs         int
	Epochs       int     // training epochs over all runs
	SamplePasses int64   // training examples seen plus test examples evaluated
	FLOP         float64 // approximate floating-point operations
}

// Estimate returns the work of training jobs in full: every epoch trains on
// the run's (sub)set and evaluates the whole test set.
func Estimate(jobs []spec.Job) Work {
	var w Work
	for _, j := range jobs {
		c := j.Config
		info, err := data.Describe(c.Dataset)
		if err != nil {
			panic(fmt.Sprintf("harness: a job of unknown dataset %q", c.Dataset)) // the spec parser checks datasets
		}
		train := int64(data.SubsetSize(info.Train, c.Fraction))
		test := int64(info.Test)
		perEpoch := train + test
		w.Runs++
		w.Epochs += c.Epochs
		w.SamplePasses += perEpoch * int64(c.Epochs)
		w.FLOP += float64(c.Epochs) * forwardFLOPs[c.Model] * float64(trainPassCost*train+test)
	}
	return w
}

// Time returns how long the work takes at gflops GFLOP/s.
func (w Work) Time(gflops float64) time.Duration {
	return time.Duration(w.FLOP / (gflops * 1e9) * float64(time.Second))
}

// String describes the work, with its time at DefaultGFLOPS.
func (w Work) String() string {
	return w.Describe(DefaultGFLOPS)
}

// Describe describes the work and its time at gflops GFLOP/s.
func (w Work) Describe(gflops float64) string {
	return fmt.Sprintf("%d runs, %d epochs, %d sample passes, ~%.3g TFLOP, ~%s at %g GFLOP/s",
		w.Runs, w.Epochs, w.SamplePasses, w.FLOP/1e12, w.Time(gflops).Round(time.Second), gflops)
}

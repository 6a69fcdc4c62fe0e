package harness

import (
	"fmt"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/models"
)

// trainPassCost is the cost of a training example relative to a forward
// pass: the forward pass, the backward pass to the inputs and the one to
// the weights, each about one forward's multiply-adds.
const trainPassCost = 3

// DefaultGFLOPS is the sustained whole-machine training throughput that time
// estimates assume unless told otherwise, measured on this project's 2-core
// Intel machines (make bench): a ResNet-18 CIFAR-10 epoch (about 178 TFLOP)
// takes about 700 s on 2 threads, and two mlp runs at once each train an
// MNIST epoch (about 0.1 TFLOP) in about 0.84 s; both come to about 250
// GFLOP/s. The 2-core AMD Zen 4 machines sustain about 135 on the MLP and,
// with the Winograd convolutions (which do fewer multiply-adds than these
// counts), the equivalent of about 185 on ResNet-18 (955 s an epoch), so
// estimates there are 0.55-0.75 of the time taken; plan's --gflops gives
// another rate.
const DefaultGFLOPS = 250.0

// Work estimates the compute of a set of runs.
type Work struct {
	Runs         int
	Epochs       int     // training epochs over all runs
	SamplePasses int64   // training examples seen plus test examples evaluated
	FLOP         float64 // approximate floating-point operations
}

// Estimate returns the work of training jobs in full: every epoch trains on
// the run's (sub)set and evaluates the whole test set, at the forward cost
// models.ForwardFLOPs counts. It panics on a job of an unknown dataset or
// model, which an expanded spec never has.
func Estimate(jobs []spec.Job) Work {
	var w Work
	e := estimator{}
	for _, j := range jobs {
		r := e.run(j)
		w.Runs += r.Runs
		w.Epochs += r.Epochs
		w.SamplePasses += r.SamplePasses
		w.FLOP += r.FLOP
	}
	return w
}

// estimator estimates single runs as Estimate does, finding each model's
// forward cost once: the forward FLOPs by model name.
type estimator map[string]float64

// run returns the work of training job j in full.
func (e estimator) run(j spec.Job) Work {
	c := j.Config
	info, err := data.Describe(c.Dataset)
	if err != nil {
		panic("harness: Estimate: " + err.Error())
	}
	f, ok := e[c.Model]
	if !ok {
		if f, err = models.ForwardFLOPs(c.Model); err != nil {
			panic("harness: Estimate: " + err.Error())
		}
		e[c.Model] = f
	}
	train := int64(data.SubsetSize(info.Train, c.Fraction))
	test := int64(info.Test)
	return Work{
		Runs:         1,
		Epochs:       c.Epochs,
		SamplePasses: (train + test) * int64(c.Epochs),
		FLOP:         float64(c.Epochs) * f * float64(trainPassCost*train+test),
	}
}

// left estimates the FLOP left in the run of j when done of its epochs are
// finished: their share of run's.
func (e estimator) left(j spec.Job, done int) float64 {
	epochs := j.Config.Epochs
	return e.run(j).FLOP * float64(max(epochs-done, 0)) / float64(max(epochs, 1))
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

package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/models"
	"github.com/neuroplastic/neuroplastic/models/kernel"
	"github.com/neuroplastic/neuroplastic/optim"
)

// trainer trains runs for a pool; its workers share it.
type trainer struct {
	results   string
	threads   int // kernel goroutines per run
	prog      progress
	stopAfter int // if > 0, train at most this many epochs of a run (verify)
}

// divergence is a run that ended diverged, and why.
type divergence struct{ reason string }

func (d *divergence) Error() string { return d.reason }

// train trains job on ds from its last checkpoint (or from scratch) to its
// last epoch, appending a metrics line and writing a checkpoint after every
// epoch. It returns a *divergence error when the training loss or a gradient
// becomes non-finite, ctx.Err() when cancelled between batches (the run stays
// partial) and any other error as is (the run failed). Numbers depend only on
// job.Config: all randomness comes from rng.Stream(seed, purpose, epoch).
func (t *trainer) train(ctx context.Context, worker int, job spec.Job, ds *data.Dataset) (err error) {
	c := job.Config
	dir := store.RunDir(t.results, c.Study, job.ID)
	saver := checkpointer{dir: dir}
	defer func() {
		// Whatever ends the run, its last checkpoint write is over before
		// the run's lock is released; its error is the run's error unless
		// the run already ended with another (then a resume starts from
		// the checkpoint before).
		if werr := saver.wait(); err == nil {
			err = werr
		}
	}()
	eng := kernel.New(t.threads)
	net, err := models.New(c.Model, c.BatchSize, uint64(c.Seed), eng)
	if err != nil {
		return err
	}
	if in, tr := net.InputShape(), ds.Train; in != [3]int{tr.C, tr.H, tr.W} {
		return fmt.Errorf("harness: model %s takes %dx%dx%d inputs, dataset %s has %dx%dx%d", c.Model, in[0], in[1], in[2], c.Dataset, tr.C, tr.H, tr.W)
	}
	opt, err := optim.New(net.Params(), job.Optimizer, c.Epochs)
	if err != nil {
		return err
	}
	done, err := resume(dir, net, opt)
	if err != nil {
		return err
	}
	info, err := data.Describe(c.Dataset)
	if err != nil {
		return err
	}
	indices, val := trainingSet(ds.Train.N, c)
	trainL := data.NewLoader(ds.Train, indices, c.BatchSize, uint64(c.Seed), info.Augmented)
	testL := data.NewLoader(ds.Test, nil, c.BatchSize, uint64(c.Seed), false)
	var valL *data.Loader
	if val != nil {
		valL = data.NewLoader(ds.Train, val, c.BatchSize, uint64(c.Seed), false)
	}
	t.prog.runStarted(worker, job, done)
	last := c.Epochs
	if t.stopAfter > 0 {
		last = min(last, t.stopAfter)
	}
	for e := done + 1; e <= last; e++ {
		start := time.Now()
		net.BeginEpoch(e)
		trainL.Epoch(e)
		var lossSum float64
		var correct, n int
		for x, y, ok := trainL.Next(); ok; x, y, ok = trainL.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			loss, k := net.TrainStep(x, y)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return &divergence{fmt.Sprintf("non-finite training loss at epoch %d", e)}
			}
			if err := opt.Step(e); errors.Is(err, optim.ErrNonFinite) {
				return &divergence{fmt.Sprintf("epoch %d: %v", e, err)}
			} else if err != nil {
				return err
			}
			lossSum += float64(loss * float64(len(y))) // rounded before the add: no fused multiply-add on any platform
			correct += k
			n += len(y)
		}
		m := store.EpochMetrics{Epoch: e, TrainLoss: lossSum / float64(n), TrainAcc: float64(correct) / float64(n)}
		m.TestLoss, m.TestAcc = evaluate(net, testL)
		if math.IsNaN(m.TestLoss) || math.IsInf(m.TestLoss, 0) {
			return &divergence{fmt.Sprintf("non-finite test loss at epoch %d", e)}
		}
		if valL != nil {
			m.ValLoss, m.ValAcc = evaluate(net, valL)
			if math.IsNaN(m.ValLoss) || math.IsInf(m.ValLoss, 0) {
				return &divergence{fmt.Sprintf("non-finite validation loss at epoch %d", e)}
			}
		}
		if d, ok := opt.(optim.Diagnoser); ok {
			m.Diagnostics = d.EpochDiagnostics()
		}
		m.WallSeconds = time.Since(start).Seconds()
		if err := saver.save(m, net, opt); err != nil {
			return err
		}
		t.prog.epochDone(worker, job, m)
	}
	return nil
}

// trainingSet returns the training examples of a run with configuration c
// on a training split of n examples (nil: all of them) and its validation
// hold-out (nil: none). With c.Holdout > 0 the hold-out is
// data.Holdout's, the same for every seed, and the run's data fraction is
// drawn from the rest: data.Subset over the remaining examples.
func trainingSet(n int, c store.RunConfig) (train, val []int) {
	if c.Holdout > 0 {
		train, val = data.Holdout(n, c.Holdout)
		n = len(train)
	}
	if c.Fraction == 1 {
		return train, val
	}
	sub := data.Subset(n, c.Fraction, c.Seed)
	if train != nil {
		for i, k := range sub {
			sub[i] = train[k]
		}
	}
	return sub, val
}

// evaluate returns the mean loss and the accuracy of net over the whole
// split of l, in order, weighting each batch by its size.
func evaluate(net *models.Net, l *data.Loader) (loss, acc float64) {
	l.Epoch(0)
	var correct, n int
	for x, y, ok := l.Next(); ok; x, y, ok = l.Next() {
		bl, k := net.Evaluate(x, y)
		loss += float64(bl * float64(len(y))) // rounded before the add, as above
		correct += k
		n += len(y)
	}
	return loss / float64(n), float64(correct) / float64(n)
}

// resume restores net and opt from the run's checkpoint, if any, discards
// metrics lines beyond it, and returns the number of epochs done.
func resume(dir string, net *models.Net, opt optim.Optimizer) (int, error) {
	ck, ok, err := store.ReadCheckpoint(dir)
	if err != nil {
		return 0, fmt.Errorf("%w (`neuroplastic check --repair` moves the run aside)", err)
	}
	if ok {
		if err := net.UnmarshalBinary(ck.Model); err != nil {
			return 0, fmt.Errorf("harness: %s: restoring the model: %w", dir, err)
		}
		if err := opt.UnmarshalBinary(ck.Optimizer); err != nil {
			return 0, fmt.Errorf("harness: %s: restoring the optimizer: %w", dir, err)
		}
	}
	_, err = store.TruncateMetrics(dir, ck.Epoch)
	return ck.Epoch, err
}

// checkpointer saves a run's epochs: it appends each epoch's metrics and
// then writes its checkpoint in the background, so that writing and syncing
// the checkpoint (4 MB for the mlp with NeuroPlastic) overlaps the next
// epoch's training. One write is pending at most.
type checkpointer struct {
	dir     string
	pending chan error // the result of the write in flight; nil if none
	// The snapshot's buffers, reused every epoch once the write that reads
	// them is over: fresh ones would fault in 4 MB of new pages each time.
	model, opt []byte
}

// save waits for the previous checkpoint, appends m to the run's metrics
// and starts writing the checkpoint of m's epoch from a snapshot of net and
// opt, in that order (see package store): the metrics are never behind the
// checkpoint, and a run killed between the two resumes from the checkpoint
// and drops the metrics past it.
func (c *checkpointer) save(m store.EpochMetrics, net *models.Net, opt optim.Optimizer) error {
	if err := c.wait(); err != nil {
		return err
	}
	if err := store.AppendMetrics(c.dir, m); err != nil {
		return err
	}
	var err error
	if c.model, err = net.AppendBinary(c.model[:0]); err != nil {
		return fmt.Errorf("harness: saving the model: %w", err)
	}
	if c.opt, err = opt.AppendBinary(c.opt[:0]); err != nil {
		return fmt.Errorf("harness: saving the optimizer: %w", err)
	}
	ck := store.Checkpoint{ID: filepath.Base(c.dir), Epoch: m.Epoch, Model: c.model, Optimizer: c.opt}
	done := make(chan error, 1)
	go func() { done <- store.WriteCheckpoint(c.dir, ck) }()
	c.pending = done
	return nil
}

// wait returns once no checkpoint write is in flight, with the error of the
// last one.
func (c *checkpointer) wait() error {
	if c.pending == nil {
		return nil
	}
	err := <-c.pending
	c.pending = nil
	return err
}

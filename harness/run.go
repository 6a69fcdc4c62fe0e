package harness

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// RunOptions configure Run.
type RunOptions struct {
	// Results is the results directory; runs go to <Results>/runs/<study>/<id>/.
	Results string
	// Workers is the number of runs trained at once; <= 0 means
	// runtime.NumCPU(). Each run's kernels get max(1, NumCPU/workers)
	// goroutines, so workers x threads <= cores.
	Workers int
	// Retries is how many more times a failed run is attempted within this
	// call (a failed run is attempted again on the next call too).
	Retries int
	// DataDir is the data directory passed to data.Load ("" = its default).
	DataDir string
	// LoadData, if not nil, replaces data.Load (and data.Check, when
	// deciding whether a study's data is missing). Tests use it.
	LoadData func(name string) (*data.Dataset, error)
	// Log receives progress and messages; nil discards them.
	Log io.Writer
	// Bars shows live progress bars on Log (a terminal) instead of one
	// plain line per finished epoch and run.
	Bars bool
}

// Result counts what Run did with its jobs.
type Result struct {
	AlreadyDone int // completed or diverged before this call; not run again
	Completed   int
	Diverged    int
	Failed      int
	Skipped     int // dataset missing
	Interrupted int // stopped by cancellation; partial, resumed next time
	Held        int // being trained by another process; left to it
	Repaired    int // found damaged and repaired (resumed or moved aside and retrained)
}

// outcome is how one attempt at a run ended.
type outcome int

const (
	outCompleted outcome = iota
	outDiverged
	outFailed
	outSkipped
	outInterrupted
	outHeld
	outAlreadyDone
)

// Run trains the jobs that are not completed or diverged yet, resuming
// partial ones from their checkpoints, with o.Workers runs at once. A run is
// trained only under its lock (store.TryLock), so any number of processes
// may share one results directory: a run another process holds is left to
// it and listed at the end, and a run is checked again once locked, so
// nothing completed is trained twice. A damaged run is repaired first
// (store.Repair). A run that fails (an error or a panic, recorded with its
// message in its summary) does not stop the others; it is retried up to
// o.Retries times. Runs whose dataset is missing are skipped with one line
// per dataset. Runs start longest first (by the work left in them, see
// Estimate). A run whose files cannot be read is left alone, and so are
// the others' leftovers it cannot tidy; the error names them. Run returns
// an error if any run failed, was skipped or could not be read, or ctx was
// cancelled, after all workers stopped.
func Run(ctx context.Context, jobs []spec.Job, o RunOptions) (Result, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	var res Result
	var todo []spec.Job
	left := map[string]float64{} // the work left in each run to do, by ID
	var unreadable []error       // runs whose state could not be read or tidied
	e := estimator{}
	for _, j := range jobs {
		dir := store.RunDir(o.Results, j.Config.Study, j.ID)
		r, err := store.LoadRun(dir)
		if err != nil {
			unreadable = append(unreadable, err)
			continue
		}
		if r.Status == store.Completed || r.Status == store.Diverged {
			res.AlreadyDone++
			if len(r.Leftovers) > 0 {
				if err := tidy(dir); err != nil {
					unreadable = append(unreadable, err)
				}
			}
			continue
		}
		todo = append(todo, j)
		left[j.ID] = e.left(j, len(r.Metrics))
	}
	// Longest first: the last runs to start are the shortest, so no worker
	// waits long for the others at the end. Equal runs keep their order.
	slices.SortStableFunc(todo, func(a, b spec.Job) int { return cmp.Compare(left[b.ID], left[a.ID]) })
	res, err := runAll(ctx, todo, o, res)
	return res, errors.Join(append(unreadable, err)...)
}

// runAll trains the runs of todo with o.Workers runs at once, adding to res
// what became of them, as Run describes.
func runAll(ctx context.Context, todo []spec.Job, o RunOptions, res Result) (Result, error) {
	if len(todo) == 0 {
		fmt.Fprintf(o.Log, "nothing to do: %d runs already done\n", res.AlreadyDone)
		return res, nil
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, len(todo))
	p := &pool{
		opts:     o,
		trainer:  trainer{results: o.Results, threads: max(1, runtime.NumCPU()/workers)},
		manifest: baseManifest(),
		missing:  map[string]error{},
	}
	p.trainer.prog = newProgress(o.Log, o.Bars, workers, todo)
	ch := make(chan spec.Job)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for j := range ch {
				out := p.run(ctx, w, j)
				p.mu.Lock()
				*res.count(out)++
				p.mu.Unlock()
			}
		})
	}
feed:
	for _, j := range todo {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	p.trainer.prog.close()
	res.Repaired = p.repaired
	fmt.Fprintf(o.Log, "done: %d completed, %d diverged, %d failed, %d skipped (data missing), %d already done",
		res.Completed, res.Diverged, res.Failed, res.Skipped, res.AlreadyDone)
	if res.Repaired > 0 {
		fmt.Fprintf(o.Log, ", %d repaired", res.Repaired)
	}
	if res.Held > 0 {
		fmt.Fprintf(o.Log, ", %d held by other processes", res.Held)
	}
	if res.Interrupted > 0 || ctx.Err() != nil {
		fmt.Fprintf(o.Log, ", interrupted (rerun to resume)")
	}
	fmt.Fprintln(o.Log)
	for _, h := range p.held {
		fmt.Fprintf(o.Log, "  held: %s\n", h)
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("harness: interrupted: %w", err)
	}
	if res.Failed > 0 {
		return res, fmt.Errorf("harness: %d of %d runs failed; the first: %s", res.Failed, len(todo), p.firstFailure)
	}
	if res.Skipped > 0 {
		return res, fmt.Errorf("harness: %d of %d runs skipped: their data is missing", res.Skipped, len(todo))
	}
	return res, nil
}

// count returns the counter of out.
func (r *Result) count(out outcome) *int {
	switch out {
	case outCompleted:
		return &r.Completed
	case outDiverged:
		return &r.Diverged
	case outFailed:
		return &r.Failed
	case outSkipped:
		return &r.Skipped
	case outInterrupted:
		return &r.Interrupted
	case outHeld:
		return &r.Held
	default:
		return &r.AlreadyDone
	}
}

// pool is the shared state of one Run call.
type pool struct {
	opts     RunOptions
	trainer  trainer
	manifest store.Manifest // the fields that are the same for every run

	mu           sync.Mutex
	missing      map[string]error // datasets found missing, by name
	held         []string         // runs other processes hold: "id label (holder)"
	firstFailure string           // the error of the first failed run
	repaired     int
}

// run makes up to 1+Retries attempts at job and returns how it ended.
func (p *pool) run(ctx context.Context, worker int, j spec.Job) outcome {
	for attempt := 0; ; attempt++ {
		out := p.attempt(ctx, worker, j)
		if out != outFailed || attempt >= p.opts.Retries || ctx.Err() != nil {
			return out
		}
	}
}

// attempt locks job's run, repairs it if it is damaged, trains it once and
// records how it ended in its summary.json.
func (p *pool) attempt(ctx context.Context, worker int, j spec.Job) (out outcome) {
	dir := store.RunDir(p.opts.Results, j.Config.Study, j.ID)
	var ds *data.Dataset
	lerr := p.protect(j, func() (err error) {
		ds, err = p.load(j.Config.Dataset)
		return err
	})
	if errors.Is(lerr, data.ErrMissing) {
		return outSkipped // before locking, so no directory is made for it
	}
	lock, prev, out, err := p.lock(dir, j)
	if lock == nil {
		if err != nil {
			p.failed(j, err)
		}
		return out
	}
	defer lock.Unlock()
	start := time.Now()
	err = p.protect(j, func() error {
		if err := prepare(dir, j, prev); err != nil {
			return err
		}
		if lerr != nil {
			return lerr
		}
		return p.trainer.train(ctx, worker, j, ds)
	})
	status, msg := store.Completed, ""
	var div *divergence
	switch {
	case err == nil:
		out = outCompleted
	case errors.As(err, &div):
		status, msg, out = store.Diverged, div.reason, outDiverged
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		p.trainer.prog.runEnded(worker, j, "interrupted", "")
		return outInterrupted
	default:
		status, msg, out = store.Failed, err.Error(), outFailed
	}
	attempts := 1
	if prev != nil {
		attempts += prev.Attempts
	}
	if err := p.writeSummary(dir, j, status, msg, attempts, start); err != nil {
		status, msg, out = store.Failed, err.Error(), outFailed
	}
	if out == outFailed {
		p.failed(j, errors.New(msg))
	}
	p.trainer.prog.runEnded(worker, j, status, msg)
	return out
}

// protect calls f, turning a panic into an error. It is the only place
// that recovers panics.
func (p *pool) protect(j spec.Job, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			p.logf("%s %s panicked: %v\n%s", j.ID, j.Config.Label, r, debug.Stack())
		}
	}()
	return f()
}

// lock takes the lock of the run in dir and readies it for training: it
// repairs damage (taking the lock again when the run was moved aside) and
// removes leftovers. lock is nil when the run is not to be trained here, out
// then says why (err is a failure to record). prev is the summary of an
// earlier failed attempt, if any.
func (p *pool) lock(dir string, j spec.Job) (lock *store.Lock, prev *store.Summary, out outcome, err error) {
	for {
		lock, err := store.TryLock(dir)
		var held *store.HeldError
		if errors.As(err, &held) {
			p.mu.Lock()
			p.held = append(p.held, fmt.Sprintf("%s %s (%s)", j.ID, j.Config.Label, held.Holder))
			p.mu.Unlock()
			return nil, nil, outHeld, nil
		}
		if err != nil {
			return nil, nil, outFailed, err
		}
		r, err := store.LoadRun(dir)
		if err == nil && r.Damage != nil {
			p.logf("%s %s is damaged: %s; repairing: %s", j.ID, j.Config.Label, r.Damage.Reason, r.Damage.Fix)
			var moved string
			if moved, err = store.Repair(dir, r); err == nil && moved != "" {
				p.countRepair()
				lock.Unlock()
				continue // the run starts afresh in a new directory
			}
			if err == nil {
				p.countRepair()
				r, err = store.LoadRun(dir)
			}
		}
		if err == nil {
			err = store.Tidy(r)
		}
		switch {
		case err != nil:
			lock.Unlock()
			return nil, nil, outFailed, err
		case r.Status == store.Completed || r.Status == store.Diverged:
			lock.Unlock() // another process finished it since we looked
			return nil, nil, outAlreadyDone, nil
		}
		return lock, r.Summary, 0, nil
	}
}

// countRepair counts a repaired run.
func (p *pool) countRepair() {
	p.mu.Lock()
	p.repaired++
	p.mu.Unlock()
}

// failed remembers the first failure's message for Run's error.
func (p *pool) failed(j spec.Job, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.firstFailure == "" {
		p.firstFailure = fmt.Sprintf("%s %s/%s: %v", j.ID, j.Config.Study, j.Config.Label, err)
	}
}

// tidy removes the leftovers of the final run in dir under its lock; a held
// run is left alone (its holder tidies it).
func tidy(dir string) error {
	lock, err := store.TryLock(dir)
	var held *store.HeldError
	if errors.As(err, &held) {
		return nil
	}
	if err != nil {
		return err
	}
	defer lock.Unlock()
	r, err := store.LoadRun(dir)
	if err != nil {
		return err
	}
	return store.Tidy(r)
}

// loadData returns the dataset name from o.LoadData or data.Load.
func (o RunOptions) loadData(name string) (*data.Dataset, error) {
	if o.LoadData != nil {
		return o.LoadData(name)
	}
	return data.Load(name, data.Options{Dir: o.DataDir, Log: o.Log})
}

// load returns the dataset name, remembering missing datasets so each is
// reported once and not looked for again.
func (p *pool) load(name string) (*data.Dataset, error) {
	p.mu.Lock()
	err, known := p.missing[name]
	p.mu.Unlock()
	if known {
		return nil, err
	}
	ds, err := p.opts.loadData(name)
	if errors.Is(err, data.ErrMissing) {
		p.mu.Lock()
		if _, dup := p.missing[name]; !dup {
			p.missing[name] = err
			p.logf("skipping every run on dataset %s: it is missing (get it with `neuroplastic data`): %v", name, err)
		}
		p.mu.Unlock()
	}
	return ds, err
}

// logf prints one message line through the progress display.
func (p *pool) logf(format string, args ...any) {
	p.trainer.prog.message(fmt.Sprintf(format, args...))
}

// prepare readies a locked run's directory for an attempt: it writes
// config.json and removes the summary.json of an earlier failed attempt
// (prev; never a final one: those are not attempted).
func prepare(dir string, j spec.Job, prev *store.Summary) error {
	if err := store.WriteJSON(filepath.Join(dir, store.ConfigFile), j.Config); err != nil {
		return err
	}
	if prev == nil {
		return nil
	}
	if prev.Status != store.Failed {
		panic(fmt.Sprintf("harness: preparing run %s whose status is %s", j.ID, prev.Status))
	}
	if err := os.Remove(filepath.Join(dir, store.SummaryFile)); err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	return nil
}

// writeSummary writes summary.json of a run that ended with status, from the
// metrics on disk. A run that ended for good (completed or diverged) no
// longer needs its checkpoint, which is removed.
func (p *pool) writeSummary(dir string, j spec.Job, status, msg string, attempts int, start time.Time) error {
	ms, err := store.ReadMetrics(dir)
	if err != nil {
		return err
	}
	s := store.Summary{ID: j.ID, Status: status, Error: msg, EpochsDone: len(ms), Attempts: attempts, Manifest: p.manifest}
	s.Manifest.ConfigHash = spec.ConfigHash(j.Config)
	s.Manifest.Threads = p.trainer.threads
	s.Manifest.Start, s.Manifest.End = start, time.Now()
	s.Manifest.WallSeconds = s.Manifest.End.Sub(start).Seconds()
	s.BestAcc, s.BestEpoch = store.Best(ms)
	if len(ms) > 0 {
		s.Final = &ms[len(ms)-1]
	}
	if err := store.WriteJSON(filepath.Join(dir, store.SummaryFile), s); err != nil {
		return err
	}
	if status == store.Completed || status == store.Diverged {
		return store.RemoveCheckpoint(dir)
	}
	return nil
}

// baseManifest returns the manifest fields shared by the runs of one
// process: git commit and dirty flag (empty when git or the repository is
// not there), Go version, architecture, kernel variant and host.
func baseManifest() store.Manifest {
	m := store.Manifest{
		GoVersion: runtime.Version(),
		GOARCH:    runtime.GOARCH,
		Kernel:    kernel.New(1).Variant(),
	}
	m.Host, _ = os.Hostname()
	if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		m.GitCommit = strings.TrimSpace(string(out))
		if out, err := exec.Command("git", "status", "--porcelain").Output(); err == nil {
			m.GitDirty = len(strings.TrimSpace(string(out))) > 0
		}
	}
	return m
}

package harness

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

// IsTerminal reports whether w is a terminal, where Run can show bars.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress reports a pool's progress. Its methods are safe for concurrent use.
type progress interface {
	runStarted(worker int, j spec.Job, epochsDone int)
	epochDone(worker int, j spec.Job, m store.EpochMetrics)
	runEnded(worker int, j spec.Job, status, msg string)
	message(line string)
	close()
}

// newProgress returns bars on a terminal, else plain log lines.
func newProgress(w io.Writer, bars bool, workers int, jobs []spec.Job) progress {
	if bars {
		return newBars(w, workers, jobs)
	}
	return &plain{w: w}
}

// runName identifies a run in progress output, where the runs of several
// studies may alternate.
func runName(j spec.Job) string {
	c := j.Config
	return fmt.Sprintf("%s %s/%s %s f=%g seed=%d", j.ID, c.Study, c.Label, c.Dataset, c.Fraction, c.Seed)
}

// plain writes one line per finished epoch and per finished run, and never a
// carriage return, so logs of CI and batch jobs stay readable.
type plain struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *plain) println(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, s)
}

func (p *plain) runStarted(int, spec.Job, int) {}

func (p *plain) epochDone(_ int, j spec.Job, m store.EpochMetrics) {
	p.println(fmt.Sprintf("%s: epoch %d/%d train_loss=%.4f train_acc=%.4f test_loss=%.4f test_acc=%.4f (%.1fs)",
		runName(j), m.Epoch, j.Config.Epochs, m.TrainLoss, m.TrainAcc, m.TestLoss, m.TestAcc, m.WallSeconds))
}

func (p *plain) runEnded(_ int, j spec.Job, status, msg string) {
	line := runName(j) + ": " + status
	if msg != "" {
		line += ": " + msg
	}
	p.println(line)
}

func (p *plain) message(line string) { p.println(line) }

func (p *plain) close() {}

// bars shows one bar per worker (the run it trains, in epochs) and an
// overall bar in epochs with an ETA.
type bars struct {
	p       *mpb.Progress
	total   *mpb.Bar
	workers []*mpb.Bar
	mu      sync.Mutex
	names   []string // per worker, the run it trains
	last    []time.Time
}

func newBars(w io.Writer, workers int, jobs []spec.Job) *bars {
	b := &bars{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(40)), names: make([]string, workers), last: make([]time.Time, workers)}
	for i := range workers {
		b.workers = append(b.workers, b.p.AddBar(0,
			mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
				b.mu.Lock()
				defer b.mu.Unlock()
				return fmt.Sprintf("worker %d %-56.56s", i, b.names[i])
			})),
			mpb.AppendDecorators(decor.CountersNoUnit("epoch %d/%d"))))
	}
	var epochs int64
	for _, j := range jobs {
		epochs += int64(j.Config.Epochs)
	}
	b.total = b.p.AddBar(0,
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("all %d runs", len(jobs)), decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.CountersNoUnit("%d/%d epochs "), decor.EwmaETA(decor.ET_STYLE_GO, 30)))
	b.total.SetTotal(epochs, false)
	return b
}

func (b *bars) runStarted(w int, j spec.Job, done int) {
	b.mu.Lock()
	b.names[w] = fmt.Sprintf("%s/%s f=%g seed=%d", j.Config.Study, j.Config.Label, j.Config.Fraction, j.Config.Seed)
	b.last[w] = time.Now()
	b.mu.Unlock()
	b.workers[w].SetTotal(int64(j.Config.Epochs), false)
	b.workers[w].SetCurrent(int64(done))
	b.total.IncrBy(done)
}

func (b *bars) epochDone(w int, _ spec.Job, _ store.EpochMetrics) {
	b.mu.Lock()
	dur := time.Since(b.last[w])
	b.last[w] = time.Now()
	b.mu.Unlock()
	b.workers[w].Increment()
	b.total.EwmaIncrement(dur)
}

func (b *bars) runEnded(_ int, j spec.Job, status, msg string) {
	if status != store.Completed {
		b.message(runName(j) + ": " + strings.TrimSuffix(status+": "+msg, ": "))
	}
}

func (b *bars) message(line string) {
	fmt.Fprintln(b.p, line)
}

func (b *bars) close() {
	for _, w := range b.workers {
		w.SetTotal(-1, true)
	}
	b.total.SetTotal(-1, true)
	b.p.Wait()
}

// DownloadBars returns a data.ProgressFunc that draws a progress bar on w (a
// terminal) for each download of data.Fetch.
func DownloadBars(w io.Writer) data.ProgressFunc {
	return func(r io.Reader, size int64, label string) (io.Reader, func(error)) {
		p := mpb.New(mpb.WithOutput(w), mpb.WithWidth(40))
		bar := p.AddBar(max(size, 0),
			mpb.PrependDecorators(decor.Name(path.Base(label), decor.WC{C: decor.DindentRight | decor.DextraSpace})),
			mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f"), decor.Percentage(decor.WC{W: 6})),
		)
		pr, err := bar.ProxyReader(r)
		if err != nil { // only for a completed bar, which a new one is not
			panic("harness: progress bar: " + err.Error())
		}
		return pr, func(err error) {
			if err != nil {
				bar.Abort(false)
			} else {
				bar.SetTotal(-1, true)
			}
			p.Wait()
		}
	}
}

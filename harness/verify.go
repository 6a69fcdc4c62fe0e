package harness

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/records"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/models"
	"github.com/neuroplastic/neuroplastic/optim"
)

// DefaultVerifyBudget is the estimated training time (at DefaultGFLOPS) a
// verified run may take; a longer run is re-trained for its first epochs
// only, as many as fit but at least one. The run keeps its configuration
// (its epoch count included) and merely stops early, so its first epochs
// are exactly those of the whole run.
const DefaultVerifyBudget = 10 * time.Second

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Results is the results directory whose records/ are checked.
	Results string
	// Budget caps each run's estimated training time (see
	// DefaultVerifyBudget); <= 0 means DefaultVerifyBudget.
	Budget time.Duration
	// Run configures the re-training: DataDir, LoadData and Log (progress)
	// are used; the runs train one after the other on every core, in a
	// temporary directory removed afterwards.
	Run RunOptions
	// Out receives one line per checked run.
	Out io.Writer
}

// Verify re-trains a handful of the runs published under o.Results/records,
// one per model and optimizer (name and mode) with published completed
// runs, the cheapest of each by estimated work, and compares every
// per-epoch metric but wall time with the record, byte for byte as JSON. It
// prints "identical" per run or the first epoch and value that differ, and
// returns an error if any differs, if a record is of another numerics
// version than this build's, or if no run could be checked (every dataset
// missing). Runs whose dataset is missing are listed as skipped.
func Verify(ctx context.Context, o VerifyOptions) error {
	all, err := records.ReadAll(o.Results)
	if err != nil {
		return err
	}
	picks := pickRuns(all)
	if len(picks) == 0 {
		return fmt.Errorf("harness: no completed runs published in %s/%s: nothing to verify", o.Results, records.Dir)
	}
	tmp, err := os.MkdirTemp("", "neuroplastic-verify-")
	if err != nil {
		return fmt.Errorf("harness: %w", err)
	}
	defer os.RemoveAll(tmp)
	log := o.Run.Log
	if log == nil {
		log = io.Discard
	}
	budget := cmp.Or(max(o.Budget, 0), DefaultVerifyBudget)
	var failures []string
	checked := 0
	for _, rec := range picks {
		if why := notComparable(rec); why != "" {
			fmt.Fprintf(o.Out, "not comparable  %s: %s\n", rec.Describe(), why)
			failures = append(failures, rec.ID)
			continue
		}
		epochs := prefixEpochs(rec.Config, budget)
		what := fmt.Sprintf("%s, epochs 1-%d of %d", rec.Describe(), epochs, rec.Config.Epochs)
		d, err := retrain(ctx, o.Run, tmp, rec, epochs, log)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, data.ErrMissing):
			fmt.Fprintf(o.Out, "skipped  %s: %v\n", what, err)
			continue
		case err != nil:
			d = err.Error()
		default:
			checked++
		}
		if d != "" {
			fmt.Fprintf(o.Out, "DIFFERS  %s: %s\n", what, d)
			failures = append(failures, rec.ID)
			continue
		}
		fmt.Fprintf(o.Out, "identical  %s\n", what)
	}
	switch {
	case len(failures) > 0:
		return fmt.Errorf("harness: %d of %d verified runs differ from their records: %s",
			len(failures), len(picks), strings.Join(failures, ", "))
	case checked == 0:
		return errors.New("harness: no run could be re-trained (datasets missing): nothing verified")
	}
	fmt.Fprintf(o.Out, "%d runs identical to their committed records\n", checked)
	return nil
}

// retrain trains the first epochs of the record's run from scratch under
// the results directory tmp, on every core, and returns "" when its
// metrics equal the record's, else the first difference. The error is
// data.ErrMissing when the dataset is missing, or why the run could not be
// trained.
func retrain(ctx context.Context, o RunOptions, tmp string, rec records.Record, epochs int, log io.Writer) (string, error) {
	opt, err := optim.DecodeConfig(rec.Config.Optimizer)
	if err != nil {
		return "", err
	}
	ds, err := o.loadData(rec.Config.Dataset)
	if err != nil {
		return "", err
	}
	job := spec.Job{ID: rec.ID, Optimizer: opt, Config: rec.Config}
	dir := store.RunDir(tmp, rec.Config.Study, rec.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	t := trainer{results: tmp, threads: runtime.NumCPU(), prog: newProgress(log, false, 1, []spec.Job{job}), stopAfter: epochs}
	terr := t.train(ctx, 0, job, ds)
	t.prog.close()
	var div *divergence
	if terr != nil && !errors.As(terr, &div) {
		return "", fmt.Errorf("the re-run failed: %w", terr)
	}
	ms, err := store.ReadMetrics(dir)
	if err != nil {
		return "", err
	}
	if d := records.Diff(rec.Metrics[:epochs], ms); d != "" {
		return d, nil
	}
	if div != nil {
		return "the re-run diverged: " + div.reason, nil
	}
	return "", nil
}

// notComparable returns why a record cannot be compared with a re-run by this
// build ("" when it can): its dataset and model must be known and its
// numerics version this build's (records.Read checks its ID).
func notComparable(rec records.Record) string {
	if err := unpriced(rec.Config); err != nil {
		return err.Error()
	}
	if v := models.Numerics(rec.Config.Model); rec.Config.Numerics != v {
		return fmt.Sprintf("recorded with numerics version %d, this build computes version %d for %s (re-run the study to publish current records)",
			rec.Config.Numerics, v, rec.Config.Model)
	}
	if len(rec.Metrics) != rec.Config.Epochs {
		return fmt.Sprintf("completed with %d of %d epochs recorded", len(rec.Metrics), rec.Config.Epochs)
	}
	return ""
}

// prefixEpochs returns how many leading epochs of a run with configuration
// c fit the time budget at DefaultGFLOPS: all of them, or as many as fit,
// at least one.
func prefixEpochs(c store.RunConfig, budget time.Duration) int {
	one := c
	one.Epochs = 1
	per := Estimate([]spec.Job{{Config: one}}).Time(DefaultGFLOPS)
	if per <= 0 {
		return c.Epochs
	}
	return max(1, min(c.Epochs, int(budget/per)))
}

// pickRuns returns, per model and optimizer (name and mode), the completed
// record with the least estimated work (ties: study, then ID), in the order
// of their keys.
func pickRuns(all map[string]map[string]records.Record) []records.Record {
	best := map[string]records.Record{}
	work := func(r records.Record) float64 {
		if unpriced(r.Config) != nil {
			return math.Inf(1) // not comparable: picked only when its group has nothing else
		}
		return Estimate([]spec.Job{{Config: r.Config}}).FLOP
	}
	for _, recs := range all {
		for _, r := range recs {
			if r.Status != store.Completed {
				continue
			}
			k := verifyKey(r.Config)
			b, ok := best[k]
			if !ok || cmp.Or(cmp.Compare(work(r), work(b)), strings.Compare(r.Config.Study, b.Config.Study), strings.Compare(r.ID, b.ID)) < 0 {
				best[k] = r
			}
		}
	}
	keys := make([]string, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	picks := make([]records.Record, len(keys))
	for i, k := range keys {
		picks[i] = best[k]
	}
	return picks
}

// verifyKey names a run's model and optimizer: model, optimizer name and
// mode (the mode is empty for optimizers that have none).
func verifyKey(c store.RunConfig) string {
	var opt struct {
		Name string `json:"name"`
		Mode string `json:"mode"`
	}
	// An undecodable optimizer keys as "": it is still verified, once.
	_ = json.Unmarshal(c.Optimizer, &opt)
	return c.Model + " " + opt.Name + " " + opt.Mode
}

// unpriced returns why Estimate cannot price a run of configuration c (an
// unknown dataset or model), or nil.
func unpriced(c store.RunConfig) error {
	if _, err := data.Describe(c.Dataset); err != nil {
		return err
	}
	_, err := models.ForwardFLOPs(c.Model)
	return err
}

package harness

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/records"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
	"github.com/neuroplastic/neuroplastic/models"
)

// tinySpec is the synthetic sweep the records tests run.
const tinySpec = "testdata/tiny.yaml"

// reproduceTiny runs Reproduce on the tiny spec (one fraction, the seeds of
// sets) into results and returns its log and error.
func reproduceTiny(t *testing.T, o ReproduceOptions) (string, error) {
	t.Helper()
	var log bytes.Buffer
	o.Specs = []string{tinySpec}
	o.Set = append([]string{"fractions=[0.5]"}, o.Set...)
	o.Run.Workers, o.Run.Log = 2, &log
	err := Reproduce(context.Background(), o)
	return log.String(), err
}

// alterRecords adds 0.001 to the epoch-2 test accuracy of every record of
// arm in the study's record file under results.
func alterRecords(t *testing.T, results, study, arm string) {
	t.Helper()
	path := records.Path(results, study)
	recs, err := records.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []records.Record
	for _, r := range recs {
		if r.Config.Arm == arm {
			r.Metrics[1].TestAcc += 0.001
		}
		out = append(out, r)
	}
	if err := records.Write(path, out); err != nil {
		t.Fatal(err)
	}
}

// TestReproduceChecksRecords checks that reproduce publishes the records,
// compares the runs it finishes with committed records, counts the
// identical ones, and reports and fails on a record that differs.
func TestReproduceChecksRecords(t *testing.T) {
	results := t.TempDir()
	set := []string{"seeds=[1]"}
	log, err := reproduceTiny(t, ReproduceOptions{Set: set, Run: RunOptions{Results: results}})
	if err != nil {
		t.Fatalf("Reproduce: %v\n%s", err, log)
	}
	if !strings.Contains(log, "checked 0 finished runs") || !strings.Contains(log, filepath.Join(results, "records", "tiny.jsonl")) {
		t.Errorf("the first reproduce checked runs or did not list its record file:\n%s", log)
	}
	// A fresh clone: the records are committed, the store is gone.
	if err := os.RemoveAll(filepath.Join(results, "runs")); err != nil {
		t.Fatal(err)
	}
	alterRecords(t, results, "tiny", "grad_only")
	log, err = reproduceTiny(t, ReproduceOptions{Set: set, Run: RunOptions{Results: results}})
	if err == nil || !strings.Contains(err.Error(), "1 runs differ from their committed records") {
		t.Errorf("Reproduce over an altered record: %v, want 1 run differing", err)
	}
	for _, want := range []string{
		"checked 3 finished runs against their committed records in " + filepath.Join(results, "records") + ": 2 identical, 1 differ",
		"differs from its committed record: tiny ",
		"(grad_only; mlp on synthetic, fraction 0.5, seed 1): epoch 2: test_acc: committed ",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestPoweredImports checks that the powered protocol runs seeds 41..40+n
// into its own directory, copying the finished runs of the paper protocol's
// store by ID instead of retraining them and leaving the source untouched.
func TestPoweredImports(t *testing.T) {
	main, powered := t.TempDir(), t.TempDir()
	if log, err := reproduceTiny(t, ReproduceOptions{Set: []string{"seeds=[41]"}, Run: RunOptions{Results: main}}); err != nil {
		t.Fatalf("Reproduce: %v\n%s", err, log)
	}
	before, err := os.ReadDir(filepath.Join(main, "runs", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	log, err := reproduceTiny(t, ReproduceOptions{Seeds: 2, Import: main, Studies: []string{"tiny"}, Run: RunOptions{Results: powered}})
	if err != nil {
		t.Fatalf("powered Reproduce: %v\n%s", err, log)
	}
	if !strings.Contains(log, "study tiny: copied 3 finished runs from "+filepath.Join(main, "runs")) ||
		!strings.Contains(log, "done: 3 completed, 0 diverged, 0 failed, 0 skipped (data missing), 3 already done") {
		t.Errorf("want 3 runs copied and 3 trained:\n%s", log)
	}
	runs, err := store.LoadStudy(powered, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	var seeds []int64
	for _, r := range runs {
		if r.Status != store.Completed {
			t.Errorf("run %s: %s", r.ID, r.Status)
		}
		if !slices.Contains(seeds, r.Config.Seed) {
			seeds = append(seeds, r.Config.Seed)
		}
		if r.Config.Seed == 41 {
			src, err := os.ReadFile(filepath.Join(store.RunDir(main, "tiny", r.ID), store.MetricsFile))
			dst, err2 := os.ReadFile(filepath.Join(store.RunDir(powered, "tiny", r.ID), store.MetricsFile))
			if err != nil || err2 != nil || !bytes.Equal(src, dst) {
				t.Errorf("run %s was not copied from the paper store: %v %v", r.ID, err, err2)
			}
		}
	}
	slices.Sort(seeds)
	if !slices.Equal(seeds, []int64{41, 42}) || len(runs) != 6 {
		t.Errorf("powered runs: %d with seeds %v, want 6 with seeds 41 and 42", len(runs), seeds)
	}
	after, err := os.ReadDir(filepath.Join(main, "runs", "tiny"))
	if err != nil || len(after) != len(before) {
		t.Errorf("the paper store changed: %d runs, then %d (%v)", len(before), len(after), err)
	}
	if _, err := os.Stat(records.Path(powered, "tiny")); err != nil {
		t.Errorf("the powered protocol published no records: %v", err)
	}
}

// TestVerify checks that verify re-trains one run per model and optimizer
// from the records alone, finds them identical, and reports an altered
// record as different with its epoch and value.
func TestVerify(t *testing.T) {
	results := t.TempDir()
	if log, err := reproduceTiny(t, ReproduceOptions{Set: []string{"seeds=[1, 2]"}, Run: RunOptions{Results: results}}); err != nil {
		t.Fatalf("Reproduce: %v\n%s", err, log)
	}
	if err := os.RemoveAll(filepath.Join(results, "runs")); err != nil {
		t.Fatal(err)
	}
	verify := func(budget time.Duration) (string, error) {
		var out bytes.Buffer
		err := Verify(context.Background(), VerifyOptions{Results: results, Out: &out, Budget: budget})
		return out.String(), err
	}
	// A budget below one epoch re-trains the first epoch of each run only.
	out, err := verify(time.Nanosecond)
	if err != nil || strings.Count(out, "epochs 1-1 of 3") != 2 {
		t.Fatalf("Verify of the first epochs: %v\n%s", err, out)
	}
	out, err = verify(0)
	if err != nil {
		t.Fatalf("Verify: %v\n%s", err, out)
	}
	// One run per optimizer mode: grad_only and the full arm's cheapest.
	if n := strings.Count(out, "identical  tiny "); n != 2 || !strings.Contains(out, "(grad_only;") ||
		!strings.Contains(out, "epochs 1-3 of 3") || !strings.Contains(out, "2 runs identical") {
		t.Errorf("want 2 identical runs, got:\n%s", out)
	}
	alterRecords(t, results, "tiny", "grad_only")
	out, err = verify(0)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 verified runs differ") {
		t.Errorf("Verify of an altered record: %v, want 1 of 2 differing", err)
	}
	if !strings.Contains(out, "DIFFERS  tiny ") || !strings.Contains(out, "epoch 2: test_acc: committed ") ||
		strings.Count(out, "identical  tiny ") != 1 {
		t.Errorf("want the grad_only run reported as different at epoch 2 and the other identical:\n%s", out)
	}
}

// TestVerifyRefuses checks that records verify cannot compare are reported
// as such, not re-trained, and fail the command.
func TestVerifyRefuses(t *testing.T) {
	good := store.RunConfig{Study: "s", Arm: "a", Label: "a", Model: "mlp", Dataset: data.Synthetic, Epochs: 1, BatchSize: 8,
		Fraction: 1, Optimizer: []byte(`{"name":"sgd"}`), Numerics: models.Numerics("mlp")}
	for _, c := range []struct {
		name string
		edit func(c *store.RunConfig)
		want string
	}{
		{"old numerics", func(c *store.RunConfig) { c.Numerics-- }, "numerics version"},
		{"unknown model", func(c *store.RunConfig) { c.Model = "other" }, `unknown model "other"`},
		{"unknown dataset", func(c *store.RunConfig) { c.Dataset = "other" }, `unknown dataset "other"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			results := t.TempDir()
			cfg := good
			c.edit(&cfg)
			id := spec.RunID(cfg)
			rec := records.Record{ID: id, Status: store.Completed, BestEpoch: 1, Config: cfg, Metrics: []store.EpochMetrics{{Epoch: 1}}}
			if err := records.Write(records.Path(results, "s"), []records.Record{rec}); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err := Verify(context.Background(), VerifyOptions{Results: results, Out: &out})
			if err == nil || !strings.Contains(out.String(), "not comparable  s "+id) || !strings.Contains(out.String(), c.want) {
				t.Errorf("Verify: %v, output lacks %q:\n%s", err, c.want, out.String())
			}
		})
	}
	var out bytes.Buffer
	if err := Verify(context.Background(), VerifyOptions{Results: t.TempDir(), Out: &out}); err == nil ||
		!strings.Contains(err.Error(), "nothing to verify") {
		t.Errorf("Verify without records: %v", err)
	}
}

func TestPrefixEpochs(t *testing.T) {
	for _, c := range []struct {
		name   string
		config store.RunConfig
		want   int
	}{
		{"short run in full", store.RunConfig{Model: "mlp", Dataset: "mnist", Fraction: 0.1, Epochs: 10}, 10},
		{"long run cut", store.RunConfig{Model: "small_cnn", Dataset: "cifar10", Fraction: 1, Epochs: 10}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := prefixEpochs(c.config, DefaultVerifyBudget); got != c.want {
				t.Errorf("prefixEpochs = %d, want %d", got, c.want)
			}
		})
	}
}

package harness

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

// TestFinalRunNeverRetrained is issue 10, failure 2: a run another process
// completes between this process's first look and its start is left alone,
// its summary kept.
func TestFinalRunNeverRetrained(t *testing.T) {
	dir := t.TempDir()
	jobs := mustLoad(t, "testdata/tiny.yaml", spec.Options{Set: []string{"seeds=1", "fractions=1", "epochs=1"}}).Expand()[:1]
	var inner Result
	load := func(string) (*data.Dataset, error) {
		// The "other process" completes the run before we lock it.
		var err error
		if inner, err = Run(context.Background(), jobs, RunOptions{Results: dir, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		return data.Load(data.Synthetic, data.Options{})
	}
	res, err := Run(context.Background(), jobs, RunOptions{Results: dir, Workers: 1, LoadData: load})
	if err != nil || inner.Completed != 1 || res.AlreadyDone != 1 || res.Completed != 0 {
		t.Fatalf("outer %+v, inner %+v, %v; want the run completed once, by the inner call", res, inner, err)
	}
	r, err := store.LoadRun(store.RunDir(dir, "tiny", jobs[0].ID))
	if err != nil || r.Status != store.Completed || r.Summary.Attempts != 1 {
		t.Errorf("run %s, %+v, %v", r.Status, r.Summary, err)
	}
}

// TestHeldRunLeftToHolder is issue 10, failure 1 within one process: a run
// whose lock is held is not touched, and the holder is named at the end.
func TestHeldRunLeftToHolder(t *testing.T) {
	dir := t.TempDir()
	jobs := mustLoad(t, "testdata/tiny.yaml", spec.Options{Set: []string{"seeds=1", "fractions=1", "epochs=1"}}).Expand()
	runDir := store.RunDir(dir, "tiny", jobs[0].ID)
	l, err := store.TryLock(runDir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	var log bytes.Buffer
	res, err := Run(context.Background(), jobs, RunOptions{Results: dir, Workers: 2, Log: &log})
	if err != nil || res.Held != 1 || res.Completed != len(jobs)-1 {
		t.Fatalf("result %+v, %v", res, err)
	}
	if !strings.Contains(log.String(), "held: "+jobs[0].ID) || !strings.Contains(log.String(), "pid") {
		t.Errorf("log does not list the held run with its holder:\n%s", log.String())
	}
	if st, _ := store.Status(runDir); st != store.Pending {
		t.Errorf("held run is %s, want untouched (pending)", st)
	}
}

// TestDamagedRunsRepaired is issue 10, failures 3, 4 and 5: runs damaged on
// disk are moved aside and retrained, ending with the numbers of an
// undamaged sweep.
func TestDamagedRunsRepaired(t *testing.T) {
	want := reference(t)
	dir := t.TempDir()
	if _, err := sweep(t, "testdata/tiny.yaml", dir, RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	runs, err := store.LoadStudy(dir, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := runs[0].ID, runs[1].ID, runs[2].ID
	rd := func(id string) string { return store.RunDir(dir, "tiny", id) }
	// Failure 3: a completed run's metrics lose their last line.
	if _, err := store.TruncateMetrics(rd(a), 2); err != nil {
		t.Fatal(err)
	}
	// Failure 4: a completed run's config.json is deleted.
	if err := os.Remove(filepath.Join(rd(b), store.ConfigFile)); err != nil {
		t.Fatal(err)
	}
	// Failure 5: a partial run gets another run's checkpoint.
	os.Remove(filepath.Join(rd(c), store.SummaryFile))
	store.TruncateMetrics(rd(c), 1)
	if err := store.WriteCheckpoint(rd(a), store.Checkpoint{ID: a, Epoch: 1}); err != nil {
		t.Fatal(err)
	}
	ck, _ := os.ReadFile(filepath.Join(rd(a), store.CheckpointFile))
	os.Remove(filepath.Join(rd(a), store.CheckpointFile))
	os.WriteFile(filepath.Join(rd(c), store.CheckpointFile), ck, 0o644)
	for _, id := range []string{a, b, c} {
		if r, err := store.LoadRun(rd(id)); err != nil || r.Status != store.Damaged {
			t.Fatalf("run %s: %s, %v; want damaged", id, r.Status, err)
		}
	}
	var log bytes.Buffer
	res, err := sweep(t, "testdata/tiny.yaml", dir, RunOptions{Workers: 2, Log: &log})
	if err != nil || res.Repaired != 3 || res.Completed != 3 {
		t.Fatalf("repair sweep %+v, %v", res, err)
	}
	if got := metricsOf(t, dir, "tiny"); !reflect.DeepEqual(got, want) {
		t.Error("metrics after repair differ from an undamaged sweep")
	}
	moved, _ := filepath.Glob(filepath.Join(dir, "quarantine", "tiny", "*"))
	if len(moved) != 3 {
		t.Errorf("%d runs quarantined, want 3: %q", len(moved), moved)
	}
	if !strings.Contains(log.String(), "is damaged") {
		t.Errorf("log does not mention the damage:\n%s", log.String())
	}
}

// TestSharedDatasetPool is issue 10, failure 16: workers that share one
// loaded dataset (as data.Load gives them) train concurrently with the
// numbers of one worker. It runs in the -short race suite, so it is kept
// small.
func TestSharedDatasetPool(t *testing.T) {
	ds, err := data.Load(data.Synthetic, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	shared := func(string) (*data.Dataset, error) { return ds, nil }
	sets := []string{"epochs=1", "seeds=1", "fractions=0.5"}
	one, many := t.TempDir(), t.TempDir()
	if _, err := sweep(t, "testdata/tiny.yaml", one, RunOptions{Workers: 1}, sets...); err != nil {
		t.Fatal(err)
	}
	res, err := sweep(t, "testdata/tiny.yaml", many, RunOptions{Workers: 3, LoadData: shared}, sets...)
	if err != nil || res.Completed != 3 {
		t.Fatalf("shared-dataset pool %+v, %v", res, err)
	}
	if a, b := metricsOf(t, one, "tiny"), metricsOf(t, many, "tiny"); !reflect.DeepEqual(a, b) {
		t.Error("workers sharing a dataset give other numbers than one worker")
	}
}

// TestUnwritableStoreNamesCause is issue 10, failure 7: when the store
// cannot be written, the error names the path and the cause, not a summary
// that was never written. (Root ignores permissions, so the test puts a
// file where the results directory should be; the error path is the same.)
func TestUnwritableStoreNamesCause(t *testing.T) {
	results := filepath.Join(t.TempDir(), "results")
	if err := os.WriteFile(results, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := sweep(t, "testdata/tiny.yaml", results, RunOptions{Workers: 1}, "epochs=1", "seeds=1", "fractions=0.5")
	if err == nil || !strings.Contains(err.Error(), results) || !strings.Contains(err.Error(), "not a directory") ||
		strings.Contains(err.Error(), "summary.json") {
		t.Errorf("error %v: want the path and the cause", err)
	}
}

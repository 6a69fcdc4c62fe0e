package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

// crashHelperEnv makes the test binary run a sweep (spec, results) and exit:
// TestCrashResume starts it as a subprocess and kills it.
const crashHelperEnv = "NEUROPLASTIC_HARNESS_SWEEP"

func TestMain(m *testing.M) {
	if v := os.Getenv(crashHelperEnv); v != "" {
		specPath, results, _ := strings.Cut(v, ",")
		s, err := spec.Load(specPath, spec.Options{})
		if err == nil {
			_, err = Run(context.Background(), s.Expand(), RunOptions{Results: results, Workers: 1, Log: os.Stderr})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// mustLoad loads the spec at path or fails the test.
func mustLoad(t *testing.T, path string, o spec.Options) *spec.Spec {
	t.Helper()
	s, err := spec.Load(path, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sweep runs the jobs of the spec at path into results and returns the result.
func sweep(t *testing.T, path, results string, o RunOptions, sets ...string) (Result, error) {
	t.Helper()
	s := mustLoad(t, path, spec.Options{Set: sets})
	o.Results = results
	return Run(context.Background(), s.Expand(), o)
}

// metricsOf returns every run's metrics under results with wall times
// zeroed (the only field allowed to differ between identical runs), by ID.
func metricsOf(t *testing.T, results, study string) map[string][]store.EpochMetrics {
	t.Helper()
	runs, err := store.LoadStudy(results, study)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]store.EpochMetrics{}
	for _, r := range runs {
		for i := range r.Metrics {
			r.Metrics[i].WallSeconds = 0
		}
		out[r.ID] = r.Metrics
	}
	return out
}

func statuses(t *testing.T, results, study string) map[string]string {
	t.Helper()
	runs, err := store.LoadStudy(results, study)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range runs {
		out[r.Config.Label+fmt.Sprint(" ", r.Config.Dataset, " ", r.Config.Seed, " ", r.Config.Fraction)] = r.Status
	}
	return out
}

// reference runs the tiny spec once, uninterrupted, and returns its metrics.
func reference(t *testing.T) map[string][]store.EpochMetrics {
	t.Helper()
	dir := t.TempDir()
	if _, err := sweep(t, "testdata/tiny.yaml", dir, RunOptions{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	m := metricsOf(t, dir, "tiny")
	if len(m) != 12 {
		t.Fatalf("%d runs, want 12", len(m))
	}
	for id, ms := range m {
		if len(ms) != 3 {
			t.Fatalf("run %s: %d epochs, want 3", id, len(ms))
		}
	}
	return m
}

func TestDeterminism(t *testing.T) {
	want := reference(t)
	check := func(name string, results string) {
		t.Helper()
		if got := metricsOf(t, results, "tiny"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: metrics differ from the reference sweep", name)
		}
		noLeftovers(t, results, "tiny")
	}
	dir := t.TempDir()
	if _, err := sweep(t, "testdata/tiny.yaml", dir, RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	check("2 workers", dir)

	prev := runtime.GOMAXPROCS(1)
	dir = t.TempDir()
	_, err := sweep(t, "testdata/tiny.yaml", dir, RunOptions{Workers: 2})
	runtime.GOMAXPROCS(2)
	dir2 := t.TempDir()
	_, err2 := sweep(t, "testdata/tiny.yaml", dir2, RunOptions{Workers: 1})
	runtime.GOMAXPROCS(prev)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	check("GOMAXPROCS 1", dir)
	check("GOMAXPROCS 2", dir2)

	dir = t.TempDir()
	s := mustLoad(t, "testdata/tiny.yaml", spec.Options{})
	for i := range 2 {
		jobs, err := spec.Select(s.Expand(), spec.Shard{I: i, N: 2}, spec.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), jobs, RunOptions{Results: dir, Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	check("shards 0/2 + 1/2", dir)
}

// noLeftovers fails the test if a completed run of study under results
// keeps a checkpoint or a temporary file: every checkpoint write of a run
// must be over before its summary says completed.
func noLeftovers(t *testing.T, results, study string) {
	t.Helper()
	// The last checkpoint's write would land after its removal.
	time.Sleep(50 * time.Millisecond)
	runs, err := store.LoadStudy(results, study)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Status == store.Completed && len(r.Leftovers) > 0 {
			t.Errorf("completed run %s keeps %q", r.ID, r.Leftovers)
		}
	}
}

// panicky wraps the built-in loader: the dataset "mnist" panics, standing
// in for any bug that panics inside a run.
func panicky(name string) (*data.Dataset, error) {
	if name == "mnist" {
		panic("boom")
	}
	return data.Load(data.Synthetic, data.Options{})
}

func TestPanicEndsRunFailed(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	o := RunOptions{Workers: 2, Retries: 1, LoadData: panicky, Log: &log}
	res, err := sweep(t, "testdata/tiny.yaml", dir, o, "dataset=[synthetic, mnist]", "fractions=1", "seeds=1")
	if err == nil || !strings.HasPrefix(err.Error(), "harness: 3 of 6 runs failed; the first: ") || !strings.HasSuffix(err.Error(), "panic: boom") {
		t.Errorf("error %v", err)
	}
	if res.Completed != 3 || res.Failed != 3 {
		t.Errorf("result %+v", res)
	}
	runs, err := store.LoadStudy(dir, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		want := store.Completed
		if r.Config.Dataset == "mnist" {
			want = store.Failed
			if r.Summary.Error != "panic: boom" || r.Summary.Attempts != 2 {
				t.Errorf("%s: error %q after %d attempts, want \"panic: boom\" after 2", r.Config.Label, r.Summary.Error, r.Summary.Attempts)
			}
		}
		if r.Status != want {
			t.Errorf("%s %s: status %s, want %s", r.Config.Label, r.Config.Dataset, r.Status, want)
		}
	}
	if !strings.Contains(log.String(), "panicked: boom") {
		t.Errorf("log lacks the panic:\n%s", log.String())
	}
	// A failed run is attempted again on the next invocation.
	res, _ = sweep(t, "testdata/tiny.yaml", dir, o, "dataset=[synthetic, mnist]", "fractions=1", "seeds=1")
	if res.AlreadyDone != 3 || res.Failed != 3 {
		t.Errorf("rerun result %+v", res)
	}
}

func TestDivergedIsFinal(t *testing.T) {
	src := `study: s
dataset: synthetic
model: mlp
epochs: 2
batch_size: 8
seeds: [1]
fractions: [1]
arms:
  - name: full
    optimizer: {name: neuroplastic, lr: 0.1}
  - name: wild
    optimizer: {name: sgd, lr: 1e6}
`
	path := filepath.Join(t.TempDir(), "div.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res, err := sweep(t, path, dir, RunOptions{Workers: 1})
	if err != nil || res.Completed != 1 || res.Diverged != 1 {
		t.Fatalf("result %+v, %v", res, err)
	}
	runs, err := store.LoadStudy(dir, "s")
	if err != nil {
		t.Fatal(err)
	}
	wild := runs[1]
	if wild.Config.Arm != "wild" || wild.Status != store.Diverged || !strings.Contains(wild.Summary.Error, "non-finite") {
		t.Errorf("wild run: arm %s status %s error %q", wild.Config.Arm, wild.Status, wild.Summary.Error)
	}
	res, err = sweep(t, path, dir, RunOptions{Workers: 1})
	if err != nil || res.AlreadyDone != 2 || res.Diverged != 0 {
		t.Errorf("rerun result %+v, %v", res, err)
	}
}

func TestMissingDataSkipped(t *testing.T) {
	var log bytes.Buffer
	missing := func(name string) (*data.Dataset, error) {
		if name == "mnist" {
			return nil, fmt.Errorf("data: mnist: no files: %w", data.ErrMissing)
		}
		return data.Load(data.Synthetic, data.Options{})
	}
	dir := t.TempDir()
	res, err := sweep(t, "testdata/tiny.yaml", dir, RunOptions{Workers: 2, LoadData: missing, Log: &log}, "dataset=[mnist, synthetic]")
	if err == nil || !strings.Contains(err.Error(), "12 of 24 runs skipped") || res.Skipped != 12 || res.Completed != 12 {
		t.Errorf("result %+v, %v; want 12 skipped, and an error saying so", res, err)
	}
	if n := strings.Count(log.String(), "skipping every run on dataset mnist"); n != 1 {
		t.Errorf("%d skip lines, want 1:\n%s", n, log.String())
	}
	if ids, _ := store.ListRuns(dir, "tiny"); len(ids) != 12 {
		t.Errorf("%d run directories, want 12 (none for skipped runs)", len(ids))
	}
}

// cancelAt is a log writer that cancels a sweep once a line contains marker.
type cancelAt struct {
	mu     sync.Mutex
	marker string
	cancel func()
}

func (c *cancelAt) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if bytes.Contains(b, []byte(c.marker)) {
		c.cancel()
	}
	return len(b), nil
}

func TestResumeFromPartial(t *testing.T) {
	want := reference(t)
	dir := t.TempDir()
	s := mustLoad(t, "testdata/tiny.yaml", spec.Options{})
	jobs := s.Expand()
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Run(ctx, jobs, RunOptions{Results: dir, Workers: 1, Log: &cancelAt{marker: "epoch 2/3", cancel: cancel}})
	cancel()
	if !errors.Is(err, context.Canceled) || res.Interrupted != 1 || res.Completed != 0 {
		t.Fatalf("interrupted sweep: %+v, %v", res, err)
	}
	runDir := store.RunDir(dir, "tiny", jobs[0].ID)
	if st, _ := store.Status(runDir); st != store.Partial {
		t.Fatalf("status %s, want partial", st)
	}
	// Simulate a kill between appending epoch 3's line and its checkpoint,
	// leaving a torn line after it.
	f, err := os.OpenFile(filepath.Join(runDir, store.MetricsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, `{"epoch":3,"train_loss":9,"train_acc":0,"test_loss":9,"test_acc":0,"wall_seconds":1}`+"\n"+`{"epoch":4,"tra`)
	f.Close()
	if _, err := Run(context.Background(), jobs, RunOptions{Results: dir, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if got := metricsOf(t, dir, "tiny"); !reflect.DeepEqual(got, want) {
		t.Error("resumed sweep's metrics differ from an uninterrupted one")
	}
}

// TestRunLongestFirst checks that Run starts the runs with the most work
// left first and keeps the jobs' order among equal ones: the tiny sweep's
// full-data runs, then its half-data runs, then a full-data run that has
// only its last epoch left.
func TestRunLongestFirst(t *testing.T) {
	dir := t.TempDir()
	jobs := mustLoad(t, "testdata/tiny.yaml", spec.Options{}).Expand()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Run(ctx, jobs[:1], RunOptions{Results: dir, Workers: 1, Log: &cancelAt{marker: "epoch 2/3", cancel: cancel}})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupting the first run: %v", err)
	}
	var log strings.Builder
	if _, err := Run(context.Background(), jobs, RunOptions{Results: dir, Workers: 1, Log: &log}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.HasSuffix(line, ": completed") {
			got = append(got, strings.Fields(line)[0])
		}
	}
	var want []string
	for _, fraction := range []float64{1, 0.5} {
		for _, j := range jobs[1:] {
			if j.Config.Fraction == fraction {
				want = append(want, j.ID)
			}
		}
	}
	want = append(want, jobs[0].ID)
	if !slices.Equal(got, want) {
		t.Errorf("runs completed in the order\n%v\nwant\n%v", got, want)
	}
}

// TestRunUnreadable checks that a run whose directory cannot be read (here
// a file stands in its place) is left alone and named in the error while
// the other runs are trained.
func TestRunUnreadable(t *testing.T) {
	dir := t.TempDir()
	jobs := mustLoad(t, "testdata/tiny.yaml", spec.Options{Set: []string{"epochs=1"}}).Expand()
	bad := store.RunDir(dir, "tiny", jobs[0].ID)
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), jobs, RunOptions{Results: dir, Workers: 2})
	if err == nil || !strings.Contains(err.Error(), jobs[0].ID) {
		t.Errorf("error %v, want one naming %s", err, jobs[0].ID)
	}
	if res.Completed != len(jobs)-1 {
		t.Errorf("%d runs completed, want %d", res.Completed, len(jobs)-1)
	}
}

// TestCrashResume kills a sweep process with SIGKILL after its first epoch,
// reruns it, and checks that every run completed once with the metrics of an
// uninterrupted sweep and no torn or repeated lines.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	want := reference(t)
	dir := t.TempDir()
	specPath, err := filepath.Abs("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for kill := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashHelperEnv+"="+specPath+","+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill once the first (then a later) metrics line is on disk.
		deadline := time.Now().Add(30 * time.Second)
		for lines(t, dir) <= kill*10 && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if lines(t, dir) == 0 {
			t.Fatalf("no metrics before the kill; stderr:\n%s", stderr.String())
		}
	}
	res, err := sweep(t, "testdata/tiny.yaml", dir, RunOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Completed+res.AlreadyDone != 12 {
		t.Errorf("result %+v", res)
	}
	for k, st := range statuses(t, dir, "tiny") {
		if st != store.Completed {
			t.Errorf("%s: %s", k, st)
		}
	}
	got := metricsOf(t, dir, "tiny")
	if !reflect.DeepEqual(got, want) {
		t.Error("metrics after kill and resume differ from an uninterrupted sweep")
	}
	// Every metrics file holds exactly its 3 complete lines.
	for id := range got {
		b, err := os.ReadFile(filepath.Join(store.RunDir(dir, "tiny", id), store.MetricsFile))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte("\n")); n != 3 || !bytes.HasSuffix(b, []byte("\n")) {
			t.Errorf("run %s: %d lines in metrics.jsonl", id, n)
		}
	}
}

// lines counts the metrics lines of every run under results.
func lines(t *testing.T, results string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(results, "runs", "*", "*", store.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		n += bytes.Count(b, []byte("\n"))
	}
	return n
}

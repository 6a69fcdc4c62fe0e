package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// buildBinary builds the neuroplastic binary into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "neuroplastic")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// storeMetrics returns the metrics of every run of study under results with
// wall times zeroed, by ID, failing the test unless every run completed in
// one attempt.
func storeMetrics(t *testing.T, results, study string) map[string][]store.EpochMetrics {
	t.Helper()
	runs, err := store.LoadStudy(results, study)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]store.EpochMetrics{}
	for _, r := range runs {
		if r.Status != store.Completed || r.Summary.Attempts != 1 {
			t.Errorf("%s: run %s is %s (damage %+v)", results, r.ID, r.Status, r.Damage)
			continue
		}
		for i := range r.Metrics {
			r.Metrics[i].WallSeconds = 0
		}
		out[r.ID] = r.Metrics
	}
	return out
}

// TestTwoProcessesShareAStore is issue 10, failures 1 and 2: two processes
// of the built binary run one sweep into one results directory, started
// together or staggered, 20 times; every store must hold exactly the
// metrics of a single-process store, each run trained once.
func TestTwoProcessesShareAStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts 60 processes")
	}
	bin := buildBinary(t)
	args := []string{"run", filepath.Join("harness", "testdata", "tiny.yaml"), "--workers", "2",
		"--set", "epochs=2", "--only", "seed=1"}
	run := func(results string) *exec.Cmd {
		cmd := exec.Command(bin, append(args, "--results", results)...)
		cmd.Stderr = new(bytes.Buffer)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	single := t.TempDir()
	if cmd := run(single); cmd.Wait() != nil {
		t.Fatalf("single process: %s", cmd.Stderr)
	}
	want := storeMetrics(t, single, "tiny")
	if len(want) != 6 {
		t.Fatalf("%d runs in the single-process store, want 6", len(want))
	}
	for rep := range 20 {
		results := t.TempDir()
		a := run(results)
		time.Sleep(time.Duration(rep%5) * 60 * time.Millisecond) // 0: overlapping starts
		b := run(results)
		for _, cmd := range []*exec.Cmd{a, b} {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("repetition %d: %v\n%s", rep, err, cmd.Stderr)
			}
		}
		if got := storeMetrics(t, results, "tiny"); !reflect.DeepEqual(got, want) {
			t.Fatalf("repetition %d: the metrics differ from a single-process store\n%s\n%s", rep, a.Stderr, b.Stderr)
		}
		if code, out, log := cli(t, "check", "--results", results); code != 0 {
			t.Fatalf("repetition %d: check exits %d:\n%s%s", rep, code, out, log)
		}
	}
}

// TestSignalsStopRun is issue 10, failure 9 for `run`: SIGINT and SIGTERM
// stop it with exit codes 130 and 143, leaving a store check accepts and a
// rerun completes.
func TestSignalsStopRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			results := t.TempDir()
			cmd := exec.Command(bin, "run", filepath.Join("harness", "testdata", "tiny.yaml"), "--results", results,
				"--workers", "1", "--set", "epochs=50")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				if m, _ := filepath.Glob(filepath.Join(results, "runs", "tiny", "*", store.MetricsFile)); len(m) > 0 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			start := time.Now()
			cmd.Process.Signal(tc.sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Fatalf("exit %v, want code %d\n%s", err, tc.code, stderr.String())
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to stop", d)
			}
			code, out, log := cli(t, "check", "--results", results)
			if code != 0 {
				t.Errorf("check exits %d after the signal:\n%s%s", code, out, log)
			}
		})
	}
}

// TestCLICheck is issue 10, failures 3 and 6 seen by `check`: a damaged run
// makes it exit 1 naming the reason; a leftover temporary file is listed;
// --repair quarantines the one and removes the other.
func TestCLICheck(t *testing.T) {
	results := t.TempDir()
	spec := filepath.Join("harness", "testdata", "tiny.yaml")
	if code, _, log := cli(t, "run", spec, "--results", results, "--set", "epochs=2", "--only", "seed=1,fraction=0.5"); code != 0 {
		t.Fatalf("run exits %d: %s", code, log)
	}
	if code, out, _ := cli(t, "check", "--results", results); code != 0 || !strings.Contains(out, "0 damaged") {
		t.Fatalf("check of a sound store exits %d:\n%s", code, out)
	}
	runs, err := store.LoadStudy(results, "tiny")
	if err != nil || len(runs) != 3 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	dir := store.RunDir(results, "tiny", runs[0].ID)
	if _, err := store.TruncateMetrics(dir, 1); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(results, "runs", "tiny", runs[1].ID, ".checkpoint.bin.tmp-x")
	if err := os.WriteFile(tmp, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := cli(t, "check", "--results", results)
	for _, want := range []string{"damaged  " + dir + ": ", "says 2 epochs were done", "leftover " + tmp, "1 damaged"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("check exits %d, want 1 and %q in:\n%s", code, want, out)
		}
	}
	if code, out, _ = cli(t, "check", "--results", results, "--repair"); code != 0 || !strings.Contains(out, "moved to "+filepath.Join(results, "quarantine", "tiny")) {
		t.Errorf("check --repair exits %d:\n%s", code, out)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("leftover not removed: %v", err)
	}
	if code, out, _ = cli(t, "check", "--results", results); code != 0 || !strings.Contains(out, "0 damaged, 0 partial or failed, 0 held, 0 orphaned, 0 leftover files") {
		t.Errorf("check after repair exits %d:\n%s", code, out)
	}
}

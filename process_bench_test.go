package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/neuroplastic/neuroplastic/data"
)

// BenchmarkProcess times whole `neuroplastic run` processes of the mlp on
// MNIST (one thread, the paper's NeuroPlastic configuration, one epoch),
// built from this source, and reports their wall time (s/op), peak resident
// memory (peak-MiB, the process's maximum RSS) and the time from process
// start to the first training step (start-s: the wall time less the epoch's
// own wall_seconds, which starts just before the first step; so it also
// counts writing the checkpoint and exiting, an upper bound):
//
//   - startup trains 128 examples (fraction 1/469: one training step) and
//     evaluates the 10,000 test examples,
//   - epoch trains the whole training set once and evaluates the test set.
//
// It skips when MNIST is not in the data directory (`make data`). The
// decoded cache is written by a first, untimed run.
func BenchmarkProcess(b *testing.B) {
	if _, err := data.Load("mnist", data.Options{}); errors.Is(err, data.ErrMissing) {
		b.Skip("MNIST is not in the data directory (make data)")
	} else if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "neuroplastic")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name     string
		fraction string
	}{
		{"startup", "0.0021333"}, // round(60000 * f) = 128
		{"epoch", "1.0"},
	} {
		spec := filepath.Join(dir, c.name+".yaml")
		body := fmt.Sprintf(`study: bench_%s
title: process benchmark
dataset: mnist
model: mlp
epochs: 1
batch_size: 128
seeds: [41]
fractions: [%s]
arms:
  - name: full
    optimizer: {name: neuroplastic, from: paper}
`, c.name, c.fraction)
		if err := os.WriteFile(spec, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
		runOnce := func() (wall, epoch time.Duration, peakKiB int64) {
			results := filepath.Join(dir, "results")
			if err := os.RemoveAll(results); err != nil {
				b.Fatal(err)
			}
			cmd := exec.Command(bin, "run", spec, "--results", results, "--workers", "1")
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%s: %v\n%s", cmd, err, out)
			}
			wall = time.Since(start)
			return wall, epochWall(b, results), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		}
		b.Run(c.name, func(b *testing.B) {
			runOnce() // writes the decoded cache if needed
			var wall, first time.Duration
			var peak int64
			for b.Loop() {
				w, e, rss := runOnce()
				wall += w
				first += w - e
				peak = max(peak, rss)
			}
			b.ReportMetric(wall.Seconds()/float64(b.N), "s/op")
			b.ReportMetric(first.Seconds()/float64(b.N), "start-s")
			b.ReportMetric(float64(peak)/1024, "peak-MiB")
		})
	}
}

// epochWall returns the wall_seconds of the one epoch of the one run under
// results.
func epochWall(b *testing.B, results string) time.Duration {
	paths, err := filepath.Glob(filepath.Join(results, "runs", "*", "*", "metrics.jsonl"))
	if err != nil || len(paths) != 1 {
		b.Fatalf("metrics of the run: %v %v", paths, err)
	}
	raw, err := os.ReadFile(paths[0])
	if err != nil {
		b.Fatal(err)
	}
	var m struct {
		WallSeconds float64 `json:"wall_seconds"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		b.Fatalf("%s: %v", paths[0], err)
	}
	return time.Duration(m.WallSeconds * float64(time.Second))
}

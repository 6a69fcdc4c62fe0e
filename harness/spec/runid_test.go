package spec

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestRunIDsOfCommittedSpecs pins the run IDs of every committed spec under
// experiments/, in full and with --quick, and of fashion_mnist with `from:
// selected` reading the committed results/locked_config.json: a run's ID names its directory in
// every results store, so a change to how configurations are built or hashed
// must not change them (bump the model's numerics version, models.Numerics, instead when the numbers change).
func TestRunIDsOfCommittedSpecs(t *testing.T) {
	paths, err := filepath.Glob("../../experiments/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no committed specs: %v", err)
	}
	var b strings.Builder
	write := func(s *Spec, quick bool) {
		for _, j := range s.Expand() {
			c := j.Config
			fmt.Fprintf(&b, "%s quick=%t %s %q %s %s e%d b%d f%g s%d\n", s.Study, quick, j.ID,
				c.Label, c.Dataset, c.Model, c.Epochs, c.BatchSize, c.Fraction, c.Seed)
		}
	}
	o := Options{Results: "../../results"}
	for _, path := range paths {
		for _, quick := range []bool{false, true} {
			o.Quick = quick
			s, err := Load(path, o)
			if err != nil {
				t.Fatal(err)
			}
			write(s, quick)
		}
	}
	src, err := os.ReadFile("../../experiments/fashion_mnist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o.Quick = false
	s, err := Parse("selected.yaml", []byte(strings.ReplaceAll(string(src), "from: paper}", "from: selected}")), o)
	if err != nil {
		t.Fatal(err)
	}
	write(s, false)
	const golden = "testdata/run_ids.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d:\n got: %s\nwant: %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(gl), len(wl))
	}
}

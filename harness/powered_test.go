package harness

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/harness/records"
	"github.com/neuroplastic/neuroplastic/harness/spec"
	"github.com/neuroplastic/neuroplastic/harness/store"
)

func TestPoweredJobs(t *testing.T) {
	const ref = "full lr=0.1 warmup_epochs=2 plasticity_scale=2"
	cases := []struct {
		name   string
		spec   string
		seeds  int
		labels []string // distinct labels kept; nil: every label of the expansion
		runs   int
	}{
		{"tuning, powered: the named configurations", "mnist_tuning.yaml", 10, []string{ref, "grad_only"}, 20},
		{"tuning, paper protocol: the whole grid", "mnist_tuning.yaml", 0, nil, 111},
		{"paired, powered: every run", "fashion_mnist.yaml", 10, nil, 0},
		{"tuning choosing on validation, powered: the whole arm", "mnist_tuning_validation.yaml", 10, nil, 0},
	}
	for _, c := range cases {
		sp, err := spec.Load(filepath.Join("..", "experiments", c.spec), spec.Options{Results: t.TempDir(), Set: WithSeeds(nil, c.seeds)})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		all, jobs := sp.Expand(), Jobs(sp, c.seeds)
		var labels []string
		for _, j := range jobs {
			if !slices.Contains(labels, j.Config.Label) {
				labels = append(labels, j.Config.Label)
			}
		}
		if c.labels == nil {
			if len(jobs) != len(all) {
				t.Errorf("%s: %d of %d runs kept, want all", c.name, len(jobs), len(all))
			}
		} else if slices.Sort(labels); !slices.Equal(labels, slices.Sorted(slices.Values(c.labels))) {
			t.Errorf("%s: configurations %q, want %q", c.name, labels, c.labels)
		}
		if c.runs > 0 && len(jobs) != c.runs {
			t.Errorf("%s: %d runs, want %d", c.name, len(jobs), c.runs)
		}
		note := poweredNote(all, jobs)
		if restricted := len(jobs) < len(all); restricted != strings.Contains(note, "only the") {
			t.Errorf("%s: note %q for %d of %d runs", c.name, note, len(jobs), len(all))
		}
	}
}

func TestPoweredSeeds(t *testing.T) {
	cases := []struct {
		name  string
		seeds []int64 // seeds of the records written; nil: no records
		want  int
	}{
		{"no records", nil, PoweredProtocol},
		{"seeds 41..45", []int64{41, 42, 43, 44, 45}, 5},
		{"seeds 41..50", []int64{50, 41}, 10},
	}
	for _, c := range cases {
		dir := t.TempDir()
		if c.seeds != nil {
			var recs []records.Record
			for _, s := range c.seeds {
				cfg := store.RunConfig{Study: "s", Seed: s}
				recs = append(recs, records.Record{ID: spec.RunID(cfg), Status: store.Completed, Config: cfg})
			}
			if err := records.Write(records.Path(dir, "s"), recs); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := poweredSeeds(dir); err != nil || got != c.want {
			t.Errorf("%s: %d, %v; want %d", c.name, got, err, c.want)
		}
	}
}
